import Config
import Estimators
import Files
import Foundation

/// Computes the per-slice S1(X;T) and S1(T;Y) of a block of projections of one layer (Y: class
/// labels, or continuous targets for regression): the values of one work item.
///
/// Activations arrive as stored, float32, and meet Double only inside the projection GEMM, a
/// block of rows at a time (``SlicedMutualInformation/preparedLayer(_:columns:layer:slices:buffers:)``);
/// no Double copy of a snapshot-layer is made. θᵀX depends only on the block, so each prepared
/// input block is kept and reused for every layer and epoch, with each slice's sort order, so
/// that no snapshot-layer sorts θᵀX again (m = 1000 slices of 10,000 samples keep 80 + 40 MB;
/// with KSG and Ross, the default, each slice kept in ascending order, which the estimate reads
/// in order); φᵀT is sorted once per slice for S1(X;T) and S1(T;Y) together. No MPI in here: the same code serves the single-process path, rank 0 once
/// training ends, the worker ranks, and the stopping rule's objective.
public final class SliceWorker {
    /// Slices, k, seed, jitter, label estimator, baseline.
    public let settings: AnalysisSettings
    private let inputs: SampleMatrix
    private let labels: [Int32]
    /// Regression: the continuous targets (n × width); nil for class labels.
    private let targets: SampleMatrix?
    private let estimator: SlicedMutualInformation
    private let workspace = KSGWorkspace()
    private let buffers = SliceBuffers()
    private var inputBlocks: [Range<Int>: PreparedSlices] = [:]
    /// The sort orders of each prepared input block (``SlicedMutualInformation/sortOrders(_:into:workspace:)``).
    private var inputOrders: [Range<Int>: [Int32]] = [:]
    /// The sort orders of the layer block being estimated, storage reused from item to item.
    private var layerOrders: [Int32] = []
    /// Prepared targets per block (regression only).
    private var targetBlocks: [Range<Int>: PreparedSlices] = [:]
    /// Threads for a batch's projections (values do not depend on it).
    public var threads = 1
    /// Work so far: `[projection CPU seconds, projection GFLOP, estimation CPU seconds]` (the
    /// GEMM sweeps with their widening and preparation; then KSG), for the report at the end.
    /// CPU time of the process (all its threads), so a shared machine's load does not inflate it.
    public private(set) var timing: [Double] = [0, 0, 0]

    /// - Parameters:
    ///   - inputs: the evaluation inputs, n × d.
    ///   - targets: their class labels, or continuous targets.
    public init(settings: AnalysisSettings, inputs: SampleMatrix, targets: EvaluationTargets) {
        self.settings = settings
        self.inputs = inputs
        labels = targets.classLabels ?? []
        self.targets = targets.matrix(samples: inputs.rows)
        estimator = settings.estimator
    }

    /// A worker for evaluation inputs as stored (float32, n × `features` row-major), widened exactly.
    public convenience init(settings: AnalysisSettings, inputs: [Float], features: Int, targets: EvaluationTargets) {
        self.init(settings: settings, inputs: SampleMatrix(rows: inputs.count / features, columns: features, values: inputs.map(Double.init)),
                  targets: targets)
    }

    /// The values of slices `slices` (one block, at most ``SlicedMutualInformation/blockSize``) of
    /// hidden layer `layer`, quantity-major: S1(X;T) per slice, then S1(T;Y), then (with baselines)
    /// S1(X;T) and S1(T;Y) on shuffled pairings. S1(T;Y) uses the label estimator for class labels
    /// and KSG for continuous targets.
    /// - Parameter activations: the layer's activations, n × `width` float32, row-major.
    public func compute(layer: Int, slices: Range<Int>, activations: [Float], width: Int) -> [Double] {
        let t = activations.withUnsafeBufferPointer {
            estimator.preparedLayer($0, columns: width, layer: layer, slices: slices, buffers: buffers)
        }
        defer { buffers.recycle(t) }
        return values(of: t)
    }

    /// φᵀT of several blocks of slices of hidden layer `layer`, projected in one pass over the
    /// rows (each block's values are those ``compute(layer:slices:activations:width:)`` projects
    /// alone); give each to ``values(of:)``.
    /// - Parameter activations: the layer, n × `width` float32, row-major (e.g. in a node's window).
    public func project(layer: Int, blocks: [Range<Int>], activations: UnsafeBufferPointer<Float>, width: Int) -> [PreparedSlices] {
        let start = Self.cpuSeconds()
        defer {
            timing[0] += Self.cpuSeconds() - start
            timing[1] += 2 * Double(activations.count) * Double(blocks.reduce(0) { $0 + $1.count }) / 1e9
        }
        return estimator.preparedLayerBlocks(activations, columns: width, layer: layer, blocks: blocks, buffers: buffers, threads: threads)
    }

