import Foundation

/// A reproducible stream of random numbers identified by `(seed, stream)`.
///
/// Value `i` of the stream is Philox4x32-10 applied to the counter `(i, stream)` under the key
/// `seed`, so streams never overlap and a stream's values do not depend on who else draws what.
/// Derive stream identifiers with ``RandomStream/streamID(_:_:)`` from a purpose tag and indices
/// (for example `("projection.theta", layer, j)`); never share one stream between owners.
public struct RandomStream: Sendable {
    public let seed: UInt64
    public let stream: UInt64
    /// Index of the next 128-bit block to draw.
    public private(set) var counter: UInt64
    private var buffered: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var bufferedCount = 0
    private var spareGaussian: Double?

    /// A stream positioned at its first value.
    public init(seed: UInt64, stream: UInt64, counter: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
        self.counter = counter
    }

    /// A stream keyed by a purpose tag and any number of indices, e.g. `("init", layer)`.
    public init(seed: UInt64, purpose: String, _ indices: Int...) {
        self.init(seed: seed, stream: RandomStream.streamID(purpose, indices))
    }

    /// A 64-bit stream identifier from a purpose tag and indices, stable across processes,
    /// platforms and runs (FNV-1a over the tag, then SplitMix64 mixing of each index; Swift's
    /// `Hasher` is seeded per process and must not be used here).
    public static func streamID(_ purpose: String, _ indices: [Int]) -> UInt64 {
        var h = streamTag(purpose)
        for index in indices { h = streamID(h, appending: index) }
        return h
    }

    /// ``streamID(_:_:)`` of `purpose` with no indices (the FNV-1a hash of the tag), where the
    /// identifiers of that purpose start.
    public static func streamTag(_ purpose: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in purpose.utf8 {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// `id` with one more index mixed in, as ``streamID(_:_:)`` mixes each index: so
    /// `streamID(p, [a, b])` is `streamID(streamID(streamTag(p), appending: a), appending: b)`,
    /// which hot loops compute without building an array.
    @inlinable
    public static func streamID(_ id: UInt64, appending index: Int) -> UInt64 {
        splitMix64(id ^ splitMix64(UInt64(bitPattern: Int64(index)) &+ 0x9E37_79B9_7F4A_7C15))
    }

    /// The SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
    @inlinable
    public static func splitMix64(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The 128-bit block at `index` of this stream, without moving the stream.
    public func block(at index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        Philox4x32.block(
            counter: (UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32),
                      UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
            key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }

    /// The next 32 random bits.
    public mutating func nextUInt32() -> UInt32 {
        if bufferedCount == 0 {
            buffered = block(at: counter)
            counter &+= 1
            bufferedCount = 4
        }
        bufferedCount -= 1
        switch bufferedCount {
        case 3: return buffered.0
        case 2: return buffered.1
        case 1: return buffered.2
        default: return buffered.3
        }
    }

    /// The next 64 random bits.
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return (high << 32) | UInt64(nextUInt32())
    }

    /// A uniform double in the open interval (0, 1), with 53 random bits.
    public mutating func nextUniform() -> Double {
        (Double(nextUInt64() >> 11) + 0.5) * 0x1p-53
    }

    /// A standard normal deviate (Box–Muller; both deviates of a pair are used in turn).
    public mutating func nextGaussian() -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return spare
        }
        let u1 = nextUniform()
        let u2 = nextUniform()
        let radius = (-2.0 * Foundation.log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareGaussian = radius * Foundation.sin(angle)
        return radius * Foundation.cos(angle)
    }

    /// A uniform integer in `0..<bound`, without modulo bias (Lemire 2019).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = nextUInt64().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = nextUInt64().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(of count: Int) -> [Int] {
        var order = Array(0..<count)
        if count < 2 { return order }
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, nextInt(below: i + 1))
        }
        return order
    }
}
