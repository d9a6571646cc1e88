/// One block of slices of one variable, projected and prepared (``SlicePreparation``): the n
/// values of slice `slices.lowerBound + s` are `values[s·n ..< (s+1)·n]`.
///
/// Preparing is the costly part of a slice that does not depend on the other variable, so a
/// pipeline prepares θᵀX once per block and reuses it for every layer and epoch; the values are
/// the ones ``SlicedMutualInformation/inputInformation(x:t:layer:slices:)`` computes internally.
public struct PreparedSlices: Sendable {
    /// The slice indices of the block.
    public let slices: Range<Int>
    /// Samples per slice.
    public let n: Int
    /// Prepared projections, slice-major.
    public internal(set) var values: [Double]
    /// false where a projection is constant (the slice's mutual information is 0).
    public internal(set) var varies: [Bool]

    /// The same slices with samples reordered, each slice by its own permutation: in slice s,
    /// sample i takes sample `permutations[s][i]`'s value (for shuffle baselines, which pair each
    /// sample with another sample's partner).
    public func permutingSamples(_ permutations: [[Int]]) -> PreparedSlices {
        precondition(permutations.count == slices.count, "\(permutations.count) permutations for \(slices.count) slices")
        var copy = self
        for (s, permutation) in permutations.enumerated() {
            precondition(permutation.count == n, "a permutation of \(permutation.count) for \(n) samples")
            for i in 0..<n { copy.values[s * n + i] = values[s * n + permutation[i]] }
        }
        return copy
    }
}

/// Buffers a caller keeps across blocks so that preparing a block allocates nothing once warm
/// (a pipeline worker prepares thousands of blocks; fresh multi-megabyte buffers each time
/// cost page faults and, under MPI's memory hooks, more).
public final class SliceBuffers {
    var scratch: SliceScratch?
    var spare: PreparedSlices?

    public init() {}

    func scratch(n: Int) -> SliceScratch {
        if let scratch, scratch.n == n { return scratch }
        let made = SliceScratch(n: n, blockSize: SlicedMutualInformation.blockSize)
        scratch = made
        return made
    }

    /// Hands back a block that is no longer needed, so its storage is reused.
    public func recycle(_ slices: PreparedSlices) { spare = slices }
}

extension SlicedMutualInformation {
    /// θ_j ᵀ X for the slices of `slices` (at most ``blockSize``, one GEMM), prepared.
    public func preparedInputs(_ x: SampleMatrix, slices: Range<Int>) -> PreparedSlices {
        preparedInputs(x, slices: slices, scratch: SliceScratch(n: x.rows, blockSize: slices.count))
    }

    /// φ_j ᵀ T_L for the slices of `slices` (at most ``blockSize``, one GEMM), prepared.
    public func preparedLayer(_ t: SampleMatrix, layer: Int, slices: Range<Int>) -> PreparedSlices {
        preparedLayer(t, layer: layer, slices: slices, scratch: SliceScratch(n: t.rows, blockSize: slices.count))
    }

    /// ``preparedLayer(_:layer:slices:)`` reusing `buffers` (at most ``blockSize`` slices).
    public func preparedLayer(_ t: SampleMatrix, layer: Int, slices: Range<Int>, buffers: SliceBuffers) -> PreparedSlices {
        precondition(slices.count <= Self.blockSize, "a block holds at most \(Self.blockSize) slices")
        let scratch = buffers.scratch(n: t.rows)
        scratch.project(t, onto: layerDirections(slices, layer: layer, dimension: t.columns), into: \.first)
        var reuse = buffers.spare
        buffers.spare = nil
        return prepared(slices, scratch: scratch, purpose: "phi", reusing: &reuse) { [layer, $0] }
    }

    /// ``preparedLayer(_:layer:slices:buffers:)`` for float32 activations as stored (n × `columns`,
    /// row-major): rows are widened to Double a block at a time inside the projection, which
    /// equals projecting the widened matrix, so the values are those of the Double path.
    public func preparedLayer(_ t: UnsafeBufferPointer<Float>, columns: Int, layer: Int, slices: Range<Int>,
                              buffers: SliceBuffers) -> PreparedSlices {
        precondition(slices.count <= Self.blockSize, "a block holds at most \(Self.blockSize) slices")
        precondition(columns > 0 && t.count % columns == 0, "\(t.count) values do not make rows of \(columns)")
        let scratch = buffers.scratch(n: t.count / columns)
        scratch.projectFloats(t, columns: columns, onto: layerDirections(slices, layer: layer, dimension: columns))
        var reuse = buffers.spare
        buffers.spare = nil
        return prepared(slices, scratch: scratch, purpose: "phi", reusing: &reuse) { [layer, $0] }
    }

    /// Y for the slices of `slices` (at most ``blockSize``), prepared as
    /// ``targetInformation(t:targets:layer:slices:)`` prepares it: a 1-D target as it is, a wider
    /// one projected by θ_j; each slice standardised and jittered under `("target", j)`.
    public func preparedTargets(_ y: SampleMatrix, slices: Range<Int>) -> PreparedSlices {
        let scratch = SliceScratch(n: y.rows, blockSize: slices.count)
        scratch.project(y, onto: y.columns == 1 ? [Double](repeating: 1, count: slices.count)
                                                : inputDirections(slices, dimension: y.columns), into: \.first)
        var none: PreparedSlices?
        return prepared(slices, scratch: scratch, purpose: "target", reusing: &none) { [$0] }
    }

