import Dispatch
import Randomness

/// A dense row-major matrix of doubles: n samples × d features.
public struct SampleMatrix: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "\(values.count) values do not make a \(rows)×\(columns) matrix")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// The rows in the order `permutation` gives (for shuffle baselines).
    public func permutingRows(_ permutation: [Int]) -> SampleMatrix {
        var out = [Double](repeating: 0, count: values.count)
        for (destination, source) in permutation.enumerated() {
            for c in 0..<columns { out[destination * columns + c] = values[source * columns + c] }
        }
        return SampleMatrix(rows: rows, columns: columns, values: out)
    }
}

/// An average over slices: the mean, its standard error, and every slice's value.
public struct SlicedEstimate: Sendable, Equatable {
    /// Per-slice values in slice-index order (one value for an unsliced estimate).
    public var values: [Double]
    /// Mean of `values`, summed in index order so it is the same for any split of the work.
    public var mean: Double
    /// Sample standard deviation of `values` over √m; 0 for a single value.
    public var standardError: Double

    public init(values: [Double]) {
        self.values = values
        let m = Double(values.count)
        // Index loops: unspecialised iteration allocates per element in debug builds.
        var sum = 0.0
        for i in 0..<values.count { sum += values[i] }
        mean = values.isEmpty ? .nan : sum / m
        var squares = 0.0
        for i in 0..<values.count { squares += (values[i] - mean) * (values[i] - mean) }
        standardError = values.count > 1 ? (squares / (m - 1)).squareRoot() / m.squareRoot() : 0
    }
}

/// Which estimator handles a continuous variable against discrete labels.
public enum DiscreteEstimator: String, Sendable, CaseIterable {
    /// Ross (2014) mixed KSG, scikit-learn's `_compute_mi_cd`.
    case ross
    /// H(T) − Σ p(y) H(T|Y=y) with Kozachenko–Leonenko entropies (NPEET's `micd`).
    case entropyDifference = "micd"
}

/// Sliced mutual information (Goldfeld & Greenewald 2021): the average of I(θᵀX; φᵀT) over
/// uniformly random directions, estimated slice by slice with KSG.
///
/// Directions come from counter-based streams: θ_j from `("theta", j)` and φ_j of layer L from
/// `("phi", L, j)`, so slice j is the same vector in every process and for every epoch (common
/// random numbers make trajectories smooth), and any block of slices can be computed anywhere.
/// Stiefel frames (k-SMI) use `("theta.stiefel", rank, j)` and `("phi.stiefel", L, rank, j)`.
public struct SlicedMutualInformation: Sendable {
    /// Neighbours for KSG.
    public var k: Int
    /// Seed of the projection streams.
    public var seed: UInt64
    /// Standardisation and jitter of each projected variable.
    public var preparation: SlicePreparation
    /// Worker threads for a block of slices (results do not depend on it).
    public var threads: Int

    public init(k: Int = 5, seed: UInt64 = 0, preparation: SlicePreparation? = nil, threads: Int = 1) {
        self.k = k
        self.seed = seed
        self.preparation = preparation ?? SlicePreparation(seed: seed)
        self.threads = max(1, threads)
    }

    /// θ_j for the slices of `block`, as a d × block.count matrix (column j − lowerBound).
    func inputDirections(_ block: Range<Int>, dimension: Int) -> [Double] {
        Projections.unitVectors(count: block.count, dimension: dimension, seed: seed, purpose: "theta", startIndex: block.lowerBound)
    }

    /// φ_j of layer L for the slices of `block`, as a d × block.count matrix.
    func layerDirections(_ block: Range<Int>, layer: Int, dimension: Int) -> [Double] {
        Projections.unitVectors(count: block.count, dimension: dimension, seed: seed, purpose: "phi", layer: layer,
                                startIndex: block.lowerBound)
    }

    /// S1(X;T) per slice for `slices`: both sides projected to 1-D.
    public func inputInformation(x: SampleMatrix, t: SampleMatrix, layer: Int, slices: Range<Int>) -> [Double] {
        perSlice(slices, n: x.rows) { block, scratch, store in
            let px = preparedInputs(x, slices: block, scratch: scratch)
            let pt = preparedLayer(t, layer: layer, slices: block, scratch: scratch)
            let values = inputInformation(px, pt, workspace: scratch.workspace)
            scratch.recycle(px)
            scratch.recycle(pt)
            for offset in 0..<block.count { store(block.lowerBound + offset, values[offset]) }
        }
    }

    /// S1(T;Y) per slice for discrete labels: only T is projected.
    public func labelInformation(t: SampleMatrix, labels: [Int32], layer: Int, slices: Range<Int>,
                                 estimator: DiscreteEstimator = .ross) -> [Double] {
        labels.withUnsafeBufferPointer { y in
            perSlice(slices, n: t.rows) { block, scratch, store in
                let pt = preparedLayer(t, layer: layer, slices: block, scratch: scratch)
                let values = labelInformation(pt, labels: y, estimator: estimator, workspace: scratch.workspace)
                scratch.recycle(pt)
                for offset in 0..<block.count { store(block.lowerBound + offset, values[offset]) }
            }
        }
    }

