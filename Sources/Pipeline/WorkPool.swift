import Cluster
import Foundation
import Support

/// Message tags of the pool.
enum PoolTag {
    /// Rank 0 → worker: a ``PoolOrder`` (JSON).
    static let order = 1
    /// Rank 0 → worker: rows of a transferred key (float32, in pieces).
    static let rows = 2
    /// Worker → rank 0: `[task] + values` (float64).
    static let result = 3
    /// Worker → rank 0: a one-line error (UTF-8).
    static let failure = 4
    /// Worker → rank 0: `[key, slot]` (int64): a part of the key is in the slot.
    static let loaded = 5
    /// Worker → rank 0: `[key, slot]` (int64): waiting for a transfer's rows.
    static let ready = 6
}

/// What rank 0 tells a worker.
struct PoolOrder: Codable, Equatable {
    enum Kind: String, Codable {
        case load, transfer, compute, stop
    }

    var kind: Kind
    var key = 0
    var slot = 0
    /// `load`: which part of how many.
    var part = 0
    var parts = 1
    /// `compute`: the tasks.
    var tasks: [Int] = []
    /// `stop`: the job failed (the worker exits non-zero).
    var failed = false

    /// The order that carries out `action`.
    init(_ action: SchedulerAction) {
        switch action {
        case .load(_, let key, let slot, let part, let parts): self.init(kind: .load, key: key, slot: slot, part: part, parts: parts)
        case .transfer(_, let key, let slot): self.init(kind: .transfer, key: key, slot: slot)
        case .compute(_, let key, let slot, let tasks): self.init(kind: .compute, key: key, slot: slot, tasks: tasks)
        }
    }

    init(kind: Kind, key: Int = 0, slot: Int = 0, part: Int = 0, parts: Int = 1, tasks: [Int] = [], failed: Bool = false) {
        self.kind = kind
        self.key = key
        self.slot = slot
        self.part = part
        self.parts = parts
        self.tasks = tasks
        self.failed = failed
    }
}

/// Rank 0's side of a client/server work pool over MPI, in the style of mpi4py.futures' worker
/// loop and with no domain inside it: tasks need the data of a key, which a ``LayerScheduler``
/// places in the slots of each node's shared memory; orders go out to the ranks, and results,
/// load reports and failures are picked up without blocking (probe, then receive). Rank 0's own
/// actions (its share of loads, its batches) wait in ``local`` for the coordinator.
/// The worker side is ``WorkerLoop``.
final class WorkPool {
    let comm: Communicator
    private(set) var scheduler: LayerScheduler
    /// Rank 0's own actions, in the order given.
    private(set) var local: [SchedulerAction] = []
    private var sends: [Request] = []

    /// A pool over the ranks of `comm`, placing keys as `scheduler` decides.
    init(comm: Communicator, scheduler: LayerScheduler) {
        self.comm = comm
        self.scheduler = scheduler
    }

    /// Whether any rank is loading or computing.
    var isBusy: Bool { scheduler.isBusy }

    /// Queues `tasks` and hands out what can start.
    func add(_ tasks: [(id: Int, key: Int)]) throws {
        scheduler.add(tasks)
        try dispatch()
    }

    /// Rank 0 takes batches too from now on.
    func startComputingLocally() throws {
        scheduler.startComputing(0)
        try dispatch()
    }

    /// Takes rank 0's next action: loads first (the other ranks of its node wait for them).
    func takeLocal() -> SchedulerAction? {
        guard let index = local.firstIndex(where: { if case .compute = $0 { false } else { true } }) ?? local.indices.first else { return nil }
        return local.remove(at: index)
    }

    /// Rank 0 loaded its part of `key` into `slot`.
    func localLoaded(key: Int, slot: Int) throws {
        try scheduler.loaded(rank: 0, key: key, slot: slot)
        try dispatch()
    }

    /// Rank 0 finished task `task` (its values are recorded by the caller).
    func localFinished(task: Int) throws {
        try scheduler.finished(task: task, rank: 0)
        try dispatch()
    }

    /// Handles whatever has arrived — a failure is thrown, results go to `result`, a worker
    /// waiting for a transfer gets it from `transfer` — then hands out what can start. Never waits.
    func service(result: (Int, [Double]) throws -> Void, transfer: (_ rank: Int, _ key: Int, _ slot: Int) throws -> Void) throws {
        guard comm.size > 1 else { return try dispatch() }
        while let info = try comm.iprobe(UInt8.self, from: Communicator.anySource, tag: PoolTag.failure) {
            let (bytes, _) = try comm.receive(UInt8.self, from: info.source, tag: PoolTag.failure)
            throw InfoPlaneError("rank \(info.source): " + String(decoding: bytes, as: UTF8.self))
        }
        while let info = try comm.iprobe(Double.self, from: Communicator.anySource, tag: PoolTag.result) {
            let (message, _) = try comm.receive(Double.self, from: info.source, tag: PoolTag.result)
            guard let first = message.first, let task = Int(exactly: first) else {
                throw InfoPlaneError("rank \(info.source) sent an empty result: all ranks must run the same infoplane build")
            }
            try scheduler.finished(task: task, rank: info.source)
            try result(task, Array(message.dropFirst()))
        }
        while let (rank, key, slot) = try report(PoolTag.loaded) { try scheduler.loaded(rank: rank, key: key, slot: slot) }
        while let (rank, key, slot) = try report(PoolTag.ready) { try transfer(rank, key, slot) }
        sends = try sends.filter { try !$0.test() }
        try dispatch()
    }

    /// Waits until any message arrives (without spinning a core).
    func waitForMessage() throws {
        _ = try comm.waitPolitely(UInt8.self, from: Communicator.anySource, tag: Communicator.anyTag)
    }

    /// Ends every worker's loop (`failed`: they exit non-zero) and waits for sends in flight.
    func stop(failed: Bool) {
        guard comm.size > 1 else { return }
        for rank in 1..<comm.size {
            try? comm.send(header: PoolOrder(kind: .stop, failed: failed), to: rank, tag: PoolTag.order)
        }
        for request in sends { try? request.wait() }
        sends = []
    }

    /// A `[key, slot]` report with `tag`, if one has arrived.
    private func report(_ tag: Int) throws -> (rank: Int, key: Int, slot: Int)? {
        guard let info = try comm.iprobe(Int64.self, from: Communicator.anySource, tag: tag) else { return nil }
        let (values, _) = try comm.receive(Int64.self, from: info.source, tag: tag)
        guard values.count == 2 else { throw InfoPlaneError("rank \(info.source) sent a malformed report: all ranks must run the same infoplane build") }
        return (info.source, Int(values[0]), Int(values[1]))
    }

    /// Sends the scheduler's new actions to their ranks; rank 0's go to ``local``.
    private func dispatch() throws {
        for action in scheduler.schedule() {
            if action.rank == 0 {
                local.append(action)
            } else {
                let bytes = [UInt8](try JSONEncoder().encode(PoolOrder(action)))
                sends.append(try comm.isend(bytes, to: action.rank, tag: PoolTag.order))
            }
        }
    }
}
