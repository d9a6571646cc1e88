import Analysis
import Cluster
import Estimators
import Foundation
import Support

/// Message tags of the pipeline.
enum PipelineTag {
    /// Rank 0 → worker: an ``Order`` (JSON).
    static let order = 1
    /// Rank 0 → worker: a layer's activations (float32, n × width), right after an order that says so.
    static let activations = 2
    /// Worker → rank 0: `[item] + values` (float64).
    static let result = 3
    /// Worker → rank 0: a one-line error (UTF-8).
    static let failure = 4
}

/// What rank 0 tells a worker.
struct Order: Codable {
    /// Item number, or −1 with `stop`.
    var item: Int
    /// Whether the activations follow (the worker does not hold them).
    var payload = false
    /// End the worker loop; `failed` makes the worker exit non-zero.
    var stop = false
    var failed = false
}

/// Rank 0's side of the pipeline: hands out items as snapshots become available, receives
/// values, feeds the collector, and computes items itself when it has nothing else to do.
///
/// Every worker holds up to two items (one running, one queued), so it never waits for rank 0
/// between items. Items whose activations a worker already holds are preferred for it, and rank 0
/// mirrors each worker's small activation cache, so a layer's activations cross the network once
/// per worker and snapshot-layer, not once per item.
final class Coordinator {
    let comm: Communicator
    private(set) var plan: AnalysisPlan
    let collector: PlaneCollector
    let source: ActivationCache
    let progress: AnalysisProgress
    private let makeLocalWorker: () throws -> SliceWorker
    private var localWorker: SliceWorker?
    private var localHeld: (key: [Int], values: [Float])?
    /// Items whose snapshot is available and that nobody holds, ascending.
    private var pending: [Int] = []
    private var outstanding: [[Int]]
    private var held: [[[Int]]]
    private var sends: [Request] = []
    private(set) var failure: Error?
    private var localComputed = 0

    static let slotsPerWorker = 2
    /// Activation matrices a worker keeps (≥ slotsPerWorker, so a queued item's are never evicted).
    static let heldCapacity = 3

    init(comm: Communicator, plan: AnalysisPlan, collector: PlaneCollector, source: ActivationCache,
         progress: AnalysisProgress, makeLocalWorker: @escaping () throws -> SliceWorker) {
        self.comm = comm
        self.plan = plan
        self.collector = collector
        self.source = source
        self.progress = progress
        self.makeLocalWorker = makeLocalWorker
        outstanding = Array(repeating: [], count: comm.size)
        held = Array(repeating: [], count: comm.size)
    }

    /// The snapshot at `epochIndex` can be analysed: queue its unfinished items.
    func snapshotAvailable(_ epochIndex: Int) throws {
        pending += plan.items(ofEpoch: epochIndex).filter { !collector.isDone($0) }
        try assignFreeSlots()
    }

    /// Handles whatever has arrived and refills free worker slots; never waits. Errors are kept
    /// in ``failure`` (training calls this from a non-throwing hook).
    func serviceQuietly() {
        guard failure == nil else { return }
        do { try service() } catch { failure = error }
    }

    func service() throws {
        guard comm.size > 1 else { return }
        while let info = try comm.iprobe(UInt8.self, from: Communicator.anySource, tag: PipelineTag.failure) {
            let (bytes, _) = try comm.receive(UInt8.self, from: info.source, tag: PipelineTag.failure)
            throw InfoPlaneError("rank \(info.source): " + String(decoding: bytes, as: UTF8.self))
        }
        while let info = try comm.iprobe(Double.self, from: Communicator.anySource, tag: PipelineTag.result) {
            let (message, _) = try comm.receive(Double.self, from: info.source, tag: PipelineTag.result)
            guard let first = message.first, let item = Int(exactly: first) else {
                throw InfoPlaneError("rank \(info.source) sent an empty result: all ranks must run the same infoplane build")
            }
            outstanding[info.source].removeAll { $0 == item }
            try record(item, Array(message.dropFirst()))
        }
        sends = try sends.filter { try !$0.test() }
        try assignFreeSlots()
    }

    /// After training (or at once for `analyze`): every snapshot is available; rank 0 computes
    /// items too until all are done, then stops the workers.
    func drain() throws {
        while !collector.isComplete {
            try service()
            if collector.isComplete { break }
            if let item = pending.popLast() {
                try computeLocally(item)
            } else if outstanding.contains(where: { !$0.isEmpty }) {
                // Nothing left to hand out: wait for any message (a result or a failure).
                _ = try comm.probe(UInt8.self, from: Communicator.anySource, tag: Communicator.anyTag)
            } else {
                throw InfoPlaneError("the analysis stopped with \(plan.itemCount - collector.completedItems) items whose snapshots never arrived: rerun with --resume")
            }
        }
        try collector.finish()
    }

    /// Training stopped early: only the first `count` snapshot epochs will ever be available.
    func truncate(toEpochs count: Int) throws {
        try collector.truncate(toEpochs: count)
        plan = collector.plan
    }

