import Analysis
import Cluster
import Files
import Foundation
import Support

/// What rank 0 announces when an analysis starts: the plan, where each snapshot-layer is read,
/// and who reads it.
struct AnalysisAnnouncement: Codable {
    var plan: AnalysisPlan
    var source: LayerSource
    /// `run`: the computing ranks of rank 0's node read their shares of each published
    /// snapshot-layer, and rank 0 (the writer of the run file) reads and sends them to any other
    /// node (``LoadPolicy/rankZeroReads``); `analyze`: the ranks of each node read their shares.
    var rankZeroReads: Bool
    /// Threads per rank for a batch's projections.
    var threads: Int
}

/// The nodes of a job: this rank's node communicator and every rank's node.
struct JobNodes {
    let node: Communicator
    let layout: NodeLayout

    /// Splits `comm` by node (collective: every rank calls it first).
    init(comm: Communicator) throws {
        node = try comm.splitByNode()
        layout = try comm.nodeLayout(node: node)
    }

    /// Ranks on the fullest node.
    var ranksOnFullestNode: Int { layout.nodes.map(\.count).max() ?? 1 }
}

/// How an analysis starts on every rank of `run` and `analyze`: rank 0 announces the plan (or
/// the error that ends the job) and the evaluation set; every node then allocates its shared
/// window; the other ranks serve orders until told to stop.
enum AnalysisStart {
    /// Rank 0: the announcement, the evaluation inputs, the labels or targets, then the window;
    /// returns the coordinator (``finish(_:)`` ends it).
    static func announce(_ analysis: PreparedAnalysis, rankZeroReads: Bool, nodes: JobNodes, comm: Communicator,
                         progress: AnalysisProgress) throws -> Coordinator {
        let plan = analysis.plan
        try RankZero.announce(AnalysisAnnouncement(plan: plan, source: analysis.source, rankZeroReads: rankZeroReads,
                                                       threads: analysis.threads), comm: comm)
        var inputs = analysis.inputs
        try comm.broadcast(&inputs, root: 0)
        _ = try broadcast(analysis.targets, plan: plan, comm: comm)
        let slots = try openSlots(plan: plan, source: analysis.source, nodes: nodes, comm: comm, rankZeroReads: rankZeroReads)
        let scheduler = LayerScheduler(layout: nodes.layout, slotsPerNode: slots.count, policy: rankZeroReads ? .rankZeroReads : .nodeRanksRead,
                                       computing: Set(1..<comm.size))
        return Coordinator(comm: comm, analysis: analysis, slots: slots, scheduler: scheduler, progress: progress)
    }

    /// Rank 0: the analysis could not start; `error` is printed and every rank stops.
    static func fail(_ error: Error, comm: Communicator) {
        RankZero.fail(error, comm: comm, as: AnalysisAnnouncement.self)
    }

    /// Rank 0, after the last item: stops the workers and frees the node's window with them.
    static func finish(_ coordinator: Coordinator) throws {
        coordinator.stopWorkers(failed: false)
        try coordinator.reportWork()
        coordinator.slots.close()
    }

    /// Ranks 1…P−1: wait for the start, then carry out orders until told to stop. Throws
    /// ``ReportedFailure`` when the job failed (rank 0 reported why).
    static func serve(comm: Communicator, nodes: JobNodes) throws {
        let start: AnalysisAnnouncement = try RankZero.receive(comm)
        let plan = start.plan
        var inputs: [Float] = []
        try comm.broadcast(&inputs, root: 0)
        let targets = try broadcast(nil, plan: plan, comm: comm)
        let slots = try openSlots(plan: plan, source: start.source, nodes: nodes, comm: comm, rankZeroReads: start.rankZeroReads)
        let worker = SliceWorker(settings: plan.settings, inputs: inputs, features: plan.features, targets: targets)
        worker.threads = start.threads
        inputs = []
        let actions = WorkerActions(
            load: { key, slot, part, parts in try slots.load(key, slot: slot, part: part, parts: parts, worker: worker) },
            receive: { key, slot in try slots.receive(key, slot: slot, comm: comm, worker: worker) },
            compute: { key, slot, tasks, report in try slots.compute(key, slot: slot, tasks: tasks, worker: worker, report: report) })
        guard try WorkerLoop.serve(comm: comm, actions: actions) else { throw ReportedFailure() }
        _ = try comm.gather(worker.timing + slots.loading + [comm.waitedSeconds], root: 0)
        slots.close()
    }

    /// Every rank: the node's window, as many slots as the fullest node needs
    /// (``AnalysisMemory/windowLayout(plan:ranksOnNode:ranksRead:)``); every rank learns whether
    /// all windows were made (a rank that could not says why).
    private static func openSlots(plan: AnalysisPlan, source: LayerSource, nodes: JobNodes, comm: Communicator,
                                  rankZeroReads: Bool) throws -> LayerSlots {
        let layout = AnalysisMemory.windowLayout(plan: plan, ranksOnNode: nodes.ranksOnFullestNode, ranksRead: !rankZeroReads)
        var slots: LayerSlots?
        do {
            slots = try LayerSlots(plan: plan, source: source, node: nodes.node, count: layout.slots, rowWidth: layout.rowWidth,
                                   stagedWidth: AnalysisMemory.stagedRows(plan: plan, ranksRead: !rankZeroReads))
        } catch {
            FileHandle.standardError.write(Data("Error: \(comm.rank == 0 ? "" : "rank \(comm.rank): ")\(error)\n".utf8))
        }
        try EnsembleJob.agree(slots != nil, comm: comm)
        return slots!
    }

    /// Rank 0 sends its targets; every other rank receives the kind `plan` announces.
    private static func broadcast(_ targets: EvaluationTargets?, plan: AnalysisPlan, comm: Communicator) throws -> EvaluationTargets {
        if plan.targetWidth == 0 {
            var labels = targets?.classLabels ?? []
            try comm.broadcast(&labels, root: 0)
            return .labels(labels)
        }
        var values: [Double] = []
        if case .continuous(let mine, _) = targets { values = mine }
        try comm.broadcast(&values, root: 0)
        return .continuous(values, width: plan.targetWidth)
    }
}
