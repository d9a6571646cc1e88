import Cluster
import Support

/// A worker rank's side of the ``WorkPool``: receive orders (and payloads) from rank 0, compute,
/// send the values back, until told to stop. No domain in here: what a task means is the
/// `compute` closure's business.
enum WorkerLoop {
    /// Serves tasks until rank 0 says stop; returns true if the job succeeded.
    /// - Parameter compute: a task's values from its number and its payload.
    static func serve(comm: Communicator, compute: (_ task: Int, _ payload: [Float]) -> [Double]) throws -> Bool {
        var queue: [PoolOrder] = []
        var held: [(key: Int, values: [Float])] = []
        var computed = 0
        var results: [Request] = []
        // Rank 0 has every result when it says stop, so the sends are complete by then.
        defer { for request in results { try? request.wait() } }
        while true {
            // Take every order that has arrived; wait for one only when there is nothing to do.
            while try queue.isEmpty || comm.iprobe(UInt8.self, from: 0, tag: PoolTag.order) != nil {
                let (order, _) = try comm.receiveHeader(PoolOrder.self, from: 0, tag: PoolTag.order)
                if order.stop { return !order.failed }
                try take(order, into: &held, comm: comm)
                queue.append(order)
            }
            let order = queue.removeFirst()
            guard let payload = held.first(where: { $0.key == order.key })?.values else {
                try comm.send(Array("task \(order.task) arrived without its payload: all ranks must run the same infoplane build".utf8),
                              to: 0, tag: PoolTag.failure)
                continue
            }
            let values = compute(order.task, payload)
            // Non-blocking: a blocking send waits until rank 0 next enters MPI (measured ~40 ms,
            // while it computes a task of its own), which cost the worker a sixth of its time.
            results.append(try comm.isend([Double(order.task)] + values, to: 0, tag: PoolTag.result))
            results = try results.filter { try !$0.test() }
            computed += 1
            FaultInjection.itemFinished(count: computed, rank: comm.rank)
        }
    }

    /// Receives the order's payload if it comes with one; keeps the last ``WorkPool/heldPayloads``
    /// (as rank 0's mirror of this worker assumes), most recently used last.
    private static func take(_ order: PoolOrder, into held: inout [(key: Int, values: [Float])], comm: Communicator) throws {
        if order.payload {
            let (values, _) = try comm.receive(Float.self, from: 0, tag: PoolTag.payload)
            held.removeAll { $0.key == order.key }
            held.append((order.key, values))
            if held.count > WorkPool.heldPayloads { held.removeFirst() }
        } else if let index = held.firstIndex(where: { $0.key == order.key }) {
            held.append(held.remove(at: index))
        }
    }
}
