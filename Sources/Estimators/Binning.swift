import Support

/// The equal-width binning estimator of Shwartz-Ziv & Tishby (2017) and Saxe et al. (2018).
///
/// Every unit of a layer is discretised into `bins` equal-width bins over one layer-wide range,
/// and each sample's vector of bin indices is one discrete symbol of T. Entropies are plug-in
/// (maximum-likelihood) entropies of those symbols, in nats. Symbols are compared exactly — two
/// samples share a symbol only if every unit falls in the same bin — and all sums run in an order
/// fixed by the data, so results are bit-reproducible across processes.
public struct BinningEstimator: Sendable {
    /// The number of equal-width bins per unit (Shwartz-Ziv & Tishby use 30).
    public var bins: Int = 30
    /// The range split into bins; nil uses the activations' own [min, max] over the whole layer.
    ///
    /// Values outside an explicit range are counted in the first or last bin.
    public var range: ClosedRange<Double>?

    /// An estimator with `bins` bins over `range` (nil: the layer's own minimum and maximum).
    public init(bins: Int = 30, range: ClosedRange<Double>? = nil) {
        self.bins = bins
        self.range = range
    }

    /// The bin of every value, as dense symbol identifiers of each sample's row of bins.
    ///
    /// Bin `b` is [lo + b·w, lo + (b+1)·w) with w = (hi − lo)/bins, except that values equal to
    /// `hi` fall in the last bin; a layer whose values are all equal puts everything in bin 0.
    /// - Returns: an identifier in `0..<count` per sample; equal identifiers mean equal bin rows.
    public func symbols(t: UnsafeBufferPointer<Float>, n: Int, d: Int) throws -> (ids: [Int], count: Int) {
        try binnedSymbols(t, n: n, d: d)
    }

    /// The bin rows of Double activations as dense symbols; see the Float overload.
    public func symbols(t: UnsafeBufferPointer<Double>, n: Int, d: Int) throws -> (ids: [Int], count: Int) {
        try binnedSymbols(t, n: n, d: d)
    }

    /// H(T): the plug-in entropy, in nats, of the binned activations `t` (n × d, row-major).
    public func entropy(t: UnsafeBufferPointer<Float>, n: Int, d: Int) throws -> Double {
        DiscreteEntropy.entropy(of: try binnedSymbols(t, n: n, d: d).ids)
    }

    /// H(T) of Double activations; see the Float overload.
    public func entropy(t: UnsafeBufferPointer<Double>, n: Int, d: Int) throws -> Double {
        DiscreteEntropy.entropy(of: try binnedSymbols(t, n: n, d: d).ids)
    }

    /// I(X;T) under the assumption that every one of the n inputs is distinct, where it equals H(T).
    ///
    /// T is then a deterministic function of X, so H(T|X) = 0 — the convention of Shwartz-Ziv &
    /// Tishby and Saxe et al. on datasets without duplicate inputs. When inputs repeat, use
    /// `mutualInformation(t:n:d:inputs:dx:)`, which subtracts H(T|X).
    public func mutualInformationWithInput(t: UnsafeBufferPointer<Float>, n: Int, d: Int) throws -> Double {
        try entropy(t: t, n: n, d: d)
    }

    /// I(X;T) = H(T) for Double activations when every input is distinct; see the Float overload.
    public func mutualInformationWithInput(t: UnsafeBufferPointer<Double>, n: Int, d: Int) throws -> Double {
        try entropy(t: t, n: n, d: d)
    }

    /// I(X;T) = H(T) − H(T|X), with X the exact rows of `inputs` (n × dx, row-major).
    ///
    /// H(T|X) = Σ_x p(x) H(T|X=x) over the distinct input rows, so repeated inputs whose
    /// activations differ (e.g. under dropout or noise) are accounted for; with distinct inputs
    /// this equals `mutualInformationWithInput(t:n:d:)`.
    public func mutualInformation(t: UnsafeBufferPointer<Float>, n: Int, d: Int,
                                  inputs: UnsafeBufferPointer<Float>, dx: Int) throws -> Double {
        try binnedInformation(t, n: n, d: d, inputs: inputs, dx: dx)
    }

    /// I(X;T) = H(T) − H(T|X) for Double activations and inputs; see the Float overload.
    public func mutualInformation(t: UnsafeBufferPointer<Double>, n: Int, d: Int,
                                  inputs: UnsafeBufferPointer<Double>, dx: Int) throws -> Double {
        try binnedInformation(t, n: n, d: d, inputs: inputs, dx: dx)
    }

