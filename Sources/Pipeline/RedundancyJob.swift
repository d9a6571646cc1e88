import Cluster
import Config
import Estimators
import Analysis
import Files
import Foundation
import Support

/// `infoplane redundancy`: rank 0 checks the request and broadcasts the plan (or the error that
/// stops everyone); every rank reads the run file and computes items i ≡ rank (mod P); rank 0
/// gathers the values, writes the outputs and returns the summary. Each item's values depend
/// only on the plan, so the files are bit-identical for any P and any thread count.
public enum RedundancyJob {
    struct Start: Codable {
        var plan: RedundancyPlan?
        var error: String?
    }

    /// Runs on every rank; returns rank 0's summary (nil elsewhere).
    public static func run(_ request: RedundancyRequest, comm: Communicator) throws -> String? {
        let log = ProgressLog(quiet: request.quiet || comm.rank != 0)
        var start = Start()
        if comm.rank == 0 {
            do { start.plan = try RedundancyPlan.prepare(request) } catch { start.error = "\(error)" }
        }
        var bytes = comm.rank == 0 ? [UInt8](try JSONEncoder().encode(start)) : []
        try comm.broadcast(&bytes, root: 0)
        if comm.rank != 0 { start = try JSONDecoder().decode(Start.self, from: Data(bytes)) }
        guard let plan = start.plan else {
            if comm.rank == 0 { PipelineJob.report(InfoPlaneError(start.error ?? "no plan")) }
            throw ReportedFailure()
        }

        let threads = request.threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / comm.size)
        let mine = plan.items(ofRank: comm.rank, ranks: comm.size)
        log("redundancy: \(plan.runPath): \(plan.layers.count) layers × \(plan.epochs.count) snapshots, \(plan.settings.slices) slices "
            + "(k = \(plan.settings.k), seed \(plan.settings.seed)) on \(comm.size) rank(s) → \(plan.outPath)")
        var values: [Double] = []
        var failure: Error?
        do {
            values = try plan.compute(mine, threads: threads, log: log)
        } catch {
            // Still join the gather (with nothing) so no rank waits forever.
            failure = error
            if comm.rank != 0 { FileHandle.standardError.write(Data("Error: rank \(comm.rank): \(error)\n".utf8)) }
        }
        let gathered = try comm.gather(values, root: 0)
        guard comm.rank == 0, let gathered else { if failure != nil { throw ReportedFailure() } else { return nil } }
        if let failure {
            PipelineJob.report(failure)
            throw ReportedFailure()
        }
        let complete: [[LabelRedundancy]]
        do {
            complete = try plan.results(from: gathered)
        } catch {
            PipelineJob.report(error)
            throw ReportedFailure()
        }
        do {
            try RedundancyFile.write(complete, header: plan.header, to: plan.outPath, overwrite: request.force)
        } catch {
            PipelineJob.report(error)
            throw ReportedFailure()
        }
        return plan.summary(complete)
    }
}