    /// S1(T;Y) per slice for a continuous target: T projected; a 1-D target is used as it is
    /// (standardised and jittered), a multi-dimensional one is projected by θ_j.
    public func targetInformation(t: SampleMatrix, targets: SampleMatrix, layer: Int, slices: Range<Int>) -> [Double] {
        let estimator = KSGEstimator(k: k)
        let phi = TieBreakingJitter.stream(TieBreakingJitter.tag("phi"), appending: layer), target = TieBreakingJitter.tag("target")
        return perSlice(slices, n: t.rows) { block, scratch, store in
            scratch.project(t, onto: layerDirections(block, layer: layer, dimension: t.columns), into: \.first)
            scratch.project(targets, onto: targets.columns == 1 ? [Double](repeating: 1, count: block.count)
                                                                : inputDirections(block, dimension: targets.columns), into: \.second)
            for (offset, j) in block.enumerated() {
                let value = scratch.withColumns(offset) { a, b -> Double in
                    guard preparation.prepare(a, stream: TieBreakingJitter.stream(phi, appending: j)),
                          preparation.prepare(b, stream: TieBreakingJitter.stream(target, appending: j)) else { return 0 }
                    return estimator.mutualInformation(UnsafeBufferPointer(a), UnsafeBufferPointer(b), workspace: scratch.workspace)
                }
                store(j, value)
            }
        }
    }

    /// k-SMI per slice: X and T projected onto Haar-random rank-`rank` Stiefel frames.
    public func stiefelInformation(x: SampleMatrix, t: SampleMatrix, rank: Int, layer: Int, slices: Range<Int>) -> [Double] {
        let estimator = KSGEstimator(k: k)
        return perSlice(slices, n: x.rows) { block, _, store in
            for j in block {
                guard let a = frameProjection(x, rank: rank, purpose: "theta.stiefel", indices: [rank, j]),
                      let b = frameProjection(t, rank: rank, purpose: "phi.stiefel", indices: [layer, rank, j]) else {
                    store(j, 0)
                    continue
                }
                store(j, a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in estimator.mutualInformation(x: pa, dx: rank, y: pb, dy: rank) }
                })
            }
        }
    }

    /// k-SMI between a rank-`rank` Stiefel projection of T and discrete labels.
    public func stiefelLabelInformation(t: SampleMatrix, labels: [Int32], rank: Int, layer: Int, slices: Range<Int>,
                                        estimator: DiscreteEstimator = .ross) -> [Double] {
        let ross = MixedKSGEstimator(k: k)
        let micd = EntropyDifferenceEstimator(k: k)
        return labels.withUnsafeBufferPointer { y in
            perSlice(slices, n: t.rows) { block, _, store in
                for j in block {
                    guard let a = frameProjection(t, rank: rank, purpose: "phi.stiefel", indices: [layer, rank, j]) else {
                        store(j, 0)
                        continue
                    }
                    store(j, a.withUnsafeBufferPointer { pa in
                        switch estimator {
                        case .ross: return ross.mutualInformation(x: pa, dx: rank, labels: y)
                        case .entropyDifference: return micd.mutualInformation(x: pa, dx: rank, labels: y)
                        }
                    })
                }
            }
        }
    }

    /// `matrix` projected onto the Stiefel frame of `indices` (n × rank), each column prepared;
    /// nil when a column is constant (the slice then carries no information).
    private func frameProjection(_ matrix: SampleMatrix, rank: Int, purpose: String, indices: [Int]) -> [Double]? {
        let frame = Projections.stiefelFrame(dimension: matrix.columns, rank: rank, seed: seed, purpose: purpose, indices: indices)
        var projected = [Double](repeating: 0, count: matrix.rows * rank)
        matrix.values.withUnsafeBufferPointer { data in
            frame.withUnsafeBufferPointer { directions in
                projected.withUnsafeMutableBufferPointer { out in
                    BlockProjection.project(data: data, n: matrix.rows, d: matrix.columns, directions: directions, m: rank, into: out)
                }
            }
        }
        // Prepare column by column (row-major n × rank), then write back.
        var column = [Double](repeating: 0, count: matrix.rows)
        for c in 0..<rank {
            for i in 0..<matrix.rows { column[i] = projected[i * rank + c] }
            let varies = column.withUnsafeMutableBufferPointer {
                preparation.prepare($0, identity: indices + [c], purpose: purpose)
            }
            guard varies else { return nil }
            for i in 0..<matrix.rows { projected[i * rank + c] = column[i] }
        }
        return projected
    }

    /// The shuffle baseline's pairing of slice `slice`: sample i with sample permutation[i]'s
    /// partner, from the stream (seed, "shuffle.baseline", slice), so every slice is re-paired
    /// by its own permutation (the baseline's spread over slices then includes the spread over
    /// permutations) and any process computing the slice draws the same one.
    public static func baselinePermutation(seed: UInt64, slice: Int, samples: Int) -> [Int] {
        var stream = RandomStream(seed: seed, purpose: "shuffle.baseline", slice)
        return stream.permutation(of: samples)
    }

    // MARK: - Work distribution

    /// Slices are handled in blocks (one GEMM projects a block); blocks are dealt to `threads`
    /// workers round-robin, each with its own scratch. Values land at their slice's index, so the
    /// result is the same for any number of threads.
    /// Slices per block (one GEMM); blocks start at multiples of it, which the pipeline's work
    /// items follow so every path computes a slice from the same GEMM.
    public static let blockSize = 32

    private func perSlice(_ slices: Range<Int>, n: Int,
                          _ body: (Range<Int>, SliceScratch, (Int, Double) -> Void) -> Void) -> [Double] {
        var results = [Double](repeating: 0, count: slices.count)
        let blocks = stride(from: slices.lowerBound, to: slices.upperBound, by: Self.blockSize).map {
            $0..<min($0 + Self.blockSize, slices.upperBound)
        }
        let workers = min(threads, max(1, blocks.count))
        results.withUnsafeMutableBufferPointer { out in
            let output = UncheckedSendable(out)
            withoutActuallyEscaping(body) { body in
                let work = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let scratch = SliceScratch(n: n, blockSize: Self.blockSize)
                    for index in stride(from: worker, to: blocks.count, by: workers) {
                        work.value(blocks[index], scratch) { j, value in output.value[j - slices.lowerBound] = value }
                    }
                }
            }
        }
        return results
    }
}

