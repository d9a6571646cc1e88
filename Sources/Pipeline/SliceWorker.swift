import Estimators
import Randomness

/// Computes work items: the per-slice S1(X;T) and S1(T;Y) of a block of projections of one layer.
///
/// θᵀX depends only on the block, so each prepared block is kept and reused for every layer and
/// epoch (m = 1000 slices of 10,000 samples keep 80 MB). No MPI in here: the same code serves the
/// single-process path, rank 0 once training ends, and the worker ranks.
public final class SliceWorker {
    public let plan: AnalysisPlan
    private let inputs: SampleMatrix
    private let labels: [Int32]
    private let estimator: SlicedMutualInformation
    private let workspace = KSGWorkspace()
    private let buffers = SliceBuffers()
    private var inputBlocks: [Int: PreparedSlices] = [:]
    /// The pairing of the shuffle baseline: sample i with sample permutation[i]'s partner.
    private let permutation: [Int]
    private let shuffledLabels: [Int32]

    /// - Parameters:
    ///   - inputs: the evaluation inputs, n × d.
    ///   - labels: their class labels.
    public init(plan: AnalysisPlan, inputs: SampleMatrix, labels: [Int32]) {
        self.plan = plan
        self.inputs = inputs
        self.labels = labels
        estimator = plan.settings.estimator
        if plan.settings.shuffleBaseline {
            var stream = RandomStream(seed: plan.settings.seed, purpose: "shuffle.baseline")
            permutation = stream.permutation(of: inputs.rows)
            shuffledLabels = permutation.map { labels[$0] }
        } else {
            permutation = []
            shuffledLabels = []
        }
    }

    /// The values of `item`, quantity-major: S1(X;T) per slice of the block, then S1(T;Y), then
    /// (with baselines) S1(X;T) and S1(T;Y) on shuffled pairings.
    /// - Parameter activations: the layer's activations at the item's epoch, n × width.
    public func compute(_ item: WorkItem, activations: SampleMatrix) -> [Double] {
        let slices = plan.slices(ofBlock: item.block)
        let layer = plan.layers[item.layerIndex]
        let x = preparedInputs(item.block, slices)
        let t = estimator.preparedLayer(activations, layer: layer, slices: slices, buffers: buffers)
        defer { buffers.recycle(t) }
        let discrete = plan.settings.discreteEstimator
        var values = estimator.inputInformation(x, t, workspace: workspace)
        values += labels.withUnsafeBufferPointer {
            estimator.labelInformation(t, labels: $0, estimator: discrete, workspace: workspace)
        }
        if plan.settings.shuffleBaseline {
            values += estimator.inputInformation(x, t.permutingSamples(permutation), workspace: workspace)
            values += shuffledLabels.withUnsafeBufferPointer {
                estimator.labelInformation(t, labels: $0, estimator: discrete, workspace: workspace)
            }
        }
        return values
    }

    /// A worker for evaluation inputs as stored (float32, n × d row-major), widened exactly.
    public convenience init(plan: AnalysisPlan, inputs: [Float], labels: [Int32]) {
        self.init(plan: plan, inputs: SampleMatrix(rows: plan.samples, columns: plan.features, values: inputs.map(Double.init)),
                  labels: labels)
    }

    private func preparedInputs(_ block: Int, _ slices: Range<Int>) -> PreparedSlices {
        if let cached = inputBlocks[block] { return cached }
        let prepared = estimator.preparedInputs(inputs, slices: slices)
        inputBlocks[block] = prepared
        return prepared
    }
}
