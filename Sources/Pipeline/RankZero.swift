import Cluster
import Foundation
import Support

/// The job failed and rank 0 has printed why: every rank meets at a barrier (so that line is
/// out before anyone exits), then exits non-zero without printing more.
public struct ReportedFailure: Error {}

/// "Rank 0 decides, and every rank learns the decision or the error that ends the job": how
/// every job starts (the config of `run`, the plan of `analyze` and `redundancy`, the checks
/// of an ensemble). Only rank 0 reads files and parses configs; the others get the result,
/// `Codable`, so no rank re-parses anything.
enum RankZero {
    /// What rank 0 sends: the decision, or the one-line error every rank exits with.
    private struct Message<Decision: Codable>: Codable {
        var decision: Decision?
        var error: String?
    }

    /// On every rank: rank 0 runs `decide` and broadcasts its result; the others receive it.
    /// If `decide` throws, rank 0 prints the error and every rank throws ``ReportedFailure``.
    static func decide<Decision: Codable>(_ comm: Communicator, _ decide: () throws -> Decision) throws -> Decision {
        guard comm.rank == 0 else { return try receive(comm) }
        let decision: Decision
        do {
            decision = try decide()
        } catch {
            fail(error, comm: comm, as: Decision.self)
            throw ReportedFailure()
        }
        try announce(decision, comm: comm)
        return decision
    }

    /// Rank 0 alone, when the decision is made elsewhere (inside training): broadcasts it.
    static func announce<Decision: Codable>(_ decision: Decision, comm: Communicator) throws {
        try broadcast(Message(decision: decision), comm: comm)
    }

    /// Rank 0 alone: prints `error` and broadcasts it in place of a decision of type `Decision`,
    /// so the other ranks stop (the caller then throws ``ReportedFailure``).
    static func fail<Decision: Codable>(_ error: Error, comm: Communicator, as: Decision.Type) {
        report(error)
        try? broadcast(Message<Decision>(error: "\(error)"), comm: comm)
    }

    /// The other ranks: the decision rank 0 broadcast, or ``ReportedFailure`` if it sent an error.
    static func receive<Decision: Codable>(_ comm: Communicator) throws -> Decision {
        var bytes: [UInt8] = []
        try comm.broadcast(&bytes, root: 0)
        guard let message = try? JSONDecoder().decode(Message<Decision>.self, from: Data(bytes)) else {
            throw InfoPlaneError("rank \(comm.rank): rank 0 sent a malformed start message: all ranks must run the same infoplane build")
        }
        guard let decision = message.decision else { throw ReportedFailure() }
        return decision
    }

    /// Rank 0 prints a failure before telling the others, so the line is out before any rank
    /// exits (mpirun tears the job down at the first non-zero exit).
    static func report(_ error: Error) {
        StandardError.finalLine("Error: \(error)")
    }

    private static func broadcast<Decision: Codable>(_ message: Message<Decision>, comm: Communicator) throws {
        var bytes = [UInt8](try JSONEncoder().encode(message))
        try comm.broadcast(&bytes, root: 0)
    }
}
