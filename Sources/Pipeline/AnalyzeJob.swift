import Analysis
import Cluster
import Support

/// `infoplane analyze` (the sliced plane) on every rank: rank 0 decides the plan from the run
/// file and announces it; then rank 0 coordinates and collects while every rank computes items.
public enum AnalyzeJob {
    /// Runs on every rank; returns rank 0's summary line (nil on other ranks).
    public static func run(_ request: AnalyzeRequest, comm: Communicator) throws -> String? {
        guard comm.rank == 0 else {
            try AnalysisStart.serve(comm: comm)
            return nil
        }
        let analysis: PreparedAnalysis
        do {
            analysis = try PreparedAnalysis.analyze(request, ranks: comm.size)
        } catch {
            AnalysisStart.fail(error, comm: comm)
            throw ReportedFailure()
        }
        try AnalysisStart.announce(analysis, comm: comm)
        let log = ProgressLog(quiet: request.quiet)
        let plan = analysis.plan, collector = analysis.collector
        log("analyze: \(analysis.activations.reader.path): \(plan.layers.count) layers × \(plan.epochs.count) snapshots × \(plan.settings.slices) slices "
            + "(k = \(plan.settings.k), seed \(plan.settings.seed)), \(plan.itemCount - collector.completedItems) of \(plan.itemCount) items to do on \(comm.size) rank(s) → \(collector.planePath)")
        let coordinator = Coordinator(comm: comm, analysis: analysis, progress: AnalysisProgress(log: log))
        do {
            for e in plan.epochs.indices { try coordinator.snapshotAvailable(e) }
            try coordinator.drain()
        } catch {
            RankZero.report(error)
            coordinator.stopWorkers(failed: true)
            throw ReportedFailure()
        }
        coordinator.stopWorkers(failed: false)
        return coordinator.summaryLine
    }
}
