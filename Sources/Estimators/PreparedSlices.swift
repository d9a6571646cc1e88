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
        return prepared(slices, scratch: scratch, purpose: "phi", layer: layer, reusing: &reuse)
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
        return prepared(slices, scratch: scratch, purpose: "phi", layer: layer, reusing: &reuse)
    }

    /// Y for the slices of `slices` (at most ``blockSize``), prepared as
    /// ``targetInformation(t:targets:layer:slices:)`` prepares it: a 1-D target as it is, a wider
    /// one projected by θ_j; each slice standardised and jittered under `("target", j)`.
    public func preparedTargets(_ y: SampleMatrix, slices: Range<Int>) -> PreparedSlices {
        let scratch = SliceScratch(n: y.rows, blockSize: slices.count)
        scratch.project(y, onto: y.columns == 1 ? [Double](repeating: 1, count: slices.count)
                                                : inputDirections(slices, dimension: y.columns), into: \.first)
        var none: PreparedSlices?
        return prepared(slices, scratch: scratch, purpose: "target", layer: nil, reusing: &none)
    }

    /// I(φ_jᵀT; Y) for each slice j of a prepared layer block and the prepared targets of the
    /// same slices (``preparedTargets(_:slices:)``): KSG between two continuous variables.
    public func targetInformation(_ t: PreparedSlices, targets: PreparedSlices, workspace: KSGWorkspace) -> [Double] {
        inputInformation(t, targets, workspace: workspace)
    }

    /// Every slice's ascending sort order of a prepared block, slice-major (n entries per slice),
    /// into `orders` (its storage reused when the size matches). Given to ``inputInformation(_:_:workspace:xOrders:tOrders:)``
    /// or ``labelInformation(_:labels:estimator:workspace:orders:)``, it spares them sorting the block's
    /// slices, so a block that several estimates read is sorted once; their values stay the same
    /// bit for bit (the estimators gather the sorted values from the order instead of sorting).
    public func sortOrders(_ block: PreparedSlices, into orders: inout [Int32], workspace: KSGWorkspace) {
        let n = block.n, count = block.slices.count * n
        if orders.count != count { orders = [Int32](repeating: 0, count: count) }
        block.values.withUnsafeBufferPointer { values in
            orders.withUnsafeMutableBufferPointer { out in
                for s in 0..<block.slices.count {
                    workspace.sortOrder(values.baseAddress! + s * n, count: n, into: out.baseAddress! + s * n)
                }
            }
        }
    }

    /// I(θ_jᵀX; φ_jᵀT) for each slice j of two prepared blocks of the same slices; `xOrders` and
    /// `tOrders`, when given, are the blocks' ``sortOrders(_:into:workspace:)`` (same values, less work).
    public func inputInformation(_ x: PreparedSlices, _ t: PreparedSlices, workspace: KSGWorkspace,
                                 xOrders: [Int32]? = nil, tOrders: [Int32]? = nil) -> [Double] {
        checkPair(x, t, xOrders: xOrders, tOrders: tOrders)
        let n = x.n
        // Index loops rather than `map`: unspecialised generic iteration allocates per element in debug builds.
        var results = [Double](repeating: 0, count: x.slices.count)
        x.values.withUnsafeBufferPointer { a in
            t.values.withUnsafeBufferPointer { b in
                withOptionalPointer(xOrders) { xo in
                    withOptionalPointer(tOrders) { to in
                        for s in 0..<x.slices.count where x.varies[s] && t.varies[s] {
                            results[s] = workspace.ksg(a.baseAddress! + s * n, b.baseAddress! + s * n, count: n, k: k,
                                                       xOrder: xo.map { $0 + s * n }, yOrder: to.map { $0 + s * n })
                        }
                    }
                }
            }
        }
        return results
    }

    /// Two prepared blocks KSG estimates against each other: the same slices and samples, sort
    /// orders (when given) of their size, and more samples than neighbours.
    private func checkPair(_ x: PreparedSlices, _ t: PreparedSlices, xOrders: [Int32]?, tOrders: [Int32]?) {
        precondition(x.slices == t.slices && x.n == t.n, "prepared blocks of different slices or samples")
        let n = x.n
        precondition(xOrders.map { $0.count == x.slices.count * n } ?? true, "sort orders of another block size")
        precondition(tOrders.map { $0.count == t.slices.count * n } ?? true, "sort orders of another block size")
        precondition(k >= 1 && n > k, "KSG: k = \(k) needs at least \(k + 1) samples, got \(n)")
    }

    /// The block with each slice's values in ascending order, by its ``sortOrders(_:into:workspace:)``
    /// (`varies` as it is): what ``inputAndLabelInformation(_:_:labels:workspace:xOrders:tOrders:xSorted:)``
    /// reads in order, for a block estimated many times.
    public func sortedValues(_ block: PreparedSlices, orders: [Int32]) -> PreparedSlices {
        precondition(orders.count == block.values.count, "sort orders of another block size")
        var sorted = block
        let n = block.n
        block.values.withUnsafeBufferPointer { values in
            orders.withUnsafeBufferPointer { order in
                sorted.values.withUnsafeMutableBufferPointer { out in
                    for s in 0..<block.slices.count {
                        gatherInOrder(values.baseAddress! + s * n, order: order.baseAddress! + s * n, count: n,
                                      into: out.baseAddress! + s * n)
                    }
                }
            }
        }
        return sorted
    }

    /// ``inputInformation(_:_:workspace:xOrders:tOrders:)`` and, with Ross's estimator,
    /// ``labelInformation(_:labels:estimator:workspace:orders:)`` of the same blocks (`tOrders`
    /// as `orders`) in one pass: each slice's φᵀT is sorted and indexed once for both (same values).
    /// With `xSorted`, `x` is ``sortedValues(_:orders:)`` of a block and `xOrders` (required)
    /// its sort orders: each slice is then read in order instead of gathered (same values).
    public func inputAndLabelInformation(_ x: PreparedSlices, _ t: PreparedSlices, labels: UnsafeBufferPointer<Int32>,
                                         workspace: KSGWorkspace, xOrders: [Int32]? = nil, tOrders: [Int32]? = nil,
                                         xSorted: Bool = false) -> (input: [Double], label: [Double]) {
        precondition(!xSorted || xOrders != nil, "a sorted block without its sort orders")
        checkPair(x, t, xOrders: xOrders, tOrders: tOrders)
        precondition(labels.count == t.n, "\(labels.count) labels for \(t.n) samples")
        let n = x.n
        var input = [Double](repeating: 0, count: x.slices.count), label = input
        x.values.withUnsafeBufferPointer { a in
            t.values.withUnsafeBufferPointer { b in
                withOptionalPointer(xOrders) { xo in
                    withOptionalPointer(tOrders) { to in
                        for s in 0..<t.slices.count where t.varies[s] {
                            let xs = a.baseAddress! + s * n, ts = b.baseAddress! + s * n
                            let xOrder = xo.map { $0 + s * n }, tOrder = to.map { $0 + s * n }
                            if x.varies[s] {
                                (input[s], label[s]) = workspace.ksgAndRoss(xs, ts, labels.baseAddress!, count: n, k: k,
                                                                            xOrder: xOrder, yOrder: tOrder, xSorted: xSorted)
                            } else {
                                label[s] = workspace.ross(ts, labels.baseAddress!, count: n, k: k, xOrder: tOrder)
                            }
                        }
                    }
                }
            }
        }
        return (input, label)
    }

    /// I(φ_jᵀT; Y) for each slice j of a prepared block and discrete labels; `orders`, when
    /// given, is the block's ``sortOrders(_:into:workspace:)`` (Ross's estimator then does not sort).
    public func labelInformation(_ t: PreparedSlices, labels: UnsafeBufferPointer<Int32>, estimator: DiscreteEstimator,
                                 workspace: KSGWorkspace, orders: [Int32]? = nil) -> [Double] {
        precondition(labels.count == t.n, "\(labels.count) labels for \(t.n) samples")
        precondition(orders.map { $0.count == t.slices.count * t.n } ?? true, "sort orders of another block size")
        let ross = MixedKSGEstimator(k: k)
        let micd = EntropyDifferenceEstimator(k: k)
        let n = t.n
        var results = [Double](repeating: 0, count: t.slices.count)
        t.values.withUnsafeBufferPointer { a in
            withOptionalPointer(orders) { order in
                for s in 0..<t.slices.count where t.varies[s] {
                    let column = UnsafeBufferPointer(start: a.baseAddress! + s * n, count: n)
                    switch estimator {
                    case .ross:
                        if let order {
                            precondition(k >= 1 && n >= 2, "Ross KSG: k = \(k) with \(n) samples")
                            results[s] = workspace.ross(column.baseAddress!, labels.baseAddress!, count: n, k: k,
                                                        xOrder: order + s * n)
                        } else {
                            results[s] = ross.mutualInformation(column, labels: labels, workspace: workspace)
                        }
                    case .entropyDifference: results[s] = micd.mutualInformation(x: column, dx: 1, labels: labels)
                    }
                }
            }
        }
        return results
    }

    /// θ_jᵀX of a block in the scratch's spare storage (hand it back with `scratch.recycle`).
    func preparedInputs(_ x: SampleMatrix, slices: Range<Int>, scratch: SliceScratch) -> PreparedSlices {
        scratch.project(x, onto: inputDirections(slices, dimension: x.columns), into: \.first)
        var reuse = scratch.spares.popLast()
        return prepared(slices, scratch: scratch, purpose: "theta", layer: nil, reusing: &reuse)
    }

    /// φ_jᵀT of a block in the scratch's spare storage (hand it back with `scratch.recycle`).
    func preparedLayer(_ t: SampleMatrix, layer: Int, slices: Range<Int>, scratch: SliceScratch) -> PreparedSlices {
        scratch.project(t, onto: layerDirections(slices, layer: layer, dimension: t.columns), into: \.first)
        var reuse = scratch.spares.popLast()
        return prepared(slices, scratch: scratch, purpose: "phi", layer: layer, reusing: &reuse)
    }

    /// Columns of the scratch's first projected block, each prepared under its identity
    /// (`[layer, j]`, or `[j]` without a layer) in the storage of `reusing` when given.
    /// Allocates nothing when `reusing` holds a block of the same size.
    private func prepared(_ slices: Range<Int>, scratch: SliceScratch, purpose: String, layer: Int?,
                          reusing: inout PreparedSlices?) -> PreparedSlices {
        scratch.withFirst { raw, columns in
            prepared(slices, raw: raw, columns: columns, n: scratch.n, purpose: purpose, layer: layer, reusing: &reusing)
        }
    }

    /// Columns `0 ..< slices.count` of `raw` (n × `columns`, row-major: a GEMM's output), each
    /// prepared under its identity (`[layer, j]`, or `[j]` without a layer) in the storage of
    /// `reusing` when given. Allocates nothing when `reusing` holds a block of the same size.
    func prepared(_ slices: Range<Int>, raw: UnsafeBufferPointer<Double>, columns: Int, n: Int, purpose: String, layer: Int?,
                  reusing: inout PreparedSlices?) -> PreparedSlices {
        let m = slices.count
        // Taken out of `reusing` so the arrays are uniquely referenced (no copy on write).
        var values = reusing?.values ?? []
        var varies = reusing?.varies ?? []
        reusing = nil
        // Every entry is written below, so fresh storage need not be zeroed first.
        if values.count != m * n { values = [Double](unsafeUninitializedCapacity: m * n) { $1 = m * n } }
        if varies.count != m { varies = [Bool](repeating: false, count: m) }
        var tag = TieBreakingJitter.tag(purpose)
        if let layer { tag = TieBreakingJitter.stream(tag, appending: layer) }
        let first = slices.lowerBound
        values.withUnsafeMutableBufferPointer { out in
            varies.withUnsafeMutableBufferPointer { flags in
                preparation.prepareColumns(raw.baseAddress!, rows: n, columns: m, stride: columns, into: out.baseAddress!,
                                           varies: flags.baseAddress!) {
                    TieBreakingJitter.stream(tag, appending: first + $0)
                }
            }
        }
        return PreparedSlices(slices: slices, n: n, values: values, varies: varies)
    }
}

/// `body` with a pointer to the elements of `array`, or nil without one.
@inline(__always)
private func withOptionalPointer<R>(_ array: [Int32]?, _ body: (UnsafePointer<Int32>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress!) }
}
