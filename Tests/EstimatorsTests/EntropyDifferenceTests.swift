import Estimators
import Foundation
import Support
import Testing

func fastEntropy(_ x: [Double], k: Int, workspace: KSGWorkspace = KSGWorkspace()) -> Double {
    x.withUnsafeBufferPointer { KozachenkoLeonenko(k: k).entropy($0, workspace: workspace) }
}

func generalEntropy(_ x: [Double], d: Int, k: Int) -> Double {
    x.withUnsafeBufferPointer { KozachenkoLeonenko(k: k).entropy(x: $0, d: d) }
}

func fastEntropyDifference(_ x: [Double], _ labels: [Int32], k: Int, workspace: KSGWorkspace = KSGWorkspace()) -> Double {
    x.withUnsafeBufferPointer { x in
        labels.withUnsafeBufferPointer { labels in
            EntropyDifferenceEstimator(k: k).mutualInformation(x, labels: labels, workspace: workspace)
        }
    }
}

func generalEntropyDifference(_ x: [Double], dx: Int, _ labels: [Int32], k: Int) -> Double {
    x.withUnsafeBufferPointer { x in
        labels.withUnsafeBufferPointer { labels in
            EntropyDifferenceEstimator(k: k).mutualInformation(x: x, dx: dx, labels: labels)
        }
    }
}

struct EntropyDifferenceTests {
    @Test(arguments: [1, 3, 5, 10])
    func fastPathsEqualBruteForce(k: Int) {
        let workspace = KSGWorkspace()
        for n in [k + 1, 40, 300, 1200] {
            for (name, x, labels) in labelledFixtures(n: n, seed: n + 3 * k) where name != "rounded" && name != "binary x" {
                let entropy = fastEntropy(x, k: k, workspace: workspace)
                #expect(entropy == BruteForce.entropy(x: x, k: k), "H: \(name), n = \(n), k = \(k)")
                let difference = fastEntropyDifference(x, labels, k: k, workspace: workspace)
                let brute = BruteForce.entropyDifference(x: x, labels: labels, k: k)
                #expect(difference == brute, "\(name), n = \(n), k = \(k): fast \(difference), brute force \(brute)")
            }
        }
    }

    @Test func generalDimensionsEqualBruteForce() {
        for d in [2, 4, 18] {
            for k in [1, 3, 6] {
                let n = d > 16 ? 90 : 250
                let labels = Fixtures.labels(n: n, classes: 4, seed: d * k)
                let x = Fixtures.classConditional(labels: labels, d: d, separation: 0.6, seed: d)
                #expect(generalEntropy(x, d: d, k: k) == BruteForce.entropy(x: x, d: d, k: k), "H, d = \(d), k = \(k)")
                let general = generalEntropyDifference(x, dx: d, labels, k: k)
                let brute = BruteForce.entropyDifference(x: x, d: d, labels: labels, k: k)
                #expect(general == brute, "d = \(d), k = \(k): \(general) vs \(brute)")
            }
        }
    }

    @Test func smallClassesContributeTheMarginalEntropy() {
        // Class 7 has 3 samples ≤ k = 5: NPEET charges it p·H(X).
        var labels = Fixtures.labels(n: 400, classes: 2, seed: 11)
        labels[3] = 7; labels[50] = 7; labels[99] = 7
        let x = Fixtures.classConditional(labels: labels.map { $0 % 2 }, separation: 1, seed: 11)
        #expect(fastEntropyDifference(x, labels, k: 5) == BruteForce.entropyDifference(x: x, labels: labels, k: 5))
        // A single class: H(X) − H(X) exactly.
        #expect(fastEntropyDifference(x, [Int32](repeating: 1, count: 400), k: 5) == 0)
    }

    @Test func knownEntropies() {
        // Standard normal: ½ log(2πe) = 1.4189; uniform on (0, 1): 0.
        let gaussian = Fixtures.gaussianRows(n: 5000, d: 1, seed: 21)
        #expect(abs(fastEntropy(gaussian, k: 3) - 0.5 * log(2 * Double.pi * exp(1))) < 0.03)
        var random = Fixtures.stream("uniform-entropy")
        let uniform = (0..<5000).map { _ in random.nextUniform() }
        #expect(abs(fastEntropy(uniform, k: 3)) < 0.03)
    }

    @Test func validationNamesTheProblem() {
        func message(_ x: [Double], _ labels: [Int32], k: Int = 3) -> String? {
            x.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { labels in
                    do {
                        try EntropyDifferenceEstimator.validate(x: x, labels: labels, k: k)
                        return nil
                    } catch {
                        return (error as? InfoPlaneError)?.description
                    }
                }
            }
        }
        #expect(message([1, 2, 3], [0, 1, 0]) == "k = 3 needs at least 4 samples, got 3")
        #expect(message([1, 2, .infinity, 4, 5], [0, 1, 0, 1, 0]) == "NaN or Inf in T at row 2")
        #expect(message([1, 2, 3, 4, 5], [0, 1, 0, 1, 0]) == nil)
        let entropyError = [1.0, 2].withUnsafeBufferPointer { x in
            (try? KozachenkoLeonenko.validate(x: x, k: 2)) == nil
        }
        #expect(entropyError)
    }
}