    /// ``projectRows(width:rows:directions:into:)``'s widened rows (1,024 × d doubles).
    private var widened: [Double] = []
    /// The widths of the blocks of all m slices, as work items cut them.
    private lazy var blockWidths = SlicedMutualInformation.blocks(ofSlices: settings.slices).map(\.count)

    /// φᵀT of rows of a hidden layer (float32, rows × `width`, row-major) for all m slices,
    /// into `output` (rows × m, row-major, slice order): one pass over the rows, neighbouring
    /// blocks sharing their GEMMs. `directions` is the layer's
    /// ``SlicedMutualInformation/layerDirectionMatrix(layer:dimension:blocks:)`` over all m slices.
    /// Rows that begin at a multiple of ``BlockProjection/rowBlock`` within the layer get exactly
    /// the values ``project(layer:blocks:activations:width:)`` gives them, so the ranks of a node
    /// can each project their own share of a snapshot-layer.
    public func projectRows(width: Int, rows: UnsafeBufferPointer<Float>, directions: UnsafeBufferPointer<Double>,
                            into output: UnsafeMutableBufferPointer<Double>) {
        let start = Self.cpuSeconds()
        defer {
            timing[0] += Self.cpuSeconds() - start
            timing[1] += 2 * Double(rows.count) * Double(settings.slices) / 1e9
        }
        estimator.layerProjections(rows, columns: width, directions: directions, widths: blockWidths,
                                   into: output, widened: &widened, threads: threads)
    }

    /// One block `slices` of a layer's projections made by ``projectRows(width:rows:directions:into:)``
    /// (`projections`: n × m), prepared as ``project(layer:blocks:activations:width:)`` prepares it.
    public func prepared(fromRows projections: UnsafeBufferPointer<Double>, layer: Int, slices: Range<Int>) -> PreparedSlices {
        let start = Self.cpuSeconds()
        defer { timing[0] += Self.cpuSeconds() - start }
        let raw = SlicedMutualInformation.columns(slices, of: projections, width: settings.slices)
        return prepared(projections: raw, layer: layer, slices: slices)
    }

    /// CPU seconds this process has used (every thread).
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// A block of stored projections of hidden layer `layer` (n × `slices.count`, row-major),
    /// prepared as if projected here (``SlicedMutualInformation/preparedLayer(projections:columns:layer:slices:)``).
    public func prepared(projections raw: [Double], layer: Int, slices: Range<Int>) -> PreparedSlices {
        raw.withUnsafeBufferPointer { estimator.preparedLayer(projections: $0, columns: slices.count, layer: layer, slices: slices) }
    }

    /// The values of one prepared block of a layer (see ``compute(layer:slices:activations:width:)``).
    public func values(of t: PreparedSlices) -> [Double] {
        let start = Self.cpuSeconds()
        defer { timing[2] += Self.cpuSeconds() - start }
        let slices = t.slices
        let x = preparedInputs(slices)
        let xOrders = inputOrders[slices]
        let y = targets.map { preparedTargets(slices, $0) }
        var values = bothQuantities(x, t, y, xOrders: xOrders)
        if settings.shuffleBaseline {
            // Each slice re-pairs the samples by its own permutation, so the spread of the
            // baseline over slices includes the spread over permutations.
            let shuffled = t.permutingSamples(slices.map {
                SlicedMutualInformation.baselinePermutation(seed: settings.seed, slice: $0, samples: inputs.rows)
            })
            values += bothQuantities(x, shuffled, y, xOrders: xOrders)
        }
        return values
    }

    /// Whether S1(X;T) and S1(T;Y) come from one pass over the slices (KSG with Ross's estimator
    /// for class labels, the default), which sorts and indexes each slice of φᵀT once for both.
    private var estimatesBothInOnePass: Bool {
        targets == nil && settings.sliceEstimator == .ksg && settings.discreteEstimator == .ross
    }

    /// S1(X;T) per slice, then S1(T;Y), of a prepared layer block, φᵀT sorted once for both: by
    /// the pass that estimates both, else here into `layerOrders` (the estimators then gather
    /// instead of sorting: same values).
    private func bothQuantities(_ x: PreparedSlices, _ t: PreparedSlices, _ y: PreparedSlices?, xOrders: [Int32]?) -> [Double] {
        guard estimatesBothInOnePass else {
            estimator.sortOrders(t, into: &layerOrders, workspace: workspace)
            return inputInformation(x, t, xOrders: xOrders) + targetInformation(t, y)
        }
        // The kept θᵀX block holds each slice sorted (see `preparedInputs`).
        let (input, label) = labels.withUnsafeBufferPointer {
            estimator.inputAndLabelInformation(x, t, labels: $0, workspace: workspace, xOrders: xOrders, xSorted: true)
        }
        return input + label
    }

