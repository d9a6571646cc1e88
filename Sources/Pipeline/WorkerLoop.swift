import Cluster
import Support

/// What a worker does with each order; no MPI message of the pool in here (``WorkerLoop``
/// sends the reports).
struct WorkerActions {
    /// Reads part `part` of `parts` of `key` into `slot` of the node's window.
    var load: (_ key: Int, _ slot: Int, _ part: Int, _ parts: Int) throws -> Void
    /// Receives `key` from rank 0 into `slot` (after the loop said it is ready).
    var receive: (_ key: Int, _ slot: Int) throws -> Void
    /// Computes `tasks` of `key` from `slot`, handing each task's values to `report` as they come.
    var compute: (_ key: Int, _ slot: Int, _ tasks: [Int], _ report: (Int, [Double]) throws -> Void) throws -> Void
}

/// A worker rank's side of the ``WorkPool``: receive orders from rank 0, carry them out (loads
/// before computations, since the other ranks of the node wait for a load), and report, until
/// told to stop. No domain in here: what a key or a task means is the actions' business.
enum WorkerLoop {
    /// Serves orders until rank 0 says stop; returns true if the job succeeded. An action that
    /// throws is reported to rank 0 as the job's failure; the loop then waits for the stop.
    static func serve(comm: Communicator, actions: WorkerActions) throws -> Bool {
        var queue: [PoolOrder] = []
        var computed = 0
        var sends: [Request] = []
        var failed = false
        // Rank 0 has every report when it says stop, so the sends are complete by then.
        defer { for request in sends { try? request.wait() } }
        while true {
            // Take every order that has arrived; wait for one only when there is nothing to do.
            while try queue.isEmpty || comm.iprobe(UInt8.self, from: 0, tag: PoolTag.order) != nil {
                _ = try comm.waitPolitely(UInt8.self, from: 0, tag: PoolTag.order)
                let (order, _) = try comm.receiveHeader(PoolOrder.self, from: 0, tag: PoolTag.order)
                if order.kind == .stop { return !order.failed }
                if !failed { queue.append(order) }
            }
            let next = queue.firstIndex { $0.kind != .compute } ?? 0
            let order = queue.remove(at: next)
            do {
                try carryOut(order, actions: actions, comm: comm, sends: &sends, computed: &computed)
            } catch {
                // Rank 0 stops the job on this line; keep reading orders until it does.
                try comm.send(Array("\(error)".utf8), to: 0, tag: PoolTag.failure)
                failed = true
                queue = []
            }
            sends = try sends.filter { try !$0.test() }
        }
    }

    private static func carryOut(_ order: PoolOrder, actions: WorkerActions, comm: Communicator, sends: inout [Request], computed: inout Int) throws {
        switch order.kind {
        case .load:
            try actions.load(order.key, order.slot, order.part, order.parts)
            sends.append(try comm.isend([Int64(order.key), Int64(order.slot)], to: 0, tag: PoolTag.loaded))
        case .transfer:
            try comm.send([Int64(order.key), Int64(order.slot)], to: 0, tag: PoolTag.ready)
            try actions.receive(order.key, order.slot)
            sends.append(try comm.isend([Int64(order.key), Int64(order.slot)], to: 0, tag: PoolTag.loaded))
        case .compute:
            try actions.compute(order.key, order.slot, order.tasks) { task, values in
                // Non-blocking: a blocking send waits until rank 0 next enters MPI (it may be
                // computing a batch of its own), which cost the worker a sixth of its time.
                sends.append(try comm.isend([Double(task)] + values, to: 0, tag: PoolTag.result))
                computed += 1
                FaultInjection.itemFinished(count: computed, rank: comm.rank)
            }
        case .stop:
            break
        }
    }
}