    /// I(φ_jᵀT; Y) for each slice j of a prepared layer block and the prepared targets of the
    /// same slices (``preparedTargets(_:slices:)``): KSG between two continuous variables.
    public func targetInformation(_ t: PreparedSlices, targets: PreparedSlices, workspace: KSGWorkspace) -> [Double] {
        inputInformation(t, targets, workspace: workspace)
    }

    /// I(θ_jᵀX; φ_jᵀT) for each slice j of two prepared blocks of the same slices.
    public func inputInformation(_ x: PreparedSlices, _ t: PreparedSlices, workspace: KSGWorkspace) -> [Double] {
        precondition(x.slices == t.slices && x.n == t.n, "prepared blocks of different slices or samples")
        let estimator = KSGEstimator(k: k)
        let n = x.n
        return x.values.withUnsafeBufferPointer { a in
            t.values.withUnsafeBufferPointer { b in
                (0..<x.slices.count).map { s in
                    guard x.varies[s], t.varies[s] else { return 0 }
                    return estimator.mutualInformation(UnsafeBufferPointer(rebasing: a[(s * n)..<((s + 1) * n)]),
                                                       UnsafeBufferPointer(rebasing: b[(s * n)..<((s + 1) * n)]),
                                                       workspace: workspace)
                }
            }
        }
    }

    /// I(φ_jᵀT; Y) for each slice j of a prepared block and discrete labels.
    public func labelInformation(_ t: PreparedSlices, labels: UnsafeBufferPointer<Int32>, estimator: DiscreteEstimator,
                                 workspace: KSGWorkspace) -> [Double] {
        precondition(labels.count == t.n, "\(labels.count) labels for \(t.n) samples")
        let ross = MixedKSGEstimator(k: k)
        let micd = EntropyDifferenceEstimator(k: k)
        let n = t.n
        return t.values.withUnsafeBufferPointer { a in
            (0..<t.slices.count).map { s in
                guard t.varies[s] else { return 0 }
                let column = UnsafeBufferPointer(rebasing: a[(s * n)..<((s + 1) * n)])
                switch estimator {
                case .ross: return ross.mutualInformation(column, labels: labels, workspace: workspace)
                case .entropyDifference: return micd.mutualInformation(x: column, dx: 1, labels: labels)
                }
            }
        }
    }

    func preparedInputs(_ x: SampleMatrix, slices: Range<Int>, scratch: SliceScratch) -> PreparedSlices {
        scratch.project(x, onto: inputDirections(slices, dimension: x.columns), into: \.first)
        var none: PreparedSlices?
        return prepared(slices, scratch: scratch, purpose: "theta", reusing: &none) { [$0] }
    }

    func preparedLayer(_ t: SampleMatrix, layer: Int, slices: Range<Int>, scratch: SliceScratch) -> PreparedSlices {
        scratch.project(t, onto: layerDirections(slices, layer: layer, dimension: t.columns), into: \.first)
        var none: PreparedSlices?
        return prepared(slices, scratch: scratch, purpose: "phi", reusing: &none) { [layer, $0] }
    }

    /// Columns of the scratch's first projected block, each prepared under its identity (in the
    /// storage of `reusing` when given).
    private func prepared(_ slices: Range<Int>, scratch: SliceScratch, purpose: String, reusing: inout PreparedSlices?,
                          identity: (Int) -> [Int]) -> PreparedSlices {
        scratch.withFirst { raw, columns in
            prepared(slices, raw: raw, columns: columns, n: scratch.n, purpose: purpose, reusing: &reusing, identity: identity)
        }
    }

    /// Columns `0 ..< slices.count` of `raw` (n × `columns`, row-major: a GEMM's output), each
    /// prepared under its identity (in the storage of `reusing` when given).
    func prepared(_ slices: Range<Int>, raw: UnsafeBufferPointer<Double>, columns: Int, n: Int, purpose: String,
                  reusing: inout PreparedSlices?, identity: (Int) -> [Int]) -> PreparedSlices {
        // Taken out of `reusing` so the arrays are uniquely referenced (no copy on write).
        var values = reusing?.values ?? []
        var varies = reusing?.varies ?? []
        reusing = nil
        if values.count != slices.count * n { values = [Double](repeating: 0, count: slices.count * n) }
        if varies.count != slices.count { varies = [Bool](repeating: false, count: slices.count) }
        values.withUnsafeMutableBufferPointer { out in
            for (s, j) in slices.enumerated() {
                let column = UnsafeMutableBufferPointer(rebasing: out[(s * n)..<((s + 1) * n)])
                for i in 0..<n { column[i] = raw[i * columns + s] }
                varies[s] = preparation.prepare(column, identity: identity(j), purpose: purpose)
            }
        }
        return PreparedSlices(slices: slices, n: n, values: values, varies: varies)
    }
}
