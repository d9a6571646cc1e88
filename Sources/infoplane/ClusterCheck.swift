import ArgumentParser
import Cluster

/// `infoplane cluster-check`: proves the MPI set-up on a new machine or allocation, and is how
/// the tests exercise every call of the Cluster module under mpirun with 1, 2 and 3 ranks.
struct ClusterCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-check",
        abstract: "Check MPI: every rank exchanges messages with every call the pipeline uses.",
        discussion: "Run as `mpirun -np P infoplane cluster-check`; rank 0 prints one line per check and `ok`.")

    @Option(parsing: .unconditional, help: "Make this rank abort the job (tests the abort path).")
    var abortFrom: Int?

    func run() throws {
        let comm = try Communicator.world()
        defer { comm.finalize() }
        try ClusterSelfCheck.run(comm, abortFrom: abortFrom) { print($0) }
    }
}
