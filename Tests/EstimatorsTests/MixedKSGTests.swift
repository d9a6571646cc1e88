import Estimators
import Support
import Testing

/// Ross's estimator through the 1-D fast path.
func fastRoss(_ x: [Double], _ labels: [Int32], k: Int, workspace: KSGWorkspace = KSGWorkspace()) -> Double {
    x.withUnsafeBufferPointer { x in
        labels.withUnsafeBufferPointer { labels in
            MixedKSGEstimator(k: k).mutualInformation(x, labels: labels, workspace: workspace)
        }
    }
}

/// Ross's estimator through the general-dimension path.
func generalRoss(_ x: [Double], dx: Int, _ labels: [Int32], k: Int) -> Double {
    x.withUnsafeBufferPointer { x in
        labels.withUnsafeBufferPointer { labels in MixedKSGEstimator(k: k).mutualInformation(x: x, dx: dx, labels: labels) }
    }
}

/// Labelled 1-D samples: informative, uninformative, tied, a singleton class, sparse label values.
func labelledFixtures(n: Int, seed: Int) -> [(String, [Double], [Int32])] {
    let labels = Fixtures.labels(n: n, classes: 4, seed: seed)
    let x = Fixtures.classConditional(labels: labels, separation: 0.8, seed: seed)
    var singleton = labels
    singleton[n / 2] = 9
    let sparse = labels.map { $0 == 0 ? Int32.min : ($0 == 1 ? 7 : ($0 == 2 ? 1_000_000_000 : -3)) }
    let twoClasses = labels.map { $0 % 2 }
    return [
        ("informative", x, labels),
        ("uninformative", Fixtures.cauchy(n: n, seed: seed), labels),
        ("rounded", Fixtures.rounded(x), labels),
        ("binary x", x.map { $0 > 1 ? 1 : 0 }, twoClasses),
        ("singleton class", x, singleton),
        ("sparse label values", x, sparse),
        ("ten classes", Fixtures.classConditional(labels: Fixtures.labels(n: n, classes: 10, seed: seed), separation: 0.3,
                                                   seed: seed + 1), Fixtures.labels(n: n, classes: 10, seed: seed)),
    ]
}

/// Whether labels have two classes and a class with two samples (what Ross's estimator needs).
func estimable(_ labels: [Int32]) -> Bool {
    var counts: [Int32: Int] = [:]
    for label in labels { counts[label, default: 0] += 1 }
    return counts.count > 1 && counts.values.contains { $0 > 1 }
}

struct MixedKSGTests {
    @Test(arguments: [1, 3, 5, 10])
    func fastPathEqualsBruteForce(k: Int) {
        let workspace = KSGWorkspace()
        for n in [4, 9, 60, 400, 1500] {
            for (name, x, labels) in labelledFixtures(n: n, seed: n * 7 + k) where estimable(labels) {
                let fast = fastRoss(x, labels, k: k, workspace: workspace)
                let brute = BruteForce.ross(x: x, labels: labels, k: k)
                #expect(fast == brute, "\(name), n = \(n), k = \(k): fast \(fast), brute force \(brute)")
            }
        }
    }

    @Test func fastPathEqualsBruteForceWhereBucketsCrowd() {
        // As KSGTests' test of the same name: outliers, clusters below a bucket's width, a tiny
        // span at a large magnitude, here with ten classes.
        let workspace = KSGWorkspace()
        let n = 2500
        let labels = Fixtures.labels(n: n, classes: 10, seed: 5)
        let x = Fixtures.classConditional(labels: labels, separation: 0.4, seed: 6)
        var outliers = x
        outliers[11] = 7e5
        outliers[n - 2] = -3e6
        for (name, values) in [("outliers", outliers), ("clusters", x.map { ($0 * 2).rounded() + 1e-11 * $0 }),
                               ("offset", x.map { 1e8 + 1e-4 * $0 })] {
            let fast = fastRoss(values, labels, k: 5, workspace: workspace)
            let brute = BruteForce.ross(x: values, labels: labels, k: 5)
            #expect(fast == brute, "\(name): fast \(fast), brute force \(brute)")
        }
    }

