import Analysis
import Cluster
import Files

extension EvaluationTargets {
    /// Rank 0 sends its targets; every other rank receives the kind `plan` announces.
    static func broadcast(_ targets: EvaluationTargets?, plan: AnalysisPlan, comm: Communicator) throws -> EvaluationTargets {
        if plan.targetWidth == 0 {
            var labels: [Int32] = []
            if case .labels(let mine) = targets { labels = mine }
            try comm.broadcast(&labels, root: 0)
            return .labels(labels)
        }
        var values: [Double] = []
        if case .continuous(let mine, _) = targets { values = mine }
        try comm.broadcast(&values, root: 0)
        return .continuous(values, width: plan.targetWidth)
    }
}
