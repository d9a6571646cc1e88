import Estimators
import Foundation
import Support
import Testing

/// The 1-D fast path on arrays.
func fastKSG(_ x: [Double], _ y: [Double], k: Int, workspace: KSGWorkspace = KSGWorkspace()) -> Double {
    x.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { y in KSGEstimator(k: k).mutualInformation(x, y, workspace: workspace) }
    }
}

/// The general-dimension path on arrays.
func generalKSG(_ x: [Double], dx: Int, _ y: [Double], dy: Int, k: Int) -> Double {
    x.withUnsafeBufferPointer { x in
        y.withUnsafeBufferPointer { y in KSGEstimator(k: k).mutualInformation(x: x, dx: dx, y: y, dy: dy) }
    }
}

/// Named 1-D sample pairs that stress the exact semantics: ties, constants, heavy tails.
func pairedFixtures(n: Int, seed: Int) -> [(String, [Double], [Double])] {
    let (x, y) = Fixtures.gaussianPair(n: n, rho: 0, seed: seed)
    let (cx, cy) = Fixtures.gaussianPair(n: n, rho: 0.9, seed: seed + 1)
    let binary = x.map { $0 > 0 ? 1.0 : 0.0 }, binaryY = y.map { $0 > 0.3 ? 1.0 : 0.0 }
    // The first third of x is one constant value; the rest continuous.
    let block = x.enumerated().map { $0.offset < n / 3 ? 0.25 : $0.element }
    return [
        ("independent", x, y),
        ("correlated", cx, cy),
        ("rounded", Fixtures.rounded(cx), Fixtures.rounded(cy)),
        ("binary", binary, binaryY),
        ("binary x continuous y", binary, cy),
        ("constant block", block, Fixtures.rounded(y)),
        ("cauchy", Fixtures.cauchy(n: n, seed: seed), Fixtures.cauchy(n: n, seed: seed + 7)),
        ("negative zero", x.map { $0 > 0.5 ? -0.0 : $0 }, y.map { $0 < -0.5 ? 0.0 : $0 }),
    ]
}

struct KSGTests {
    @Test(arguments: [1, 3, 5, 10])
    func fastPathEqualsBruteForce(k: Int) {
        let workspace = KSGWorkspace()
        for n in [k + 1, k + 2, 23, 150, 600] {
            for (name, x, y) in pairedFixtures(n: n, seed: n + k) {
                let fast = fastKSG(x, y, k: k, workspace: workspace)
                let brute = BruteForce.ksg(x: x, y: y, k: k)
                #expect(fast == brute, "\(name), n = \(n), k = \(k): fast \(fast), brute force \(brute)")
            }
        }
    }

    @Test func everyNeighbourListSizeEqualsBruteForce() {
        // Each k picks a differently sized register list (frozen slots above 6, memory above 16).
        let workspace = KSGWorkspace()
        for k in [2, 4, 6, 7, 8, 9, 12, 16, 17, 25] {
            for (name, x, y) in pairedFixtures(n: 300, seed: k) where ["correlated", "rounded", "cauchy"].contains(name) {
                let fast = fastKSG(x, y, k: k, workspace: workspace)
                let brute = BruteForce.ksg(x: x, y: y, k: k)
                #expect(fast == brute, "\(name), k = \(k): fast \(fast), brute force \(brute)")
            }
        }
    }

    @Test func fastPathEqualsBruteForceOnALargerSample() {
        // n = 2000 spans many strips, so neighbour searches cross strip edges in every direction.
        let workspace = KSGWorkspace()
        for (name, x, y) in pairedFixtures(n: 2000, seed: 99) where ["correlated", "rounded", "cauchy"].contains(name) {
            let fast = fastKSG(x, y, k: 5, workspace: workspace)
            let brute = BruteForce.ksg(x: x, y: y, k: 5)
            #expect(fast == brute, "\(name): fast \(fast), brute force \(brute)")
        }
    }

    @Test func fastPathEqualsBruteForceWhereMarginalBucketsCrowd() {
        // The marginal counts' bucket index (KSGBucketIndex.swift) misses where a few outliers
        // make the buckets of the bulk crowded, where ties are broken far below a bucket's width,
        // and where the span is tiny against the magnitude; the fallbacks must keep it exact.
        let workspace = KSGWorkspace()
        let n = 2500
        let (x, y) = Fixtures.gaussianPair(n: n, rho: 0.6, seed: 31)
        var outliers = x
        outliers[7] = 4e5
        outliers[n - 3] = -2e6
        let cases: [(String, [Double], [Double])] = [
            ("outliers", outliers, y),
            ("clusters", x.map { ($0 * 3).rounded() + 1e-11 * $0 }, y.map { ($0 * 2).rounded() + 1e-11 * $0 }),
            ("offset", x.map { 1e8 + 1e-4 * $0 }, y),
        ]
        for (name, a, b) in cases {
            let fast = fastKSG(a, b, k: 5, workspace: workspace)
            let brute = BruteForce.ksg(x: a, y: b, k: 5)
            #expect(fast == brute, "\(name): fast \(fast), brute force \(brute)")
        }
    }

