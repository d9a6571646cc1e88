import Analysis
import Cluster
import Support

/// Rank 0's role in an analysis: hands items to the workers as snapshots become available
/// (through the generic ``WorkPool``), records their values in the collector, and computes items
/// itself when it has nothing else to do. The plan is the collector's (cut there when training
/// stops early); a payload key is a snapshot-layer, `epochIndex · L + layerIndex`.
final class Coordinator {
    let collector: PlaneCollector
    let activations: ActivationCache
    private let progress: AnalysisProgress
    private let pool: WorkPool
    private let makeLocalWorker: () -> SliceWorker
    private var localWorker: SliceWorker?
    private var localHeld: (key: Int, values: [Float])?
    private var localComputed = 0
    /// The first error met while training called ``serviceQuietly()``.
    private(set) var failure: Error?

    /// The plan being computed.
    var plan: AnalysisPlan { collector.plan }

    init(comm: Communicator, analysis: PreparedAnalysis, progress: AnalysisProgress) {
        collector = analysis.collector
        activations = analysis.activations
        self.progress = progress
        pool = WorkPool(comm: comm)
        makeLocalWorker = analysis.makeWorker
    }

    /// The snapshot at `epochIndex` can be analysed: queue its unfinished items.
    func snapshotAvailable(_ epochIndex: Int) throws {
        pool.add(plan.items(ofEpoch: epochIndex).filter { !collector.isDone($0) }.map { PoolTask(id: $0, key: key(of: $0)) })
        try pool.fill(payload: payload)
    }

    /// Handles whatever has arrived and refills free worker slots; never waits. Errors are kept
    /// in ``failure`` (training calls this after every minibatch, where it cannot throw).
    func serviceQuietly() {
        guard failure == nil else { return }
        do { try pool.service(payload: payload, result: record) } catch { failure = error }
    }

    /// After training (or at once for `analyze`): every snapshot is available; rank 0 computes
    /// items too until all are done, then writes the final plane.
    func drain() throws {
        while !collector.isComplete {
            try pool.service(payload: payload, result: record)
            if collector.isComplete { break }
            if let task = pool.takeForSelf() {
                try computeLocally(task)
            } else if pool.isBusy {
                try pool.waitForMessage()
            } else {
                // A resume cannot help: the run file lacks these snapshots for good.
                let missing = plan.epochs.indices.filter { !collector.completeEpochs[$0] }.map { String(plan.epochs[$0]) }
                throw InfoPlaneError("the run file has no snapshot at epoch \(missing.joined(separator: ", ")) of the analysis plan: retrain with --force, or analyze the snapshots it has with infoplane analyze --epochs")
            }
        }
        try collector.finish()
    }

    /// Training stopped early: only the first `count` snapshot epochs will ever be available.
    func truncate(toEpochs count: Int) throws { try collector.truncate(toEpochs: count) }

    /// Ends every worker's loop (`failed`: they exit non-zero).
    func stopWorkers(failed: Bool) { pool.stop(failed: failed) }

    /// The line `run` and `analyze` print at the end.
    var summaryLine: String {
        "\(collector.planePath): \(plan.layers.count) layers × \(plan.epochs.count) snapshots, \(plan.settings.slices) slices (also \(collector.csvPath))"
    }

    // MARK: - Internals

    private func key(of item: Int) -> Int {
        let w = plan.item(item)
        return w.epochIndex * plan.layers.count + w.layerIndex
    }

    private func payload(_ key: Int) throws -> [Float] {
        try activations.activations(epoch: plan.epochs[key / plan.layers.count], layer: plan.layers[key % plan.layers.count])
    }

    private func record(_ item: Int, _ values: [Double]) throws {
        let completedSnapshot = try collector.record(item: item, values: values)
        progress.update(collector: collector, snapshotDone: completedSnapshot != nil)
    }

    private func computeLocally(_ task: PoolTask) throws {
        if localWorker == nil { localWorker = makeLocalWorker() }
        if localHeld?.key != task.key { localHeld = (task.key, try payload(task.key)) }
        try record(task.id, localWorker!.compute(plan.item(task.id), of: plan, activations: localHeld!.values))
        localComputed += 1
        FaultInjection.itemFinished(count: localComputed, rank: 0)
    }
}
