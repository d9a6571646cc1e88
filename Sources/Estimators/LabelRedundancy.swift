/// How redundantly the units of one layer carry information about the label Y (in nats).
///
/// For a layer T = (T_1, …, T_w) and discrete labels Y:
/// - `units[i]` = I(T_i;Y): a single unit is 1-D, so its sliced information is the plain
///   (Ross, or micd) estimate on the unit itself, standardised and jittered like any slice;
///   a constant unit (a dead ReLU) carries no information and counts 0.
/// - `joint` = S1(T;Y) = E_φ I(φᵀT;Y) over the m directions φ_j of the layer — the same
///   directions, preparation and values as `plane.h5`'s `sty` for the same seed and m.
/// - `halfA`, `halfB` = S1(T_A;Y), S1(T_B;Y) for A = the first ⌈w/2⌉ units and B = the rest,
///   projected by directions from the layer's own streams (halves of equal width share φ_j:
///   common random numbers, so their difference is not slice noise).
///
/// From these: the redundancy ratio Σ_i I(T_i;Y) / S1(T;Y), and the minimum-information (MMI)
/// redundancy of the halves R_min = min(S1(T_A;Y), S1(T_B;Y)) and R_min / S1(T;Y).
public struct LabelRedundancy: Sendable, Equatable {
    /// I(T_i;Y) for each unit, in unit order.
    public var units: [Double]
    /// S1(T;Y) over the layer's m directions.
    public var joint: SlicedEstimate
    /// S1(T_A;Y) of the first ⌈w/2⌉ units.
    public var halfA: SlicedEstimate
    /// S1(T_B;Y) of the remaining ⌊w/2⌋ units.
    public var halfB: SlicedEstimate

    /// Units in half A for a layer of `width` units: ⌈width/2⌉.
    public static func halfAWidth(_ width: Int) -> Int { (width + 1) / 2 }

    /// Σ_i I(T_i;Y), summed in unit order.
    public var unitSum: Double { units.reduce(0, +) }

    /// Σ_i I(T_i;Y) / S1(T;Y). Each term and S1 are 1-D informations; the ratio is w × (mean unit
    /// information / mean random-direction information). Above 1 the units repeat label information
    /// (independent units could not: Σ_i I(T_i;Y) ≤ I(T;Y)) — but S1 ≤ I(T;Y), so it overstates the
    /// ratio to the full-dimensional information. NaN when S1(T;Y) is 0.
    public var ratio: Double { joint.mean == 0 ? .nan : unitSum / joint.mean }

    /// R_min = min(S1(T_A;Y), S1(T_B;Y)): the label information both halves carry at least.
    public var minimum: SlicedEstimate { halfB.mean < halfA.mean ? halfB : halfA }

    /// R_min / S1(T;Y): 1 when either half alone holds as much as the whole layer (a fully
    /// redundant split); near 0 when one half knows little about Y. NaN when S1(T;Y) is 0.
    public var minimumRatio: Double { joint.mean == 0 ? .nan : minimum.mean / joint.mean }

    /// The measures from their parts: each unit's I(T_i;Y), and the per-slice S1(T;Y) of the
    /// whole layer and of its two halves.
    public init(units: [Double], joint: SlicedEstimate, halfA: SlicedEstimate, halfB: SlicedEstimate) {
        self.units = units
        self.joint = joint
        self.halfA = halfA
        self.halfB = halfB
    }

    /// Rebuilds a result from ``flattened`` values of a layer of `width` units and `slices` slices.
    public init(flattened values: [Double], width: Int, slices m: Int) {
        precondition(values.count == Self.valueCount(width: width, slices: m),
                     "\(values.count) values do not hold a width-\(width) layer with \(m) slices")
        units = Array(values[0..<width])
        joint = SlicedEstimate(values: Array(values[width..<(width + m)]))
        halfA = SlicedEstimate(values: Array(values[(width + m)..<(width + 2 * m)]))
        halfB = SlicedEstimate(values: Array(values[(width + 2 * m)...]))
    }

    /// Unit values, then the per-slice joint, half-A and half-B values (for messages between ranks).
    public var flattened: [Double] { units + joint.values + halfA.values + halfB.values }

    /// How many values ``flattened`` holds.
    public static func valueCount(width: Int, slices: Int) -> Int { width + 3 * slices }

    /// Estimates every quantity for layer `layer`'s activations `t` (n × w, w ≥ 2).
    /// - Parameters:
    ///   - slices: m, the number of directions of the joint and of each half.
    ///   - estimator: k, seed, preparation and threads of the sliced estimates.
    ///   - discrete: the continuous-vs-label estimator (also used for the single units).
    public static func estimate(t: SampleMatrix, labels: [Int32], layer: Int, slices: Int,
                                estimator: SlicedMutualInformation, discrete: DiscreteEstimator) -> LabelRedundancy {
        precondition(t.columns >= 2, "a layer of \(t.columns) unit cannot be split into halves")
        let split = halfAWidth(t.columns)
        let all = 0..<slices
        return LabelRedundancy(
            units: unitInformation(t: t, labels: labels, layer: layer, estimator: estimator, discrete: discrete),
            joint: SlicedEstimate(values: estimator.labelInformation(t: t, labels: labels, layer: layer, slices: all, estimator: discrete)),
            halfA: SlicedEstimate(values: estimator.labelInformation(t: t.selectingColumns(0..<split), labels: labels,
                                                                     layer: layer, slices: all, estimator: discrete)),
            halfB: SlicedEstimate(values: estimator.labelInformation(t: t.selectingColumns(split..<t.columns), labels: labels,
                                                                     layer: layer, slices: all, estimator: discrete)))
    }

    /// I(T_i;Y) per unit: column i prepared under identity (layer, i) with purpose "unit".
    static func unitInformation(t: SampleMatrix, labels: [Int32], layer: Int, estimator: SlicedMutualInformation,
                                discrete: DiscreteEstimator) -> [Double] {
        let workspace = KSGWorkspace()
        var column = [Double](repeating: 0, count: t.rows)
        return labels.withUnsafeBufferPointer { y in
            (0..<t.columns).map { unit in
                for row in 0..<t.rows { column[row] = t.values[row * t.columns + unit] }
                return column.withUnsafeMutableBufferPointer { c -> Double in
                    guard estimator.preparation.prepare(c, identity: [layer, unit], purpose: "unit") else { return 0 }
                    switch discrete {
                    case .ross:
                        return MixedKSGEstimator(k: estimator.k).mutualInformation(UnsafeBufferPointer(c), labels: y, workspace: workspace)
                    case .entropyDifference:
                        return EntropyDifferenceEstimator(k: estimator.k).mutualInformation(x: UnsafeBufferPointer(c), dx: 1, labels: y)
                    }
                }
            }
        }
    }
}

extension SampleMatrix {
    /// The columns in `range`, as a new n × range.count matrix.
    public func selectingColumns(_ range: Range<Int>) -> SampleMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= columns, "columns \(range) of a \(columns)-column matrix")
        var out = [Double](repeating: 0, count: rows * range.count)
        for r in 0..<rows {
            for (c, source) in range.enumerated() { out[r * range.count + c] = values[r * columns + source] }
        }
        return SampleMatrix(rows: rows, columns: range.count, values: out)
    }
}