/// Per-thread buffers for a block of slices: the two projected blocks (n × B, row-major), two
/// contiguous columns, prepared blocks to reuse, and the KSG workspace.
final class SliceScratch {
    let n: Int
    let workspace = KSGWorkspace()
    var first: [Double]
    var second: [Double]
    /// Prepared blocks handed back (``recycle(_:)``), whose storage the next blocks reuse.
    var spares: [PreparedSlices] = []
    private var a: [Double]
    private var b: [Double]
    private var firstColumns = 0
    private var secondColumns = 0

    init(n: Int, blockSize: Int) {
        self.n = n
        first = [Double](repeating: 0, count: n * blockSize)
        second = [Double](repeating: 0, count: n * blockSize)
        a = [Double](repeating: 0, count: n)
        b = [Double](repeating: 0, count: n)
        spares.reserveCapacity(2)
    }

    /// Keeps a prepared block that is no longer needed, so the next block reuses its storage.
    func recycle(_ slices: PreparedSlices) {
        if spares.count < 2 { spares.append(slices) }
    }

    /// Projects `matrix` onto `directions` (d × m, one column per slice of the block) with one GEMM.
    func project(_ matrix: SampleMatrix, onto directions: [Double], into side: ReferenceWritableKeyPath<SliceScratch, [Double]>) {
        let d = matrix.columns, m = directions.count / max(d, 1)
        matrix.values.withUnsafeBufferPointer { data in
            directions.withUnsafeBufferPointer { dirs in
                self[keyPath: side].withUnsafeMutableBufferPointer { out in
                    BlockProjection.project(data: data, n: n, d: d, directions: dirs, m: m,
                                            into: UnsafeMutableBufferPointer(rebasing: out[0..<(n * m)]))
                }
            }
        }
        if side == \SliceScratch.first { firstColumns = m } else { secondColumns = m }
    }

    /// Projects float32 rows (n × d, row-major) onto `directions` into the first block: the same
    /// GEMM on rows widened to Double a block at a time (``BlockProjection``), so no Double copy of
    /// the whole matrix is made.
    func projectFloats(_ data: UnsafeBufferPointer<Float>, columns d: Int, onto directions: [Double]) {
        let m = directions.count / max(d, 1)
        directions.withUnsafeBufferPointer { dirs in
            first.withUnsafeMutableBufferPointer { out in
                BlockProjection.project(data: data, n: n, d: d, directions: dirs, widths: [m],
                                        into: UnsafeMutableBufferPointer(rebasing: out[0..<(n * m)]), widened: &widened)
            }
        }
        firstColumns = m
    }

    /// Float32 rows widened for a projection, kept between blocks (rowBlock × d doubles).
    var widened: [Double] = []

    /// The first projected block as `n × columns` values, row-major.
    func withFirst<R>(_ body: (UnsafeBufferPointer<Double>, Int) -> R) -> R {
        first.withUnsafeBufferPointer { body($0, firstColumns) }
    }

    /// Copies column `offset` of each projected block into contiguous buffers for `body`.
    func withColumns<R>(_ offset: Int, _ body: (UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> R) -> R {
        for i in 0..<n { a[i] = first[i * firstColumns + offset] }
        if secondColumns > 0 { for i in 0..<n { b[i] = second[i * secondColumns + offset] } }
        return a.withUnsafeMutableBufferPointer { pa in b.withUnsafeMutableBufferPointer { pb in body(pa, pb) } }
    }
}

/// Lets a value cross into `concurrentPerform`, where each worker writes disjoint indices.
struct UncheckedSendable<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
