import Config
import Files
import Support

extension EvaluationTargets {
    /// Refuses class labels that S1(T;Y) cannot be estimated against, before any output exists:
    /// a single class (the information is 0 by definition), or, for Ross's estimator, every
    /// class with a single sample. Ross leaves singleton classes out, as scikit-learn's
    /// `mutual_info_classif` does (a sample alone in its class has no within-class neighbour),
    /// so such labels leave nothing to estimate on (scikit-learn fails there too); micd handles
    /// them, as NPEET does. Continuous targets pass.
    /// - Parameters:
    ///   - what: names the labels in the message, e.g. "the evaluation set".
    ///   - fix: the change that gives usable labels, e.g. "use a larger dataset.evaluation_size".
    public func checkEstimable(by estimator: LabelEstimator, what: String, fix: String) throws {
        guard let labels = classLabels else { return }
        var counts: [Int32: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        guard counts.count > 1 else {
            throw InfoPlaneError("\(what) holds a single class: S1(T;Y) is 0 by definition; \(fix)")
        }
        if estimator == .ross && !counts.values.contains(where: { $0 > 1 }) {
            throw InfoPlaneError("\(what) puts each of its \(labels.count) samples in a class of its own: Ross's estimator leaves singleton classes out (as scikit-learn does), which leaves nothing; \(fix), or use the micd label estimator")
        }
    }
}
