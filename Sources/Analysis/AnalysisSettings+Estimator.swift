import Config
import Estimators
import Files

extension AnalysisSettings {
    /// The sliced estimator these settings describe.
    public var estimator: SlicedMutualInformation {
        SlicedMutualInformation(k: k, seed: seed, preparation: SlicePreparation(standardize: true, jitter: jitter, seed: seed))
    }

    /// The estimator of S1(T;Y) for class labels.
    public var discreteEstimator: DiscreteEstimator {
        switch labelEstimator {
        case .ross: .ross
        case .micd: .entropyDifference
        }
    }

    /// The quantities measured per slice, in the order an item reports them.
    public var measured: [PlaneQuantity] { PlaneQuantity.measured(shuffleBaseline: shuffleBaseline) }

    /// Values an item reports per slice: S1(X;T) and S1(T;Y), and their baselines if asked.
    public var quantities: Int { measured.count }
}

extension EvaluationTargets {
    /// The targets as a matrix of doubles; nil for class labels.
    public func matrix(samples: Int) -> SampleMatrix? {
        guard case .continuous(let values, let width) = self else { return nil }
        return SampleMatrix(rows: samples, columns: width, values: values)
    }
}
