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

/// Measures the objective with the plane's estimator: KSG for S1(X;T), Ross's mixed KSG for
/// S1(T;Y), standardised and jittered slices, and the directions θ_j, φ_{L,j} (j < m) of the
/// plane's layer L. The same directions serve every snapshot (common random numbers), so the
/// epoch-to-epoch changes the rule compares are not slice noise. The parts equal the mean of the
/// plane's first m per-projection values when the analysis has the same seed and k, the
/// default jitter (1e-10) and, for class labels, `label_estimator: ross`.
public struct InformationObjective: Sendable {
    public let settings: StoppingSection
    private let estimator: SlicedMutualInformation
    private let inputs: SampleMatrix
    private let labels: [Int32]
    /// Regression: the real targets (S1(T;Y) by KSG, as in the plane); nil for class labels.
    private let targets: SampleMatrix?

    /// - Parameters: evaluation: the evaluation samples whose hidden activations are measured.
    public init(settings: StoppingSection, evaluation: Split) {
        self.settings = settings
        estimator = SlicedMutualInformation(k: settings.k, seed: settings.seed,
                                            preparation: SlicePreparation(standardize: true, jitter: 1e-10, seed: settings.seed))
        inputs = SampleMatrix(rows: evaluation.count, columns: evaluation.features, values: evaluation.inputs.storage.map(Double.init))
        labels = evaluation.labels
        targets = evaluation.targets.map { SampleMatrix(rows: $0.rows, columns: $0.columns, values: $0.storage.map(Double.init)) }
    }

    /// The objective of a snapshot, from its hidden activations (one matrix per hidden layer).
    public func measure(epoch: Int, hiddenActivations: [Matrix]) throws -> ObjectiveMeasurement {
        let layer = hiddenActivations[settings.layer - 1]
        let t = SampleMatrix(rows: layer.rows, columns: layer.columns, values: layer.storage.map(Double.init))
        let slices = 0..<settings.slices
        let sxt = SlicedEstimate(values: estimator.inputInformation(x: inputs, t: t, layer: settings.layer, slices: slices))
        let sty = SlicedEstimate(values: targets.map { estimator.targetInformation(t: t, targets: $0, layer: settings.layer, slices: slices) }
                                  ?? estimator.labelInformation(t: t, labels: labels, layer: settings.layer, slices: slices))
        let objective = sty.mean - settings.beta * sxt.mean
        guard objective.isFinite else {
            throw InfoPlaneError("the stopping objective at epoch \(epoch) is not finite (S1(X;T) \(sxt.mean), S1(T;Y) \(sty.mean)): check layer_\(settings.layer)'s activations, or remove the stopping section")
        }
        return ObjectiveMeasurement(epoch: epoch, inputInformation: sxt, labelInformation: sty, objective: objective)
    }
}
