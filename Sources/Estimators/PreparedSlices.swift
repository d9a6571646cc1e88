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

    /// The same slices with samples reordered: sample i takes sample `permutation[i]`'s value
    /// (for shuffle baselines, which pair each sample with another sample's partner).
    public func permutingSamples(_ permutation: [Int]) -> PreparedSlices {
        precondition(permutation.count == n, "a permutation of \(permutation.count) for \(n) samples")
        var copy = self
        for s in 0..<slices.count {
            for i in 0..<n { copy.values[s * n + i] = values[s * n + permutation[i]] }
        }
        return copy
    }
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
        return prepared(slices, scratch: scratch, purpose: "theta") { [$0] }
    }

    func preparedLayer(_ t: SampleMatrix, layer: Int, slices: Range<Int>, scratch: SliceScratch) -> PreparedSlices {
        scratch.project(t, onto: layerDirections(slices, layer: layer, dimension: t.columns), into: \.first)
        return prepared(slices, scratch: scratch, purpose: "phi") { [layer, $0] }
    }

    /// Columns of the scratch's first projected block, each prepared under its identity.
    private func prepared(_ slices: Range<Int>, scratch: SliceScratch, purpose: String,
                          identity: (Int) -> [Int]) -> PreparedSlices {
        let n = scratch.n
        var values = [Double](repeating: 0, count: slices.count * n)
        var varies = [Bool](repeating: false, count: slices.count)
        values.withUnsafeMutableBufferPointer { out in
            for (s, j) in slices.enumerated() {
                let column = UnsafeMutableBufferPointer(rebasing: out[(s * n)..<((s + 1) * n)])
                scratch.copyColumn(s, into: column)
                varies[s] = preparation.prepare(column, identity: identity(j), purpose: purpose)
            }
        }
        return PreparedSlices(slices: slices, n: n, values: values, varies: varies)
    }
}
