import Estimators
import Files

/// Computes work items: the per-slice S1(X;T) and S1(T;Y) of a block of projections of one layer
/// (Y: class labels, or continuous targets for regression).
///
/// θᵀX depends only on the block, so each prepared block is kept and reused for every layer and
/// epoch (m = 1000 slices of 10,000 samples keep 80 MB). No MPI in here: the same code serves the
/// single-process path, rank 0 once training ends, and the worker ranks.
public final class SliceWorker {
    public let plan: AnalysisPlan
    private let inputs: SampleMatrix
    private let labels: [Int32]
    /// Regression: the continuous targets (n × width); nil for class labels.
    private let targets: SampleMatrix?
    private let estimator: SlicedMutualInformation
    private let workspace = KSGWorkspace()
    private let buffers = SliceBuffers()
    private var inputBlocks: [Int: PreparedSlices] = [:]
    /// Prepared targets per block (regression only).
    private var targetBlocks: [Int: PreparedSlices] = [:]

    /// - Parameters:
    ///   - inputs: the evaluation inputs, n × d.
    ///   - targets: their class labels, or continuous targets of ``AnalysisPlan/targetWidth`` columns.
    public init(plan: AnalysisPlan, inputs: SampleMatrix, targets: EvaluationTargets) {
        self.plan = plan
        self.inputs = inputs
        var labels: [Int32] = []
        if case .labels(let given) = targets { labels = given }
        self.labels = labels
        self.targets = targets.matrix(samples: inputs.rows)
        estimator = plan.settings.estimator
    }

    /// A worker for class labels.
    public convenience init(plan: AnalysisPlan, inputs: SampleMatrix, labels: [Int32]) {
        self.init(plan: plan, inputs: inputs, targets: .labels(labels))
    }

    /// The values of `item`, quantity-major: S1(X;T) per slice of the block, then S1(T;Y), then
    /// (with baselines) S1(X;T) and S1(T;Y) on shuffled pairings. S1(T;Y) uses the label
    /// estimator for class labels and KSG for continuous targets.
    /// - Parameter activations: the layer's activations at the item's epoch, n × width.
    public func compute(_ item: WorkItem, activations: SampleMatrix) -> [Double] {
        let slices = plan.slices(ofBlock: item.block)
        let layer = plan.layers[item.layerIndex]
        let x = preparedInputs(item.block, slices)
        let t = estimator.preparedLayer(activations, layer: layer, slices: slices, buffers: buffers)
        defer { buffers.recycle(t) }
        let discrete = plan.settings.discreteEstimator
        let y = targets.map { preparedTargets(item.block, slices, $0) }
        var values = estimator.inputInformation(x, t, workspace: workspace)
        values += targetInformation(t, y, discrete)
        if plan.settings.shuffleBaseline {
            // Each slice re-pairs the samples by its own permutation, so the spread of the
            // baseline over slices includes the spread over permutations.
            let shuffled = t.permutingSamples(slices.map { SlicedMutualInformation.baselinePermutation(seed: plan.settings.seed, slice: $0, samples: plan.samples) })
            values += estimator.inputInformation(x, shuffled, workspace: workspace)
            values += targetInformation(shuffled, y, discrete)
        }
        return values
    }

    /// A worker for evaluation inputs as stored (float32, n × d row-major), widened exactly.
    public convenience init(plan: AnalysisPlan, inputs: [Float], targets: EvaluationTargets) {
        self.init(plan: plan, inputs: SampleMatrix(rows: plan.samples, columns: plan.features, values: inputs.map(Double.init)),
                  targets: targets)
    }

    /// S1(T;Y) per slice of a prepared layer block: the label estimator for classes, KSG for targets.
    private func targetInformation(_ t: PreparedSlices, _ y: PreparedSlices?, _ discrete: DiscreteEstimator) -> [Double] {
        if let y { return estimator.targetInformation(t, targets: y, workspace: workspace) }
        return labels.withUnsafeBufferPointer { estimator.labelInformation(t, labels: $0, estimator: discrete, workspace: workspace) }
    }

    /// Y of a block, prepared once and reused for every layer and epoch.
    private func preparedTargets(_ block: Int, _ slices: Range<Int>, _ y: SampleMatrix) -> PreparedSlices {
        if let cached = targetBlocks[block] { return cached }
        let prepared = estimator.preparedTargets(y, slices: slices)
        targetBlocks[block] = prepared
        return prepared
    }

    private func preparedInputs(_ block: Int, _ slices: Range<Int>) -> PreparedSlices {
        if let cached = inputBlocks[block] { return cached }
        let prepared = estimator.preparedInputs(inputs, slices: slices)
        inputBlocks[block] = prepared
        return prepared
    }
}
