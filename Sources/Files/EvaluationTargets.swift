/// What S1(T;Y) is measured against: class labels (classification), or real targets
/// (regression), for which the plane uses KSG between two continuous variables.
public enum EvaluationTargets: Sendable, Equatable {
    /// One class label per evaluation sample.
    case labels([Int32])
    /// n × width real targets, row-major (float32 or float64 as stored, held as doubles).
    case continuous([Double], width: Int)

    /// Target columns; 0 for class labels (what an analysis plan records as its target width).
    public var width: Int {
        if case .continuous(_, let width) = self { return width }
        return 0
    }

    /// The class labels; nil for continuous targets.
    public var classLabels: [Int32]? {
        if case .labels(let labels) = self { return labels }
        return nil
    }
}
