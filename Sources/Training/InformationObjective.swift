import Analysis
import Config
import Estimators
import Files
import Learning
import Support

/// The stopping rule's objective at one snapshot: `J = S1(T;Y) − β·S1(X;T)` of one hidden layer,
/// in nats, with both parts and their standard errors.
public struct ObjectiveMeasurement: Sendable, Equatable {
    /// The snapshot epoch measured.
    public var epoch: Int
    /// S1(X;T) of the rule's layer.
    public var inputInformation: SlicedEstimate
    /// S1(T;Y) of the rule's layer (labels or continuous targets).
    public var labelInformation: SlicedEstimate
    /// J = S1(T;Y) − β·S1(X;T).
    public var objective: Double

    /// The `/stopping` row of this measurement, with the rule's decision so far.
    func row(chosenEpoch: Int, stoppedEpoch: Int?) -> StoppingRow {
        StoppingRow(epoch: epoch, objective: objective, inputInformation: inputInformation, labelInformation: labelInformation,
                    chosenEpoch: chosenEpoch, stoppedEpoch: stoppedEpoch)
    }
}

/// Measures the objective with the plane's own worker (``SliceWorker``): KSG for S1(X;T), Ross's
/// mixed KSG for S1(T;Y) (KSG for real targets), standardised slices with the default jitter,
/// and the directions θ_j, φ_{L,j} (j < m) of the plane's layer L. The same directions serve
/// every snapshot (common random numbers), so the epoch-to-epoch changes the rule compares are
/// not slice noise. The parts equal the mean of the plane's first m per-projection values when
/// the analysis has the same seed and k, the default jitter (1e-10) and, for class labels,
/// `label_estimator: ross`.
public struct InformationObjective {
    /// β, the layer, m, k and the seed.
    public let settings: StoppingSection
    private let worker: SliceWorker

    /// - Parameter evaluation: the evaluation samples whose hidden activations are measured.
    public init(settings: StoppingSection, evaluation: Split) {
        self.settings = settings
        let analysis = AnalysisSettings(slices: settings.slices, k: settings.k, labelEstimator: .ross, seed: settings.seed,
                                        shuffleBaseline: false, jitter: 1e-10)
        worker = SliceWorker(settings: analysis, inputs: evaluation.inputs.storage, features: evaluation.features,
                             targets: EvaluationTargets(evaluation))
    }

    /// The objective of a snapshot, from its hidden activations (one matrix per hidden layer).
    public func measure(epoch: Int, hiddenActivations: [Matrix]) throws -> ObjectiveMeasurement {
        let layer = hiddenActivations[settings.layer - 1]
        let values = worker.measure(layer: settings.layer, slices: settings.slices, activations: layer.storage, width: layer.columns)
        let sxt = SlicedEstimate(values: values[PlaneQuantity.sxt.rawValue])
        let sty = SlicedEstimate(values: values[PlaneQuantity.sty.rawValue])
        let objective = sty.mean - settings.beta * sxt.mean
        guard objective.isFinite else {
            throw InfoPlaneError("the stopping objective at epoch \(epoch) is not finite (S1(X;T) \(sxt.mean), S1(T;Y) \(sty.mean)): check layer_\(settings.layer)'s activations, or remove the stopping section")
        }
        return ObjectiveMeasurement(epoch: epoch, inputInformation: sxt, labelInformation: sty, objective: objective)
    }
}

extension EvaluationTargets {
    /// What S1(T;Y) of `evaluation` is measured against: its regression targets (widened exactly)
    /// or its class labels.
    public init(_ evaluation: Split) {
        if let y = evaluation.targets {
            self = .continuous(y.storage.map(Double.init), width: y.columns)
        } else {
            self = .labels(evaluation.labels)
        }
    }
}