    @Test func generalDimensionsEqualBruteForce() {
        for (dx, dy) in [(1, 1), (2, 3), (5, 5), (1, 4), (9, 8)] {
            for k in [1, 3, 10] {
                let n = dx + dy > 16 ? 120 : 400
                let x = Fixtures.gaussianRows(n: n, d: dx, seed: k)
                let y = Fixtures.gaussianRows(n: n, d: dy, seed: k + 1, base: x, baseColumns: dx, rho: 0.7)
                let general = generalKSG(x, dx: dx, y, dy: dy, k: k)
                let brute = BruteForce.ksg(x: x, dx: dx, y: y, dy: dy, k: k)
                #expect(general == brute, "dx = \(dx), dy = \(dy), k = \(k): \(general) vs \(brute)")
                // Rounded rows: ties in every coordinate, with duplicates.
                let rx = Fixtures.rounded(x.map { $0 / 4 }), ry = Fixtures.rounded(y.map { $0 / 4 })
                let tiedGeneral = generalKSG(rx, dx: dx, ry, dy: dy, k: k)
                let tiedBrute = BruteForce.ksg(x: rx, dx: dx, y: ry, dy: dy, k: k)
                #expect(tiedGeneral == tiedBrute, "rounded dx = \(dx), dy = \(dy), k = \(k): \(tiedGeneral) vs \(tiedBrute)")
            }
        }
    }

    @Test func aWarmWorkspaceGivesTheSameAnswersAsAFreshOne() {
        let shared = KSGWorkspace()
        for n in [3000, 40, 700, 3000, 6] {
            let (x, y) = Fixtures.gaussianPair(n: n, rho: 0.5, seed: n)
            #expect(fastKSG(x, y, k: 5, workspace: shared) == fastKSG(x, y, k: 5))
        }
    }

    @Test func independentUniformsGiveNearlyZero() {
        var random = Fixtures.stream("independent-uniform")
        let x = (0..<5000).map { _ in random.nextUniform() }
        let y = (0..<5000).map { _ in random.nextUniform() }
        let estimate = fastKSG(x, y, k: 5)
        #expect(abs(estimate) < 0.02, "I = \(estimate)")
    }

    @Test func bivariateGaussianMatchesTheClosedForm() {
        let rho = 0.9
        let (x, y) = Fixtures.gaussianPair(n: 5000, rho: rho, seed: 5)
        let exact = -0.5 * log(1 - rho * rho)
        let estimate = fastKSG(x, y, k: 5)
        #expect(abs(estimate - exact) < 0.03, "I = \(estimate), exact \(exact)")
        // The general path agrees with the fast path on the same data.
        #expect(generalKSG(x, dx: 1, y, dy: 1, k: 5) == estimate)
    }

    @Test func validationNamesTheProblem() {
        func message(_ x: [Double], _ y: [Double], dx: Int = 1, dy: Int = 1, k: Int) -> String? {
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    do {
                        try KSGEstimator.validate(x: x, dx: dx, y: y, dy: dy, k: k, xName: "T", yName: "X")
                        return nil
                    } catch {
                        return (error as? InfoPlaneError)?.description
                    }
                }
            }
        }
        #expect(message([1, 2, 3, 4], [1, 2, 3, 4], k: 5) == "k = 5 needs at least 6 samples, got 4")
        #expect(message([1, 2, 3], [1, 2], k: 1)?.contains("T has 3 rows but X has 2") == true)
        var bad = (0..<30).map(Double.init)
        bad[17] = .nan
        #expect(message(bad, Array(repeating: 1, count: 30), k: 3) == "NaN or Inf in T at row 17")
        #expect(message(Array(repeating: 1, count: 30), bad.map { $0.isNaN ? .infinity : $0 }, dx: 1, dy: 1, k: 3)
            == "NaN or Inf in X at row 17")
        #expect(message(Array(repeating: 1, count: 30), Array(repeating: 1, count: 30), dx: 4, k: 3)?
            .contains("not a whole number of rows of 4") == true)
        #expect(message([1, 2], [1, 2], k: 0) == "k must be at least 1, got 0")
        #expect(message(Array(repeating: 1, count: 20), Array(repeating: 1, count: 30), dx: 2, dy: 3, k: 3) == nil)
    }
}
