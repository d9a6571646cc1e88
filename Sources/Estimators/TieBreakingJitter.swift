import Randomness

/// Deterministic noise that breaks exact ties between samples before the k-NN estimators see
/// them: noise value i of a variable is a pure function of (seed, purpose, identity, i), so any
/// process, thread or block computing that variable adds the same noise.
///
/// Each value is uniform on [−√3, √3) (standard deviation 1) with 52 random bits, from the
/// SplitMix64 output at position i of the sequence keyed by the variable's stream identifier:
/// one multiply-xorshift mix per value, where Gaussian draws (Philox blocks, a logarithm, a sine
/// and a cosine per pair) cost twenty times as much. The estimators need only distinct values
/// at a negligible scale, not a particular distribution.
public struct TieBreakingJitter: Sendable {
    /// The sequence key of the variable.
    public let key: UInt64

    /// The jitter of the variable named by `purpose` (e.g. "phi") and `identity` (e.g. `[layer, j]`)
    /// under `seed`.
    public init(seed: UInt64, purpose: String, identity: [Int]) {
        self.init(seed: seed, stream: RandomStream.streamID("jitter." + purpose, identity))
    }

    /// The jitter of the variable with stream identifier `stream` (``tag(_:)`` extended by each
    /// index of the identity with ``stream(_:appending:)``) under `seed`.
    public init(seed: UInt64, stream: UInt64) {
        key = RandomStream.splitMix64(seed ^ stream)
    }

    /// The stream identifier of `purpose`'s jitter before any index of the identity.
    public static func tag(_ purpose: String) -> UInt64 {
        RandomStream.streamTag("jitter." + purpose)
    }

    /// `stream` extended by one index of the identity: `[layer, j]` is
    /// `stream(stream(tag(purpose), appending: layer), appending: j)`, with no array built.
    @inline(__always)
    public static func stream(_ stream: UInt64, appending index: Int) -> UInt64 {
        RandomStream.streamID(stream, appending: index)
    }

    /// Noise value `i`: uniform on [−√3, √3).
    @inline(__always)
    public func value(_ i: Int) -> Double {
        Self.value(atState: state(i))
    }

    /// The SplitMix64 sequence position of noise value `i`; value i + 1's is this `&+` ``step``,
    /// so a loop over consecutive values adds instead of multiplying (the same values).
    @inline(__always)
    public func state(_ i: Int) -> UInt64 {
        key &+ UInt64(bitPattern: Int64(i) &+ 1) &* Self.step
    }

    /// The distance between consecutive sequence positions (SplitMix64's golden-ratio increment).
    public static let step: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The noise value at sequence position `state` (``state(_:)``).
    @inline(__always)
    public static func value(atState state: UInt64) -> Double {
        let bits = RandomStream.splitMix64(state)
        // The top 52 bits as the mantissa of a double in [1, 2).
        let unit = Double(bitPattern: (bits >> 12) | 0x3FF0_0000_0000_0000)
        return (unit - 1.5) * 3.4641016151377544  // 2√3
    }
}
