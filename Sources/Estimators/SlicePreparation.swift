/// How each projected (or raw) variable is prepared before KSG sees it.
///
/// KSG's max-norm mixes the two sides' scales, so each variable is standardised to mean 0 and
/// standard deviation 1 (population standard deviation). Exact ties — dead ReLU units give
/// identical vectors, binary inputs give repeated values — make k-NN distances zero and the
/// estimate meaningless, so a deterministic jitter of `jitter` standard deviations is added
/// (uniform, from ``TieBreakingJitter``, keyed by the variable's identity). A constant variable
/// carries no information (constant up to a relative 1e-12): callers treat a slice with a
/// constant side as 0.
public struct SlicePreparation: Sendable, Equatable {
    /// Standardise to mean 0, standard deviation 1.
    public var standardize: Bool
    /// Jitter amplitude in standard deviations of the variable; 0 disables it.
    public var jitter: Double
    /// Seed of the jitter streams.
    public var seed: UInt64

    public init(standardize: Bool = true, jitter: Double = 1e-10, seed: UInt64 = 0) {
        self.standardize = standardize
        self.jitter = jitter
        self.seed = seed
    }

    /// Prepares `values` in place. `identity` names the variable (e.g. `["t", layer, j]`) so its
    /// jitter is the same whoever prepares it. Returns false if the variable is constant.
    @discardableResult
    public func prepare(_ values: UnsafeMutableBufferPointer<Double>, identity: [Int], purpose: String) -> Bool {
        let n = values.count
        guard n > 0 else { return false }
        var sum = 0.0
        for v in values { sum += v }
        let mean = sum / Double(n)
        var squares = 0.0, raw = 0.0
        for v in values {
            squares += (v - mean) * (v - mean)
            raw += v * v
        }
        let std = (squares / Double(n)).squareRoot()
        // Constant up to rounding (a projection of identical rows can differ in the last bits
        // between GEMM kernels): no information, not a variable to standardise.
        guard std > 1e-12 * (raw / Double(n)).squareRoot() else { return false }
        if standardize {
            let scale = 1 / std
            for i in 0..<n { values[i] = (values[i] - mean) * scale }
        }
        if jitter > 0 {
            let amplitude = jitter * (standardize ? 1 : std)
            let noise = TieBreakingJitter(seed: seed, purpose: purpose, identity: identity)
            for i in 0..<n { values[i] += amplitude * noise.value(i) }
        }
        return true
    }
}