    @Test func generalDimensionsEqualBruteForce() {
        for dx in [2, 5, 17] {
            for k in [1, 4] {
                let n = dx > 16 ? 100 : 300
                let labels = Fixtures.labels(n: n, classes: 3, seed: dx + k)
                var withSingleton = labels
                withSingleton[0] = 42
                let x = Fixtures.classConditional(labels: labels, d: dx, separation: 0.7, seed: dx)
                for (name, data, y) in [("gaussian", x, labels), ("rounded", Fixtures.rounded(x), withSingleton)] {
                    let general = generalRoss(data, dx: dx, y, k: k)
                    let brute = BruteForce.ross(x: data, dx: dx, labels: y, k: k)
                    #expect(general == brute, "\(name), dx = \(dx), k = \(k): \(general) vs \(brute)")
                }
            }
        }
        // One column through the general entry point takes the fast path.
        let labels = Fixtures.labels(n: 200, classes: 3, seed: 1)
        let x = Fixtures.classConditional(labels: labels, separation: 1, seed: 1)
        #expect(generalRoss(x, dx: 1, labels, k: 3) == fastRoss(x, labels, k: 3))
    }

    @Test func aWarmWorkspaceGivesTheSameAnswersAsAFreshOne() {
        let shared = KSGWorkspace()
        for n in [2000, 30, 500, 2000] {
            let labels = Fixtures.labels(n: n, classes: 5, seed: n)
            let x = Fixtures.classConditional(labels: labels, separation: 0.5, seed: n)
            #expect(fastRoss(x, labels, k: 3, workspace: shared) == fastRoss(x, labels, k: 3))
            // The KSG fast path shares the workspace and must not disturb it either.
            _ = fastKSG(x, x.map { $0 * 2 + 1 }, k: 3, workspace: shared)
        }
    }

    /// The workspace reuses the class numbering of the last labels; labels changed in place in
    /// the same buffer (same count) must be noticed.
    @Test func labelsChangedInPlaceAreRenumbered() {
        let shared = KSGWorkspace()
        let n = 400
        var labels = Fixtures.labels(n: n, classes: 4, seed: 9)
        let x = Fixtures.classConditional(labels: labels, separation: 0.8, seed: 9)
        let estimator = MixedKSGEstimator(k: 5)
        x.withUnsafeBufferPointer { samples in labels.withUnsafeMutableBufferPointer { buffer in
            let first = estimator.mutualInformation(samples, labels: UnsafeBufferPointer(buffer), workspace: shared)
            #expect(first == fastRoss(x, Array(buffer), k: 5))
            // Merge two classes and relabel one sample: counts, sizes and ids all change.
            for i in 0..<n where buffer[i] == 3 { buffer[i] = 1 }
            buffer[7] = 40
            let second = estimator.mutualInformation(samples, labels: UnsafeBufferPointer(buffer), workspace: shared)
            #expect(second == fastRoss(x, Array(buffer), k: 5))
            #expect(second != first)
        } }
    }

    @Test func labelsIndependentOfXGiveNearlyZero() {
        let labels = Fixtures.labels(n: 5000, classes: 10, seed: 3)
        let x = Fixtures.gaussianRows(n: 5000, d: 1, seed: 3)
        let estimate = fastRoss(x, labels, k: 5)
        #expect(abs(estimate) < 0.03, "I = \(estimate)")
    }

    @Test func validationNamesTheProblem() {
        func message(_ x: [Double], _ labels: [Int32], dx: Int = 1, k: Int = 3) -> String? {
            x.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { labels in
                    do {
                        try MixedKSGEstimator.validate(x: x, dx: dx, labels: labels, k: k)
                        return nil
                    } catch {
                        return (error as? InfoPlaneError)?.description
                    }
                }
            }
        }
        #expect(message([1, 2, 3, 4], [2, 2, 2, 2])
            == "discrete Y has a single class: I(T;Y) is 0 by definition and KSG cannot estimate it; check the labels")
        #expect(message([1, 2, 3], [0, 1, 2])?.hasPrefix("every class of discrete Y has a single sample") == true)
        #expect(message([1, .nan, 3, 4], [0, 1, 0, 1]) == "NaN or Inf in T at row 1")
        #expect(message([1, 2, 3], [0, 1]) == "T has 3 rows but Y has 2; they must describe the same samples")
        #expect(message([1, 2, 3, 4], [0, 1, 0, 1], k: 0) == "k must be at least 1, got 0")
        #expect(message([1, 2, 3, 4], [0, 1, 0, 1]) == nil)
    }
}
