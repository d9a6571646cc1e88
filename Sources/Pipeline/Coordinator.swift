import Analysis
import Cluster
import Support

/// Rank 0's role in an analysis: queues the items of each snapshot as it becomes available
/// (through the generic ``WorkPool``, which places snapshot-layers in each node's slots),
/// records the workers' values in the collector, carries out its own share of loads, and
/// computes batches itself when it has nothing else to do. The plan is the collector's (cut
/// there when training stops early); a task's key is its snapshot-layer (``AnalysisPlan/key(of:)``).
final class Coordinator {
    let collector: PlaneCollector
    let slots: LayerSlots
    private let comm: Communicator
    private let progress: AnalysisProgress
    private let pool: WorkPool
    private let makeLocalWorker: () -> SliceWorker
    private var localWorker: SliceWorker?
    private var localComputed = 0
    /// The first error met while training called ``serviceQuietly()``.
    private(set) var failure: Error?
    /// Snapshots already made available (a fresh run's epoch 0 is announced twice: on disk when
    /// the analysis starts, and by the trainer).
    private var available = Set<Int>()

    /// The plan being computed.
    var plan: AnalysisPlan { collector.plan }

    init(comm: Communicator, analysis: PreparedAnalysis, slots: LayerSlots, scheduler: LayerScheduler, progress: AnalysisProgress) {
        self.comm = comm
        collector = analysis.collector
        self.slots = slots
        self.progress = progress
        pool = WorkPool(comm: comm, scheduler: scheduler)
        makeLocalWorker = analysis.makeWorker
    }

    /// The snapshot at `epochIndex` can be analysed: queue its unfinished items (once).
    func snapshotAvailable(_ epochIndex: Int) throws {
        guard available.insert(epochIndex).inserted else { return }
        progress.started()
        try pool.add(plan.items(ofEpoch: epochIndex).filter { !collector.isDone($0) }.map { (id: $0, key: plan.key(of: $0)) })
    }

    /// During training, after each minibatch: handles whatever has arrived, hands out work, and
    /// carries out at most one of rank 0's loads; never waits for a worker. Errors are kept in
    /// ``failure`` (training cannot take them here).
    func serviceQuietly() {
        guard failure == nil else { return }
        do {
            try service()
            if let action = pool.takeLocal() { try carryOut(action) }
        } catch {
            failure = error
        }
    }

    /// After training (or at once for `analyze`): every snapshot is available; rank 0 computes
    /// batches too until all are done, then writes the final plane.
    func drain() throws {
        try pool.startComputingLocally()
        while !collector.isComplete {
            try service()
            if collector.isComplete { break }
            if let action = pool.takeLocal() {
                try carryOut(action)
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

    /// After a successful stop: every rank's work timing and loading (collective with the
    /// workers' ``AnalysisStart/serve(comm:nodes:)``), reported in the log.
    func reportWork() throws {
        let timings = try comm.gather((localWorker?.timing ?? [0, 0, 0]) + slots.loading + [comm.waitedSeconds], root: 0) ?? []
        progress.reportWork(timings)
    }

    /// The line `run` and `analyze` print at the end.
    var summaryLine: String {
        "\(collector.planePath): \(plan.layers.count) layers × \(plan.epochs.count) snapshots, \(plan.settings.slices) slices (also \(collector.csvPath))"
    }

    // MARK: - Internals

    private func service() throws {
        try pool.service(result: record) { rank, key, _ in try slots.send(key, to: rank, comm: comm) }
    }

    private func record(_ item: Int, _ values: [Double]) throws {
        let completedSnapshot = try collector.record(item: item, values: values)
        progress.update(collector: collector, snapshotDone: completedSnapshot != nil)
    }

    /// Rank 0's worker, made at its first load or batch (a `run` whose other ranks do all the
    /// work never needs one).
    private func ownWorker() -> SliceWorker {
        if let localWorker { return localWorker }
        let made = makeLocalWorker()
        localWorker = made
        return made
    }

    /// One of rank 0's own actions. Between the items of its batch it services the workers, so
    /// none waits long for its next order.
    private func carryOut(_ action: SchedulerAction) throws {
        switch action {
        case .load(_, let key, let slot, let part, let parts):
            try slots.load(key, slot: slot, part: part, parts: parts, worker: ownWorker())
            try pool.localLoaded(key: key, slot: slot)
        case .transfer:
            throw InfoPlaneError("rank 0 was asked to receive a snapshot-layer from itself")
        case .compute(_, let key, let slot, let tasks):
            try slots.compute(key, slot: slot, tasks: tasks, worker: ownWorker()) { task, values in
                try record(task, values)
                try pool.localFinished(task: task)
                localComputed += 1
                FaultInjection.itemFinished(count: localComputed, rank: 0)
                try service()
            }
        }
    }
}
