import Dispatch

/// One point of the known-MI benchmark: a sample of a ``GaussianPair``, full-dimension KSG and
/// sliced MI estimated on it, and the true values they estimate.
public struct KnownInformationPoint: Sendable, Equatable {
    /// The distribution sampled.
    public var pair: GaussianPair
    /// I(X;Y) in closed form.
    public var trueInformation: Double
    /// KSG in the full 2d dimensions.
    public var fullEstimate: Double
    /// S1(X;Y) in closed form (quadrature over θ·φ).
    public var trueSlicedInformation: Double
    /// The exact slice values averaged over the m directions the estimate used.
    public var trueSlicedOnSlices: Double
    /// S1(X;Y) by KSG per slice, averaged over m slices.
    public var slicedEstimate: SlicedEstimate

    /// Draws n samples of `pair` (stream indices `sampleIndices`) and estimates both quantities
    /// with `estimator` (slices 0..<m of layer 0). Also returns the seconds each estimate took.
    public static func measure(_ pair: GaussianPair, samples n: Int, slices m: Int, estimator: SlicedMutualInformation,
                               sampleIndices: [Int]) -> (point: KnownInformationPoint, fullSeconds: Double, slicedSeconds: Double) {
        let (x, y) = pair.sample(count: n, seed: estimator.seed, indices: sampleIndices)
        let start = DispatchTime.now().uptimeNanoseconds
        let full = estimator.fullInformation(x: x, y: y)
        let middle = DispatchTime.now().uptimeNanoseconds
        let sliced = SlicedEstimate(values: estimator.inputInformation(x: x, t: y, layer: 0, slices: 0..<m))
        let end = DispatchTime.now().uptimeNanoseconds
        let point = KnownInformationPoint(
            pair: pair, trueInformation: pair.mutualInformation, fullEstimate: full,
            trueSlicedInformation: pair.slicedMutualInformation,
            trueSlicedOnSlices: SlicedEstimate(values: pair.sliceInformation(of: estimator, layer: 0, slices: 0..<m)).mean,
            slicedEstimate: sliced)
        return (point, Double(middle - start) / 1e9, Double(end - middle) / 1e9)
    }
}

/// How well the estimates of one dimension follow the truth across the set values.
public struct KnownInformationSummary: Sendable, Equatable {
    /// The dimension d of X and of Y.
    public var dimension: Int
    /// Pearson correlation of full KSG with I(X;Y) over the points.
    public var fullCorrelation: Double
    /// Pearson correlation of the sliced estimate with S1(X;Y) over the points.
    public var slicedCorrelation: Double
    /// Σ(estimate − truth) / Σ truth over the points: the relative bias, weighted by the truth
    /// so that points near 0 nats (where any error is a large fraction) do not dominate it.
    public var fullRelativeBias: Double
    /// The same for the sliced estimate against S1(X;Y).
    public var slicedRelativeBias: Double
    /// Mean |estimate − truth| in nats.
    public var fullMeanAbsoluteError: Double
    /// Mean |estimate − truth| of the sliced estimate, nats.
    public var slicedMeanAbsoluteError: Double

    /// The summary of the points of one dimension (at least two, with different truths).
    public init(dimension: Int, points: [KnownInformationPoint]) {
        self.dimension = dimension
        let fullTruth = points.map(\.trueInformation), full = points.map(\.fullEstimate)
        let slicedTruth = points.map(\.trueSlicedInformation), sliced = points.map(\.slicedEstimate.mean)
        fullCorrelation = Self.pearson(full, fullTruth)
        slicedCorrelation = Self.pearson(sliced, slicedTruth)
        fullRelativeBias = Self.relativeBias(full, fullTruth)
        slicedRelativeBias = Self.relativeBias(sliced, slicedTruth)
        fullMeanAbsoluteError = Self.mean(zip(full, fullTruth).map { abs($0 - $1) })
        slicedMeanAbsoluteError = Self.mean(zip(sliced, slicedTruth).map { abs($0 - $1) })
    }

    /// The Pearson correlation coefficient of two equally long series; NaN if either is constant.
    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "pearson needs series of equal length")
        let ma = mean(a), mb = mean(b)
        var ab = 0.0, aa = 0.0, bb = 0.0
        for (u, v) in zip(a, b) {
            ab += (u - ma) * (v - mb)
            aa += (u - ma) * (u - ma)
            bb += (v - mb) * (v - mb)
        }
        return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : .nan
    }

    static func relativeBias(_ estimate: [Double], _ truth: [Double]) -> Double {
        let total = truth.reduce(0, +)
        return total > 0 ? zip(estimate, truth).reduce(0) { $0 + $1.0 - $1.1 } / total : .nan
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }
}