    /// I(T;Y) = H(T) − Σ_y p(y) H(T|Y=y), with p(y) the empirical label frequencies.
    public func mutualInformationWithLabels(t: UnsafeBufferPointer<Float>, n: Int, d: Int,
                                            labels: [Int32]) throws -> Double {
        try binnedLabelInformation(t, n: n, d: d, labels: labels)
    }

    /// I(T;Y) for Double activations; see the Float overload.
    public func mutualInformationWithLabels(t: UnsafeBufferPointer<Double>, n: Int, d: Int,
                                            labels: [Int32]) throws -> Double {
        try binnedLabelInformation(t, n: n, d: d, labels: labels)
    }

    // MARK: Implementation (generic, specialised for Float and Double within the module)

    private func binnedInformation<T: BinaryFloatingPoint, X: BinaryFloatingPoint>(
        _ t: UnsafeBufferPointer<T>, n: Int, d: Int, inputs: UnsafeBufferPointer<X>, dx: Int
    ) throws -> Double {
        let tSymbols = try binnedSymbols(t, n: n, d: d)
        try ActivationChecks.check(inputs, n: n, d: dx, name: "inputs")
        let x = DiscreteEntropy.denseSymbols(values: inputs, n: n, width: dx)
        // H(T) − H(T|X) = H(T) + H(X) − H(T,X) for plug-in estimates.
        return DiscreteEntropy.entropy(of: tSymbols.ids) + DiscreteEntropy.entropy(of: x.ids)
            - DiscreteEntropy.jointEntropy(tSymbols.ids, x.ids, aCount: tSymbols.count)
    }

    private func binnedLabelInformation<T: BinaryFloatingPoint>(
        _ t: UnsafeBufferPointer<T>, n: Int, d: Int, labels: [Int32]
    ) throws -> Double {
        let tSymbols = try binnedSymbols(t, n: n, d: d)
        try ActivationChecks.checkLabels(labels, n: n)
        let y = DiscreteEntropy.labelGroups(labels).ids
        // Σ_y p(y) H(T|Y=y) = H(T,Y) − H(Y) for plug-in estimates.
        return DiscreteEntropy.entropy(of: tSymbols.ids) + DiscreteEntropy.entropy(of: y)
            - DiscreteEntropy.jointEntropy(tSymbols.ids, y, aCount: tSymbols.count)
    }

    private func binnedSymbols<T: BinaryFloatingPoint>(_ t: UnsafeBufferPointer<T>, n: Int, d: Int) throws
        -> (ids: [Int], count: Int) {
        guard bins >= 1 else { throw InfoPlaneError("bins must be at least 1 (got \(bins))") }
        try ActivationChecks.check(t, n: n, d: d)
        let lo: Double, hi: Double
        if let range {
            guard range.lowerBound.isFinite, range.upperBound.isFinite, range.upperBound > range.lowerBound else {
                throw InfoPlaneError("binning range \(range) must be finite with upper bound > lower bound; pass nil to use the layer's own range")
            }
            (lo, hi) = (range.lowerBound, range.upperBound)
        } else {
            var minimum = Double(t[0]), maximum = minimum
            for value in t {
                let v = Double(value)
                minimum = Swift.min(minimum, v)
                maximum = Swift.max(maximum, v)
            }
            (lo, hi) = (minimum, maximum)
        }
        // The narrowest code type that holds every bin index keeps hashing and comparing cheap.
        if bins <= Int(UInt8.max) + 1 {
            return binCodes(t, lo: lo, hi: hi, as: UInt8.self, width: d)
        } else if bins <= Int(UInt16.max) + 1 {
            return binCodes(t, lo: lo, hi: hi, as: UInt16.self, width: d)
        } else {
            return binCodes(t, lo: lo, hi: hi, as: UInt32.self, width: d)
        }
    }

    private func binCodes<T: BinaryFloatingPoint, Code: FixedWidthInteger & UnsignedInteger>(
        _ t: UnsafeBufferPointer<T>, lo: Double, hi: Double, as _: Code.Type, width: Int
    ) -> (ids: [Int], count: Int) {
        let last = bins - 1
        let binsAsDouble = Double(bins)
        // hi == lo only for a constant layer with its own range: everything shares bin 0.
        let scale = hi > lo ? binsAsDouble / (hi - lo) : 0
        let codes = [Code](unsafeUninitializedCapacity: t.count) { buffer, initialized in
            for index in 0..<t.count {
                let position = (Double(t[index]) - lo) * scale
                // Compare before converting so far-out values cannot overflow Int.
                let bin = position < 0 ? 0 : (position >= binsAsDouble ? last : Int(position))
                buffer[index] = Code(truncatingIfNeeded: bin)
            }
            initialized = t.count
        }
        return codes.withUnsafeBufferPointer {
            DiscreteEntropy.denseSymbols($0, n: t.count / width, width: width)
        }
    }
}
