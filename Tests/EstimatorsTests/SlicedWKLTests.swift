import Foundation
import Testing
@testable import Estimators

/// Sliced and full mutual information with the weighted Kozachenko–Leonenko estimator.
struct SlicedWKLTests {
    static let pair = GaussianPair(dimension: 4, correlation: 0.8)

    /// Each slice is H(a) + H(b) − H(a,b) with the classical k-th-neighbour entropies of the very
    /// columns the KSG path prepares (in 1-D and 2-D the weights are e_k); 40 slices cross a
    /// block boundary, and the thread count does not change a bit.
    @Test func slicesAreTheClassicalEntropySumOfThePreparedProjections() {
        let (x, t) = Self.pair.sample(count: 400, seed: 4, indices: [1])
        let k = 4, layer = 2
        let one = SlicedMutualInformation(k: k, seed: 7, threads: 1)
        let values = one.weightedKLInputInformation(x: x, t: t, layer: layer, slices: 0..<40)
        let threaded = SlicedMutualInformation(k: k, seed: 7, threads: 3).weightedKLInputInformation(x: x, t: t, layer: layer, slices: 0..<40)
        #expect(values.map(\.bitPattern) == threaded.map(\.bitPattern))
        let classical = KozachenkoLeonenko(k: k)
        for block in [0..<32, 32..<40] {
            let a = one.preparedInputs(x, slices: block), b = one.preparedLayer(t, layer: layer, slices: block)
            for (s, j) in block.enumerated() {
                let first = Array(a.values[(s * 400)..<((s + 1) * 400)]), second = Array(b.values[(s * 400)..<((s + 1) * 400)])
                var joint: [Double] = []
                for i in 0..<400 { joint += [first[i], second[i]] }
                let expected = first.withUnsafeBufferPointer { classical.entropy(x: $0, d: 1) }
                    + second.withUnsafeBufferPointer { classical.entropy(x: $0, d: 1) }
                    - joint.withUnsafeBufferPointer { classical.entropy(x: $0, d: 2) }
                #expect(values[j] == expected, "slice \(j)")
            }
        }
    }

    /// With labels a slice is NPEET's micd on the projection: exactly the existing
    /// entropy-difference slices.
    @Test func labelSlicesEqualTheEntropyDifferenceSlices() {
        let labels = Fixtures.labels(n: 500, classes: 4, seed: 12)
        let t = SampleMatrix(rows: 500, columns: 3, values: Fixtures.classConditional(labels: labels, d: 3, separation: 0.6, seed: 12))
        let estimator = SlicedMutualInformation(k: 5, seed: 2, threads: 2)
        let wkl = estimator.weightedKLLabelInformation(t: t, labels: labels, layer: 1, slices: 3..<45)
        let micd = estimator.labelInformation(t: t, labels: labels, layer: 1, slices: 3..<45, estimator: .entropyDifference)
        #expect(wkl.map(\.bitPattern) == micd.map(\.bitPattern))
        #expect(wkl.allSatisfy { $0 > -0.05 } && wkl.reduce(0, +) / Double(wkl.count) > 0.05)
    }

    /// S1(X;Y) of a Gaussian pair against the exact information of the same directions. The
    /// tolerance follows the KSG test's pattern: 4 standard errors over slices, plus the
    /// entropy-sum estimator's bias on a 1-D pair (at most +0.02 nats for I ≤ 0.5 at n = 2000,
    /// k = 5, from the numpy reference over 40 datasets), plus 6% of the value for the sampling
    /// deviation of the one dataset that every slice shares.
    @Test func gaussianSlicedInformationMatchesTheExactSlices() {
        let (x, y) = Self.pair.sample(count: 2000, seed: 8, indices: [2])
        let estimator = SlicedMutualInformation(k: 5, seed: 5, threads: 2)
        let estimate = SlicedEstimate(values: estimator.weightedKLInputInformation(x: x, t: y, layer: 0, slices: 0..<96))
        let truth = SlicedEstimate(values: Self.pair.sliceInformation(of: estimator, layer: 0, slices: 0..<96)).mean
        let tolerance = 4 * estimate.standardError + 0.02 + 0.06 * truth
        #expect(abs(estimate.mean - truth) < tolerance, "estimate \(estimate.mean) ± \(estimate.standardError), truth \(truth)")
    }

    /// The full estimate in 2 + 2 dimensions (the joint has one bias condition) against
    /// I = −2·log(1 − ρ²)/2; tolerance as for the (2, 2) case of the accuracy tests.
    @Test func fullInformationOfAGaussianPair() {
        let pair = GaussianPair(dimension: 2, mutualInformation: 0.5)
        let (x, y) = pair.sample(count: 2000, seed: 9, indices: [3])
        let estimate = SlicedMutualInformation(k: 5, seed: 1).fullWeightedKLInformation(x: x, y: y)
        #expect(abs(estimate - 0.5) <= 0.2, "estimate \(estimate)")
        let constant = SampleMatrix(rows: 2000, columns: 2, values: [Double](repeating: 3, count: 4000))
        #expect(SlicedMutualInformation(k: 5, seed: 1).fullWeightedKLInformation(x: constant, y: y) == 0)
    }

    /// The full label estimate is the weighted entropy difference of the prepared columns.
    @Test func fullLabelInformationUsesThePreparedColumns() throws {
        let labels = Fixtures.labels(n: 600, classes: 3, seed: 4)
        let t = SampleMatrix(rows: 600, columns: 5, values: Fixtures.classConditional(labels: labels, d: 5, separation: 0.7, seed: 4))
        let estimator = SlicedMutualInformation(k: 6, seed: 3)
        let prepared = try #require(estimator.preparedColumns(t, purpose: "full.t"))
        let expected = prepared.values.withUnsafeBufferPointer { px in
            labels.withUnsafeBufferPointer { WeightedKozachenkoLeonenko(k: 6).mutualInformation(x: px, dx: 5, labels: $0) }
        }
        #expect(estimator.fullWeightedKLLabelInformation(t: t, labels: labels) == expected)
    }
}
