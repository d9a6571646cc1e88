import Analysis
import Cluster
import Files

/// How an analysis starts on every rank of `run` and `analyze`: rank 0 announces the plan (or
/// the error that ends the job) and the evaluation set; the other ranks receive them and serve
/// work items until told to stop.
enum AnalysisStart {
    /// Rank 0: the plan, then the evaluation inputs, then the labels or targets.
    static func announce(_ analysis: PreparedAnalysis, comm: Communicator) throws {
        try RankZero.announce(analysis.plan, comm: comm)
        var inputs = analysis.inputs
        try comm.broadcast(&inputs, root: 0)
        _ = try broadcast(analysis.targets, plan: analysis.plan, comm: comm)
    }

    /// Rank 0: the analysis could not start; `error` is printed and every rank stops.
    static func fail(_ error: Error, comm: Communicator) {
        RankZero.fail(error, comm: comm, as: AnalysisPlan.self)
    }

    /// Ranks 1…P−1: wait for the start, then compute items until told to stop. Throws
    /// ``ReportedFailure`` when the job failed (rank 0 reported why).
    static func serve(comm: Communicator) throws {
        let plan: AnalysisPlan = try RankZero.receive(comm)
        var inputs: [Float] = []
        try comm.broadcast(&inputs, root: 0)
        let targets = try broadcast(nil, plan: plan, comm: comm)
        let worker = SliceWorker(settings: plan.settings, inputs: inputs, features: plan.features, targets: targets)
        inputs = []
        let succeeded = try WorkerLoop.serve(comm: comm) { item, activations in
            worker.compute(plan.item(item), of: plan, activations: activations)
        }
        guard succeeded else { throw ReportedFailure() }
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
