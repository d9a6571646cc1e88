import Cluster
import Foundation
import Support

/// A task of a ``WorkPool``: its number, and the key of the payload it needs (tasks with the
/// same key share one payload).
struct PoolTask: Sendable, Equatable {
    /// The task's number (what its result comes back under).
    var id: Int
    /// Which payload it needs.
    var key: Int
}

/// Message tags of the pool.
enum PoolTag {
    /// Rank 0 → worker: an ``PoolOrder`` (JSON).
    static let order = 1
    /// Rank 0 → worker: a payload (float32), right after an order that says so.
    static let payload = 2
    /// Worker → rank 0: `[task] + values` (float64).
    static let result = 3
    /// Worker → rank 0: a one-line error (UTF-8).
    static let failure = 4
}

/// What rank 0 tells a worker.
struct PoolOrder: Codable {
    /// The task's number, or −1 with `stop`.
    var task: Int
    /// The payload the task needs.
    var key = 0
    /// Whether the payload follows (the worker does not hold it).
    var payload = false
    /// End the worker loop; `failed` makes the worker exit non-zero.
    var stop = false
    /// The job failed (with `stop`).
    var failed = false
}

/// Rank 0's side of a client/server work pool over MPI, in the style of mpi4py.futures' worker
/// loop and with no domain inside it: tasks wait in a queue, each worker holds up to
/// ``slotsPerWorker`` (one running, one queued, so it never waits for rank 0 between tasks),
/// results and failures are picked up without blocking (probe, then receive), and payloads go
/// out with non-blocking sends (``Communicator/isend(_:to:tag:)``).
///
/// Tasks whose payload a worker already holds are preferred for it, and rank 0 mirrors each
/// worker's small payload cache (``heldPayloads``), so a payload crosses the network once per
/// worker and key, not once per task. The worker side is ``WorkerLoop``.
final class WorkPool {
    /// Tasks a worker holds at once.
    static let slotsPerWorker = 2
    /// Payloads a worker keeps (≥ slotsPerWorker, so a queued task's payload is never evicted).
    static let heldPayloads = 3

    let comm: Communicator
    /// Tasks ready to hand out and held by nobody, in order.
    private var pending: [PoolTask] = []
    /// Per rank: tasks handed out and not yet answered.
    private var outstanding: [[Int]]
    /// Per rank: the payload keys it holds, least recently used first.
    private var held: [[Int]]
    private var sends: [Request] = []

    /// A pool over the ranks of `comm` (rank 0 serves; with one rank there are no workers).
    init(comm: Communicator) {
        self.comm = comm
        outstanding = Array(repeating: [], count: comm.size)
        held = Array(repeating: [], count: comm.size)
    }

    /// Whether some worker holds a task.
    var isBusy: Bool { outstanding.contains { !$0.isEmpty } }

    /// Queues `tasks` (after those already waiting).
    func add(_ tasks: [PoolTask]) { pending += tasks }

    /// The last waiting task, for rank 0 to compute itself (workers keep taking the first ones).
    func takeForSelf() -> PoolTask? { pending.popLast() }

    /// Hands waiting tasks to workers with free slots. `payload` gives a key's payload.
    func fill(payload: (Int) throws -> [Float]) throws {
        guard comm.size > 1 else { return }
        for rank in 1..<comm.size {
            while outstanding[rank].count < Self.slotsPerWorker, !pending.isEmpty {
                try assign(choose(for: rank), to: rank, payload: payload)
            }
        }
    }

    /// Handles whatever has arrived (a worker's failure is thrown, results go to `result`),
    /// completes finished sends, and refills free slots; never waits.
    func service(payload: (Int) throws -> [Float], result: (Int, [Double]) throws -> Void) throws {
        guard comm.size > 1 else { return }
        while let info = try comm.iprobe(UInt8.self, from: Communicator.anySource, tag: PoolTag.failure) {
            let (bytes, _) = try comm.receive(UInt8.self, from: info.source, tag: PoolTag.failure)
            throw InfoPlaneError("rank \(info.source): " + String(decoding: bytes, as: UTF8.self))
        }
        while let info = try comm.iprobe(Double.self, from: Communicator.anySource, tag: PoolTag.result) {
            let (message, _) = try comm.receive(Double.self, from: info.source, tag: PoolTag.result)
            guard let first = message.first, let task = Int(exactly: first) else {
                throw InfoPlaneError("rank \(info.source) sent an empty result: all ranks must run the same infoplane build")
            }
            outstanding[info.source].removeAll { $0 == task }
            try result(task, Array(message.dropFirst()))
        }
        sends = try sends.filter { try !$0.test() }
        try fill(payload: payload)
    }

    /// Waits until any message arrives (a result or a failure).
    func waitForMessage() throws {
        _ = try comm.probe(UInt8.self, from: Communicator.anySource, tag: Communicator.anyTag)
    }

    /// Ends every worker's loop (`failed`: they exit non-zero) and waits for sends in flight.
    func stop(failed: Bool) {
        guard comm.size > 1 else { return }
        for rank in 1..<comm.size {
            try? comm.send(header: PoolOrder(task: -1, stop: true, failed: failed), to: rank, tag: PoolTag.order)
        }
        for request in sends { try? request.wait() }
        sends = []
    }

    /// The first waiting task whose payload `rank` holds, else the first waiting task.
    private func choose(for rank: Int) -> PoolTask {
        let position = pending.firstIndex { held[rank].contains($0.key) } ?? 0
        return pending.remove(at: position)
    }

    private func assign(_ task: PoolTask, to rank: Int, payload: (Int) throws -> [Float]) throws {
        let send = !held[rank].contains(task.key)
        held[rank].removeAll { $0 == task.key }
        held[rank].append(task.key)
        if held[rank].count > Self.heldPayloads { held[rank].removeFirst() }
        // Read before ordering: an order promising a payload that then fails to load would leave
        // the worker waiting for it instead of for the stop that follows the error.
        let values = send ? try payload(task.key) : nil
        try comm.send(header: PoolOrder(task: task.id, key: task.key, payload: send), to: rank, tag: PoolTag.order)
        if let values { sends.append(try comm.isend(values, to: rank, tag: PoolTag.payload)) }
        outstanding[rank].append(task.id)
    }
}
