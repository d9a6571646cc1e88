import Foundation
import Testing
@testable import Learning

/// The 12-bit task: every pattern once, a label rule invariant under the icosahedron's rotations,
/// balanced labels, a seeded 85/15 split.
@Suite struct TishbyTaskTests {
    /// The vertex permutation a rotation induces (vertex i goes to vertex permutation[i]).
    static func permutation(rotating vertices: [[Double]], by r: [[Double]]) -> [Int] {
        vertices.map { v in
            let w = (0..<3).map { row in (0..<3).reduce(0.0) { $0 + r[row][$1] * v[$1] } }
            return vertices.firstIndex { u in zip(u, w).allSatisfy { abs($0 - $1) < 1e-9 } } ?? -1
        }
    }

    /// The rotation by `angle` about the unit axis `a` (Rodrigues' formula).
    static func rotation(axis: [Double], angle: Double) -> [[Double]] {
        let norm = axis.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let a = axis.map { $0 / norm }, c = cos(angle), s = sin(angle)
        let k = [[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]]
        return (0..<3).map { i in (0..<3).map { j in
            (i == j ? c : 0) + s * k[i][j] + (1 - c) * a[i] * a[j]
        } }
    }

    @Test func verticesFormARegularIcosahedron() {
        let v = TishbyTask.vertices
        #expect(v.count == 12)
        for i in 0..<12 {
            #expect(abs(v[i].reduce(0) { $0 + $1 * $1 } - 1) < 1e-12)
            let dots = (0..<12).filter { $0 != i }.map { j in zip(v[i], v[j]).reduce(0) { $0 + $1.0 * $1.1 } }
            #expect(dots.filter { abs($0 - 1 / 5.0.squareRoot()) < 1e-12 }.count == 5, "five neighbours")
            #expect(dots.filter { abs($0 + 1 / 5.0.squareRoot()) < 1e-12 }.count == 5, "five second neighbours")
            #expect(dots.filter { abs($0 + 1) < 1e-12 }.count == 1, "one antipode")
        }
    }

    @Test func ruleIsTheSquaredLengthOfTheResultant() {
        for pattern in 0..<TishbyTask.patterns {
            let x = TishbyTask.bits(of: pattern)
            let sum = (0..<3).map { c in (0..<12).reduce(0.0) { $0 + Double(x[$1]) * TishbyTask.vertices[$1][c] } }
            let direct = sum.reduce(0) { $0 + $1 * $1 }
            #expect(abs(TishbyTask.resultantSquaredLength(x) - direct) < 1e-12)
        }
    }

    @Test func labelsAreInvariantUnderRotationsOfTheIcosahedron() {
        let v = TishbyTask.vertices
        // A 5-fold turn about a vertex, a 3-fold turn about a face centre, a 2-fold turn about an edge midpoint.
        let face = [0, 1, 2].map { i in v[0][i] + v[1][i] + v[2][i] }
        let neighbours = (1..<12).filter { j in zip(v[0], v[j]).reduce(0) { $0 + $1.0 * $1.1 } > 0.4 }
        let edge = [0, 1, 2].map { i in v[0][i] + v[neighbours[0]][i] }
        for (axis, order) in [(v[0], 5.0), (face, 3.0), (edge, 2.0)] {
            let p = Self.permutation(rotating: v, by: Self.rotation(axis: axis, angle: 2 * .pi / order))
            #expect(Set(p) == Set(0..<12), "the rotation maps the icosahedron onto itself")
            #expect(p != Array(0..<12), "and moves it")
            for pattern in 0..<TishbyTask.patterns {
                let x = TishbyTask.bits(of: pattern)
                var rotated = [Int](repeating: 0, count: 12)
                for i in 0..<12 { rotated[p[i]] = x[i] }
                #expect(TishbyTask.label(rotated) == TishbyTask.label(x))
                #expect(TishbyTask.resultantSquaredLength(rotated) == TishbyTask.resultantSquaredLength(x), "bit-identical f")
            }
        }
        // The rule is not blind to geometry: exchanging a vertex with a non-neighbour changes labels.
        let far = (1..<12).first { j in abs(zip(v[0], v[j]).reduce(0) { $0 + $1.0 * $1.1 } + 1 / 5.0.squareRoot()) < 1e-9 }!
        let changed = (0..<TishbyTask.patterns).contains { pattern in
            var x = TishbyTask.bits(of: pattern)
            let label = TishbyTask.label(x)
            x.swapAt(1, far == 1 ? 2 : far)
            return TishbyTask.label(x) != label
        }
        #expect(changed)
    }

    @Test func everyPatternOnceWithBalancedLabels() throws {
        let data = try DatasetCatalog.load(DatasetSpec(name: "tishby-12bit", syntheticSeed: 3))
        #expect(data.classes == 2)
        #expect(data.train.count == 3482 && data.test.count == 614, "a random 85% trains")
        #expect(data.train.features == 12)
        let all = data.train.followed(by: data.test)
        let patterns = (0..<all.count).map { row in
            (0..<12).reduce(0) { $0 << 1 | Int(all.inputs[row, $1]) }
        }
        #expect(Set(patterns).count == 4096, "every 12-bit pattern exactly once")
        #expect(all.inputs.storage.allSatisfy { $0 == 0 || $0 == 1 })
        for (row, pattern) in patterns.enumerated() {
            #expect(all.labels[row] == TishbyTask.label(TishbyTask.bits(of: pattern)))
        }
        let ones = all.labels.filter { $0 == 1 }.count
        #expect(ones == 2036, "P(y = 1) = 2036/4096 as documented")
        #expect(abs(Double(ones) / 4096 - 0.5) < 0.01, "balanced within 0.01")
        // Both splits are in ascending pattern order.
        #expect(patterns[..<3482].elementsEqual(patterns[..<3482].sorted()))
        #expect(patterns[3482...].elementsEqual(patterns[3482...].sorted()))
    }

    @Test func splitIsSeededAndIdentityNamesIt() throws {
        let a = try DatasetCatalog.load(DatasetSpec(name: "tishby-12bit", syntheticSeed: 1))
        let b = try DatasetCatalog.load(DatasetSpec(name: "tishby-12bit", syntheticSeed: 1))
        let c = try DatasetCatalog.load(DatasetSpec(name: "tishby-12bit", syntheticSeed: 2))
        #expect(a.train == b.train && a.test == b.test && a.identity == b.identity)
        #expect(a.train != c.train)
        #expect(a.identity.sha256 != c.identity.sha256)
        #expect(a.identity.name == "tishby-12bit")
        #expect(DatasetCatalog.status(of: "tishby-12bit", directory: nil).isUsable)
    }
}