    /// S1(X;T) per slice of a prepared layer block whose sort orders are in `layerOrders`, by the
    /// settings' slice estimator.
    private func inputInformation(_ x: PreparedSlices, _ t: PreparedSlices, xOrders: [Int32]?) -> [Double] {
        switch settings.sliceEstimator {
        case .ksg: estimator.inputInformation(x, t, workspace: workspace, xOrders: xOrders, tOrders: layerOrders)
        case .wkl: estimator.weightedKLInputInformation(x, t, workspace: workspace)
        }
    }

    /// S1(T;Y) per slice of a prepared layer block whose sort orders are in `layerOrders`: the
    /// label estimator for classes (`micd` is WKL's entropy difference), the slice estimator for
    /// continuous targets.
    private func targetInformation(_ t: PreparedSlices, _ y: PreparedSlices?) -> [Double] {
        if let y {
            return settings.sliceEstimator == .wkl ? estimator.weightedKLInputInformation(y, t, workspace: workspace)
                : estimator.inputInformation(t, y, workspace: workspace, xOrders: layerOrders)
        }
        return labels.withUnsafeBufferPointer {
            estimator.labelInformation(t, labels: $0, estimator: settings.discreteEstimator, workspace: workspace,
                                       orders: layerOrders)
        }
    }

    /// Y of a block, prepared once and reused for every layer and epoch.
    private func preparedTargets(_ slices: Range<Int>, _ y: SampleMatrix) -> PreparedSlices {
        if let cached = targetBlocks[slices] { return cached }
        let prepared = estimator.preparedTargets(y, slices: slices)
        targetBlocks[slices] = prepared
        return prepared
    }

    private func preparedInputs(_ slices: Range<Int>) -> PreparedSlices {
        if let cached = inputBlocks[slices] { return cached }
        let prepared = estimator.preparedInputs(inputs, slices: slices)
        var orders: [Int32] = []
        estimator.sortOrders(prepared, into: &orders, workspace: workspace)
        inputOrders[slices] = orders
        // The one-pass estimate reads each slice in ascending order, streamed from memory where
        // gathering it through the order stalled on every value (m blocks outgrow the caches).
        let kept = estimatesBothInOnePass ? estimator.sortedValues(prepared, orders: orders) : prepared
        inputBlocks[slices] = kept
        return kept
    }
}

extension SliceWorker {
    /// Work items `items` of `plan`, all of one layer, projected in one pass over its rows
    /// (see ``project(layer:blocks:activations:width:)``); give each to ``values(of:)``.
    public func project(_ items: [WorkItem], of plan: AnalysisPlan, activations: UnsafeBufferPointer<Float>) -> [PreparedSlices] {
        guard let layerIndex = items.first?.layerIndex else { return [] }
        precondition(items.allSatisfy { $0.layerIndex == layerIndex }, "a batch of items of different layers")
        return project(layer: plan.layers[layerIndex], blocks: items.map { plan.slices(ofBlock: $0.block) }, activations: activations,
                       width: plan.widths[layerIndex])
    }

    /// The values of work item `item` of `plan` (see ``compute(layer:slices:activations:width:)``).
    public func compute(_ item: WorkItem, of plan: AnalysisPlan, activations: [Float]) -> [Double] {
        compute(layer: plan.layers[item.layerIndex], slices: plan.slices(ofBlock: item.block), activations: activations,
                width: plan.widths[item.layerIndex])
    }

    /// Every slice `0 ..< slices` of one layer, block by block as work items cut them: per
    /// quantity, the values in slice order (what the stopping rule's objective measures).
    public func measure(layer: Int, slices: Int, activations: [Float], width: Int) -> [[Double]] {
        var perQuantity = [[Double]](repeating: [], count: settings.quantities)
        for start in stride(from: 0, to: slices, by: SlicedMutualInformation.blockSize) {
            let block = start..<min(start + SlicedMutualInformation.blockSize, slices)
            let values = compute(layer: layer, slices: block, activations: activations, width: width)
            for q in perQuantity.indices { perQuantity[q] += values[(q * block.count)..<((q + 1) * block.count)] }
        }
        return perQuantity
    }
}
