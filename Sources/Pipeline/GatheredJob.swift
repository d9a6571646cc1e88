import Cluster
import Support

/// The shape of a job whose items are independent and small (redundancy, memorisation): every
/// rank computes its own items, rank 0 gathers all the values and writes the outputs. A rank
/// that fails still joins the gather (with nothing), so no rank waits forever, and the error is
/// reported once.
enum GatheredJob {
    /// Runs on every rank: `compute` this rank's values; on rank 0, `finish` turns everything
    /// gathered (in rank order) into the outputs and returns the summary (nil elsewhere).
    static func run(comm: Communicator, compute: () throws -> [Double],
                    finish: ([[Double]]) throws -> String) throws -> String? {
        var values: [Double] = []
        var failure: Error?
        do {
            values = try compute()
        } catch {
            failure = error
            if comm.rank != 0 { StandardError.finalLine("Error: rank \(comm.rank): \(error)") }
        }
        let gathered = try comm.gather(values, root: 0)
        guard comm.rank == 0, let gathered else {
            if failure != nil { throw ReportedFailure() }
            return nil
        }
        do {
            if let failure { throw failure }
            return try finish(gathered)
        } catch {
            RankZero.report(error)
            throw ReportedFailure()
        }
    }
}
