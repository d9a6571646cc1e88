import Analysis
import Cluster
import Estimators
import Support

/// `infoplane analyze` (the sliced plane) on every rank: rank 0 decides the plan from the run
/// file and announces it; then every rank reads its share of each snapshot-layer into its node's
/// window and computes batches, while rank 0 also coordinates and collects.
public enum AnalyzeJob {
    /// Runs on every rank; returns rank 0's summary line (nil on other ranks).
    public static func run(_ request: AnalyzeRequest, comm: Communicator) throws -> String? {
        var request = request
        if let window = request.poolEpochs {
            // Rank 0 writes the pooled run file; then every rank analyses it like any run.
            request.out = request.planePath
            request.runPath = try RankZero.decide(comm) { try EpochPool.prepare(request, window: window) }
        }
        // One OpenBLAS thread per GEMM whatever the environment says: OpenBLAS's own threads
        // change the last bits; `--blas-threads` runs GEMMs side by side instead.
        BLASThreads.set(1)
        let nodes = try JobNodes(comm: comm)
        guard comm.rank == 0 else {
            try AnalysisStart.serve(comm: comm, nodes: nodes)
            return nil
        }
        let analysis: PreparedAnalysis
        do {
            analysis = try PreparedAnalysis.analyze(request, ranks: comm.size, ranksOnNode: nodes.ranksOnFullestNode)
        } catch {
            AnalysisStart.fail(error, comm: comm)
            throw ReportedFailure()
        }
        let log = ProgressLog(quiet: request.quiet)
        if let note = analysis.plan.idleRanksNote(ranks: comm.size) { StandardError.progress(note + "\n") }
        let coordinator = try AnalysisStart.announce(analysis, rankZeroReads: false, nodes: nodes, comm: comm,
                                                     progress: AnalysisProgress(log: log, ranks: comm.size))
        let plan = analysis.plan, collector = analysis.collector
        log("analyze: \(analysis.reader.path): \(plan.layers.count) layers × \(plan.epochs.count) snapshots × \(plan.settings.slices) slices "
            + "(k = \(plan.settings.k), seed \(plan.settings.seed), n = \(plan.samples)), \(plan.itemCount - collector.completedItems) of \(plan.itemCount) items to do on "
            + "\(comm.size) rank(s) of \(nodes.layout.nodes.count) node(s), \(analysis.memory.summary) → \(collector.planePath)")
        if let note = BLASKernels.note { log(note) }
        do {
            for e in plan.epochs.indices { try coordinator.snapshotAvailable(e) }
            try coordinator.drain()
        } catch {
            RankZero.report(error)
            coordinator.stopWorkers(failed: true)
            throw ReportedFailure()
        }
        try AnalysisStart.finish(coordinator)
        return coordinator.summaryLine
    }
}