    /// Ends every worker's loop (`failed`: they exit non-zero) and waits for sends in flight.
    func stopWorkers(failed: Bool) {
        guard comm.size > 1 else { return }
        for rank in 1..<comm.size {
            try? comm.send(header: Order(item: -1, stop: true, failed: failed), to: rank, tag: PipelineTag.order)
        }
        for request in sends { try? request.wait() }
        sends = []
    }

    // MARK: - Internals

    private func record(_ item: Int, _ values: [Double]) throws {
        let completedSnapshot = try collector.record(item: item, values: values)
        progress.update(collector: collector, snapshotDone: completedSnapshot != nil)
    }

    private func assignFreeSlots() throws {
        guard comm.size > 1 else { return }
        for rank in 1..<comm.size {
            while outstanding[rank].count < Self.slotsPerWorker, !pending.isEmpty {
                try assign(choose(for: rank), to: rank)
            }
        }
    }

    /// The first pending item whose activations `rank` holds, else the first pending item.
    private func choose(for rank: Int) -> Int {
        let keys = held[rank]
        let position = pending.firstIndex { keys.contains(key(of: $0)) } ?? 0
        return pending.remove(at: position)
    }

    private func key(of item: Int) -> [Int] {
        let w = plan.item(item)
        return [w.epochIndex, w.layerIndex]
    }

    private func assign(_ item: Int, to rank: Int) throws {
        let k = key(of: item)
        let payload = !held[rank].contains(k)
        held[rank].removeAll { $0 == k }
        held[rank].append(k)
        if held[rank].count > Self.heldCapacity { held[rank].removeFirst() }
        // Read before ordering: an order promising activations that then fail to load would leave
        // the worker waiting for them instead of for the stop that follows the error.
        let values = payload ? try source.activations(epoch: plan.epochs[k[0]], layer: plan.layers[k[1]]) : nil
        try comm.send(header: Order(item: item, payload: payload), to: rank, tag: PipelineTag.order)
        if let values { sends.append(try comm.isend(values, to: rank, tag: PipelineTag.activations)) }
        outstanding[rank].append(item)
    }

    private func computeLocally(_ item: Int) throws {
        if localWorker == nil { localWorker = try makeLocalWorker() }
        let k = key(of: item)
        if localHeld?.key != k {
            localHeld = (k, try source.activations(epoch: plan.epochs[k[0]], layer: plan.layers[k[1]]))
        }
        let values = localWorker!.compute(plan.item(item), of: plan, activations: localHeld!.values)
        try record(item, values)
        localComputed += 1
        FaultInjection.itemFinished(count: localComputed, rank: 0)
    }
}

/// A worker rank's loop: receive orders (and activations) from rank 0, compute, send values.
enum WorkerLoop {
    /// Returns when told to stop: true if the job succeeded.
    static func run(comm: Communicator, plan: AnalysisPlan, worker: SliceWorker) throws -> Bool {
        var queue: [Int] = []
        var held: [(key: [Int], values: [Float])] = []
        var computed = 0
        var results: [Request] = []
        // Rank 0 has every result when it says stop, so the sends are complete by then.
        defer { for request in results { try? request.wait() } }
        while true {
            // Take every order that has arrived; wait for one only when there is nothing to do.
            while try queue.isEmpty || comm.iprobe(UInt8.self, from: 0, tag: PipelineTag.order) != nil {
                let (order, _) = try comm.receiveHeader(Order.self, from: 0, tag: PipelineTag.order)
                if order.stop { return !order.failed }
                let w = plan.item(order.item)
                let key = [w.epochIndex, w.layerIndex]
                if order.payload {
                    let (values, _) = try comm.receive(Float.self, from: 0, tag: PipelineTag.activations)
                    held.removeAll { $0.key == key }
                    held.append((key, values))
                    if held.count > Coordinator.heldCapacity { held.removeFirst() }
                } else if let index = held.firstIndex(where: { $0.key == key }) {
                    held.append(held.remove(at: index))
                }
                queue.append(order.item)
            }
            let item = queue.removeFirst()
            let w = plan.item(item)
            guard let activations = held.first(where: { $0.key == [w.epochIndex, w.layerIndex] })?.values else {
                try comm.send(Array("item \(item) arrived without its activations: all ranks must run the same infoplane build".utf8),
                              to: 0, tag: PipelineTag.failure)
                continue
            }
            let values = worker.compute(w, of: plan, activations: activations)
            // Non-blocking: a blocking send waits until rank 0 next enters MPI (measured ~40 ms,
            // while it computes an item of its own), which cost the worker a sixth of its time.
            results.append(try comm.isend([Double(item)] + values, to: 0, tag: PipelineTag.result))
            results = try results.filter { try !$0.test() }
            computed += 1
            FaultInjection.itemFinished(count: computed, rank: comm.rank)
        }
    }
}
