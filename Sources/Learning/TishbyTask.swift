import Foundation
import Randomness
import Support

/// The 12-bit task of Shwartz-Ziv & Tishby (2017): every one of the 4,096 binary patterns of
/// 12 bits, labelled by a rule that is invariant under rotations of the sphere.
///
/// Bit i sits on vertex v_i of a regular icosahedron inscribed in the unit sphere (12 points
/// spread uniformly over the 2-sphere, as in the original). The label is
///
///     y = 1  iff  f(x) = ‖Σ_i x_i v_i‖² > 2.5,
///
/// the squared length of the resultant of the points whose bit is 1: large when the 1-bits
/// cluster on one side of the sphere. Since v_i·v_j takes only the values 1, ±1/√5 and −1,
/// f(x) = k + (2/√5)(a − b) − 2c, with k the number of 1-bits and a, b, c the numbers of 1-bit
/// pairs that are neighbours (v_i·v_j = 1/√5), second neighbours (−1/√5) and antipodes. A
/// rotation of the icosahedron permutes the vertices and keeps every v_i·v_j, so it keeps f and
/// y. The threshold 2.5 lies between the attained values 2.211 and 2.894 and gives
/// P(y = 1) = 2036/4096 ≈ 0.497 (the original's labels are balanced to about 0.5).
public enum TishbyTask {
    /// Number of input bits.
    public static let bitCount = 12
    /// Number of patterns, 2^12.
    public static let patterns = 1 << bitCount
    /// The labelling threshold on f(x) = ‖Σ_i x_i v_i‖².
    public static let threshold = 2.5
    /// Fraction of the patterns in the training split (the original trained on a random 85%).
    public static let trainFraction = 0.85

    /// The 12 vertices of the regular icosahedron, unit length: the cyclic permutations of
    /// (0, ±1, ±φ), scaled by 1/√(1 + φ²). Vertex i carries bit i.
    public static let vertices: [[Double]] = {
        let phi = (1 + 5.0.squareRoot()) / 2
        let scale = 1 / (1 + phi * phi).squareRoot()
        var result: [[Double]] = []
        for s1 in [1.0, -1.0] {
            for s2 in [1.0, -1.0] {
                result += [[0, s1, s2 * phi], [s1, s2 * phi, 0], [s2 * phi, 0, s1]]
            }
        }
        return result.map { $0.map { $0 * scale } }
    }()

    /// Pattern p's bits, most significant first: bit i is (p >> (11 − i)) & 1.
    public static func bits(of pattern: Int) -> [Int] {
        (0..<bitCount).map { (pattern >> (bitCount - 1 - $0)) & 1 }
    }

    /// f(x) = ‖Σ_i x_i v_i‖², computed from the pair counts k, a, b, c so that patterns related
    /// by a symmetry get bit-identical values.
    public static func resultantSquaredLength(_ x: [Int]) -> Double {
        precondition(x.count == bitCount, "a pattern has \(bitCount) bits")
        var ones = 0, neighbours = 0, secondNeighbours = 0, antipodes = 0
        for i in 0..<bitCount where x[i] != 0 {
            ones += 1
            for j in (i + 1)..<bitCount where x[j] != 0 {
                let dot = zip(vertices[i], vertices[j]).reduce(0) { $0 + $1.0 * $1.1 }
                if dot > 0 { neighbours += 1 } else if dot > -0.5 { secondNeighbours += 1 } else { antipodes += 1 }
            }
        }
        return Double(ones) + 2 / 5.0.squareRoot() * Double(neighbours - secondNeighbours) - 2 * Double(antipodes)
    }

    /// The label of a pattern of 12 bits.
    public static func label(_ x: [Int]) -> Int32 {
        resultantSquaredLength(x) > threshold ? 1 : 0
    }

    /// The dataset: the training split is a random 85% of the patterns (3,482, chosen by the
    /// permutation of stream `("tishby.split")` under `seed`), the test split the other 614;
    /// both list their patterns in ascending order, so `evaluation_split: all` (train then test)
    /// holds every pattern exactly once.
    public static func dataset(seed: UInt64) -> Dataset {
        let trainCount = Int((Double(patterns) * trainFraction).rounded())
        var stream = RandomStream(seed: seed, purpose: "tishby.split")
        let order = stream.permutation(of: patterns)
        func split(_ members: [Int]) -> Split {
            let sorted = members.sorted()
            let storage = sorted.flatMap { bits(of: $0).map(Float.init) }
            return Split(inputs: Matrix(rows: sorted.count, columns: bitCount, storage: storage),
                         labels: sorted.map { label(bits(of: $0)) })
        }
        // Versioned so that a change to the rule or the split changes the identity.
        let canonical = "infoplane tishby-12bit v1: icosahedron resultant > \(threshold), train \(trainCount)/\(patterns) seed=\(seed)"
        let identity = DatasetIdentity(name: "tishby-12bit",
                                       source: "generated: 12-bit patterns, icosahedral rule, train \(trainCount) seed=\(seed)",
                                       sha256: SHA256.hex(Array(canonical.utf8)))
        return Dataset(identity: identity, train: split(Array(order[..<trainCount])),
                       test: split(Array(order[trainCount...])), classes: 2)
    }
}
