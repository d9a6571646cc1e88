import Cluster
import Foundation
import Support

/// Running a job body on every rank of the world (`mpirun -np P infoplane …`, or alone).
public enum Job {
    /// Runs `body` on every rank and prints rank 0's summary line. MPI is finalised on every path.
    /// A failure rank 0 already reported (``ReportedFailure``) ends every rank quietly after a
    /// barrier; rank 0's own error is rethrown (the command line prints it); another rank's error
    /// is printed naming the rank. Either way the caller gets ``ReportedFailure`` or the error.
    public static func onEveryRank(_ body: (Communicator) throws -> String?) throws {
        let comm = try Communicator.world()
        do {
            let summary = try body(comm)
            comm.finalize()
            if let summary { print(summary) }
        } catch is ReportedFailure {
            try? comm.barrier()
            comm.finalize()
            throw ReportedFailure()
        } catch {
            comm.finalize()
            if comm.rank == 0 { throw error }
            StandardError.finalLine("Error: rank \(comm.rank): \(error)")
            throw ReportedFailure()
        }
    }
}
