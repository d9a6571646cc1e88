import Cluster
import Estimators

/// What S1(T;Y) is measured against: class labels (classification), or real targets
/// (regression), for which the plane uses KSG between two continuous variables.
public enum EvaluationTargets: Sendable, Equatable {
    /// One class label per evaluation sample.
    case labels([Int32])
    /// n × width real targets, row-major (float32 or float64 as stored, held as doubles).
    case continuous([Double], width: Int)

    /// Target columns; 0 for class labels (what ``AnalysisPlan/targetWidth`` records).
    public var width: Int {
        if case .continuous(_, let width) = self { return width }
        return 0
    }

    /// The class labels; nil for continuous targets.
    public var classLabels: [Int32]? {
        if case .labels(let labels) = self { return labels }
        return nil
    }

    /// The targets as a matrix of doubles; nil for class labels.
    func matrix(samples: Int) -> SampleMatrix? {
        guard case .continuous(let values, let width) = self else { return nil }
        return SampleMatrix(rows: samples, columns: width, values: values)
    }

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
