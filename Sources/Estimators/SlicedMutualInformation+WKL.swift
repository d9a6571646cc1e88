import Dispatch

/// Sliced and full mutual information with the weighted Kozachenko–Leonenko estimator
/// (``WeightedKozachenkoLeonenko``) in place of KSG: the same directions, the same preparation
/// of each projected variable (``preparedInputs(_:slices:)``, ``preparedLayer(_:layer:slices:)``),
/// only the estimate of each slice differs.
///
/// A slice is one- or two-dimensional, where the weights are e_k (no bias condition below
/// d = 4): a 1-D × 1-D slice is H(a) + H(b) − H(a,b) with the classical k-th-neighbour
/// entropies, and a 1-D × labels slice equals ``DiscreteEstimator/entropyDifference`` (NPEET's
/// `micd`) exactly. The weights matter for the full estimates, in the data's own dimensions.
extension SlicedMutualInformation {
    /// I(θ_jᵀX; φ_jᵀT) by WKL for each slice j of two prepared blocks of the same slices (0 where
    /// a side is constant). Also serves a continuous target: pass its prepared block
    /// (``preparedTargets(_:slices:)``) as `x`.
    public func weightedKLInputInformation(_ x: PreparedSlices, _ t: PreparedSlices, workspace: KSGWorkspace) -> [Double] {
        precondition(x.slices == t.slices && x.n == t.n, "prepared blocks of different slices or samples")
        let estimator = WeightedKozachenkoLeonenko(k: k)
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

    /// I(φ_jᵀT; Y) by WKL for each slice j of a prepared block and discrete labels (0 where the
    /// projection is constant).
    public func weightedKLLabelInformation(_ t: PreparedSlices, labels: UnsafeBufferPointer<Int32>,
                                           workspace: KSGWorkspace) -> [Double] {
        precondition(labels.count == t.n, "\(labels.count) labels for \(t.n) samples")
        let estimator = WeightedKozachenkoLeonenko(k: k)
        let n = t.n
        return t.values.withUnsafeBufferPointer { a in
            (0..<t.slices.count).map { s in
                guard t.varies[s] else { return 0 }
                return estimator.mutualInformation(UnsafeBufferPointer(rebasing: a[(s * n)..<((s + 1) * n)]),
                                                   labels: labels, workspace: workspace)
            }
        }
    }

    /// S1(X;T) per slice for `slices` by WKL: both sides projected to 1-D and prepared as
    /// ``inputInformation(x:t:layer:slices:)`` prepares them.
    public func weightedKLInputInformation(x: SampleMatrix, t: SampleMatrix, layer: Int, slices: Range<Int>) -> [Double] {
        blockwise(slices) { block, buffers, workspace in
            let prepared = preparedLayer(t, layer: layer, slices: block, buffers: buffers)
            defer { buffers.recycle(prepared) }
            return weightedKLInputInformation(preparedInputs(x, slices: block), prepared, workspace: workspace)
        }
    }

    /// S1(T;Y) per slice for `slices` by WKL, for discrete labels: only T is projected.
    public func weightedKLLabelInformation(t: SampleMatrix, labels: [Int32], layer: Int, slices: Range<Int>) -> [Double] {
        blockwise(slices) { block, buffers, workspace in
            let prepared = preparedLayer(t, layer: layer, slices: block, buffers: buffers)
            defer { buffers.recycle(prepared) }
            return labels.withUnsafeBufferPointer { weightedKLLabelInformation(prepared, labels: $0, workspace: workspace) }
        }
    }

    /// I(X;Y) by WKL in the full dimensions, columns prepared as ``fullInformation(x:y:)``
    /// prepares them (constant columns dropped; all constant: 0).
    /// - Precondition: weights exist for k in the joint dimension (see
    ///   ``WeightedKozachenkoLeonenko/validate(x:dx:y:dy:k:xName:yName:)``).
    public func fullWeightedKLInformation(x: SampleMatrix, y: SampleMatrix) -> Double {
        guard let a = preparedColumns(x, purpose: "full.x"), let b = preparedColumns(y, purpose: "full.y") else { return 0 }
        return a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                WeightedKozachenkoLeonenko(k: k).mutualInformation(x: pa, dx: a.columns, y: pb, dy: b.columns)
            }
        }
    }

    /// I(T;Y) by WKL for discrete labels in the full dimensions of T, columns prepared as
    /// ``fullLabelInformation(t:labels:estimator:)`` prepares them.
    public func fullWeightedKLLabelInformation(t: SampleMatrix, labels: [Int32]) -> Double {
        guard let a = preparedColumns(t, purpose: "full.t") else { return 0 }
        return a.values.withUnsafeBufferPointer { pa in
            labels.withUnsafeBufferPointer { WeightedKozachenkoLeonenko(k: k).mutualInformation(x: pa, dx: a.columns, labels: $0) }
        }
    }

    /// Runs `body` on the blocks of ``blockSize`` slices of `slices` (from its lower bound), dealt
    /// round-robin to ``threads`` workers with their own buffers; values land at their slice's
    /// index, so the result does not depend on the thread count.
    private func blockwise(_ slices: Range<Int>,
                           _ body: (Range<Int>, SliceBuffers, KSGWorkspace) -> [Double]) -> [Double] {
        let blocks = stride(from: slices.lowerBound, to: slices.upperBound, by: Self.blockSize).map {
            $0..<min($0 + Self.blockSize, slices.upperBound)
        }
        var results = [Double](repeating: 0, count: slices.count)
        let workers = min(threads, max(1, blocks.count))
        results.withUnsafeMutableBufferPointer { out in
            let output = UncheckedSendable(out)
            withoutActuallyEscaping(body) { body in
                let work = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let buffers = SliceBuffers(), workspace = KSGWorkspace()
                    for index in stride(from: worker, to: blocks.count, by: workers) {
                        let block = blocks[index]
                        for (offset, value) in work.value(block, buffers, workspace).enumerated() {
                            output.value[block.lowerBound - slices.lowerBound + offset] = value
                        }
                    }
                }
            }
        }
        return results
    }
}
