import Support
import Foundation
import Testing
@testable import Estimators

/// H(N(0, I_d)) = (d/2)·log(2πe) in nats.
private func gaussianEntropy(_ d: Int) -> Double { 0.5 * Double(d) * log(2 * Double.pi * exp(1.0)) }

private func wkl(_ x: [Double], d: Int, k: Int) -> Double {
    x.withUnsafeBufferPointer { WeightedKozachenkoLeonenko(k: k).entropy(x: $0, d: d) }
}

private func wkl(_ x: [Double], d: Int, weights: KozachenkoLeonenkoWeights) -> Double {
    x.withUnsafeBufferPointer { WeightedKozachenkoLeonenko.entropy(x: $0, d: d, weights: weights) }
}

private func wklInformation(_ x: [Double], dx: Int, _ y: [Double], dy: Int, k: Int) -> Double {
    x.withUnsafeBufferPointer { px in
        y.withUnsafeBufferPointer { py in WeightedKozachenkoLeonenko(k: k).mutualInformation(x: px, dx: dx, y: py, dy: dy) }
    }
}

/// The paper's conditions, evaluated directly: Σ w_j and Σ w_j Γ(j + 2ℓ/d)/Γ(j) for ℓ = 1…⌊d/4⌋.
private func conditionSums(_ w: KozachenkoLeonenkoWeights) -> [Double] {
    let d = Double(w.dimension)
    return (0...(w.dimension / 4)).map { (l: Int) -> Double in
        var sum = 0.0
        for (j, weight) in zip(w.support, w.weights) {
            let ratio = l == 0 ? 1.0 : exp(lgamma(Double(j) + 2 * Double(l) / d) - lgamma(Double(j)))
            sum += weight * ratio
        }
        return sum
    }
}

struct KozachenkoLeonenkoWeightsTests {
    @Test(arguments: [1, 2, 3])
    func lowDimensionsUseTheKthNeighbourAlone(d: Int) throws {
        for k in [1, 5, 25] {
            let w = try KozachenkoLeonenkoWeights(k: k, dimension: d)
            #expect(w.support == [k] && w.weights == [1], "d = \(d), k = \(k): \(w)")
            #expect(w == KozachenkoLeonenkoWeights(unweighted: k, dimension: d))
        }
    }

    @Test(arguments: [(5, 4), (5, 5), (5, 8), (5, 10), (10, 10), (25, 5), (25, 10), (25, 16), (25, 24), (60, 24)])
    func weightsMeetThePaperConditions(k: Int, d: Int) throws {
        let w = try KozachenkoLeonenkoWeights(k: k, dimension: d)
        // Support: {⌊ik/d⌋ : i = 1…d} without 0.
        let expected = Array(Set((1...d).map { $0 * k / d }).subtracting([0])).sorted()
        #expect(w.support == expected)
        #expect(w.support.last == k)
        let sums = conditionSums(w)
        let scale = w.weights.map(abs).reduce(0, +)
        #expect(abs(sums[0] - 1) <= 1e-12 * scale, "Σ w = \(sums[0])")
        for l in 1..<sums.count {
            #expect(abs(sums[l]) <= 1e-12 * scale, "ℓ = \(l): Σ w_j Γ(j + 2ℓ/d)/Γ(j) = \(sums[l])")
        }
        #expect(w.values.count == k && w.values.reduce(0, +) == w.weights.reduce(0, +))
    }

    /// The minimum-norm solution is unique, so numpy's SVD least squares must find the same one.
    @Test func weightsMatchTheNumpyMinimumNormSolution() throws {
        let shapes = [(5, 4), (5, 7), (5, 10), (25, 5), (25, 10), (10, 12), (25, 13), (40, 16)]
        let results = try ReferenceScript.run("wkl_reference.py", cases: shapes.map { #"{"kind":"weights","k":\#($0.0),"d":\#($0.1)}"# })
        for ((k, d), reference) in zip(shapes, results) {
            let w = try KozachenkoLeonenkoWeights(k: k, dimension: d)
            let support = try #require((reference["support"] as? [NSNumber])?.map(\.intValue))
            let weights = try ReferenceScript.doubles(reference, "weights")
            #expect(w.support == support, "k = \(k), d = \(d)")
            let scale = weights.map(abs).max()!
            for (ours, theirs) in zip(w.weights, weights) {
                #expect(abs(ours - theirs) <= 1e-9 * scale, "k = \(k), d = \(d): \(w.weights) vs \(weights)")
            }
        }
    }

    @Test func tooFewNeighboursForTheDimensionIsAnError() throws {
        // d = 20 has ⌊20/4⌋ = 5 bias conditions, so 6 orders are needed.
        #expect(throws: InfoPlaneError.self) { try KozachenkoLeonenkoWeights(k: 5, dimension: 20) }
        do {
            _ = try KozachenkoLeonenkoWeights(k: 5, dimension: 20)
        } catch let error as InfoPlaneError {
            #expect(error.description.contains("k ≥ 6") && !error.description.contains("\n"), "\(error)")
        }
        #expect(try KozachenkoLeonenkoWeights(k: 6, dimension: 20).support.count == 6)
        let x = Fixtures.gaussianRows(n: 50, d: 10, seed: 1)
        #expect(throws: InfoPlaneError.self) {
            try x.withUnsafeBufferPointer { try WeightedKozachenkoLeonenko.validate(x: $0, dx: 10, y: $0, dy: 10, k: 5) }
        }
        // k = 8 in d = 31 has enough orders, but a condition number near 10¹²: refused.
        #expect(throws: InfoPlaneError.self) { try KozachenkoLeonenkoWeights(k: 8, dimension: 31) }
        #expect(throws: InfoPlaneError.self) { try KozachenkoLeonenkoWeights(k: 25, dimension: 40) }
        #expect(throws: InfoPlaneError.self) { try KozachenkoLeonenkoWeights(k: 0, dimension: 2) }
        #expect(throws: InfoPlaneError.self) { try KozachenkoLeonenkoWeights(k: 5, dimension: 0) }
    }
}

struct WeightedKozachenkoLeonenkoTests {
    /// With w = e_k the estimator is the classical one: equal to ``KozachenkoLeonenko`` bit for
    /// bit, through the kd-tree (d ≤ 16) and brute force (d = 18), and with the weights chosen
    /// for d ≤ 3 (which are e_k).
    @Test(arguments: [1, 2, 3, 5, 10, 18])
    func unweightedEqualsKozachenkoLeonenko(d: Int) throws {
        for k in [1, 4, 25] {
            let x = Fixtures.gaussianRows(n: d > 16 ? 150 : 400, d: d, seed: 10 * d + k)
            let classical = x.withUnsafeBufferPointer { KozachenkoLeonenko(k: k).entropy(x: $0, d: d) }
            #expect(wkl(x, d: d, weights: KozachenkoLeonenkoWeights(unweighted: k, dimension: d)) == classical, "d = \(d), k = \(k)")
            if d <= 3 { #expect(wkl(x, d: d, k: k) == classical, "d = \(d), k = \(k)") }
            if d == 1 {
                let fast = x.withUnsafeBufferPointer { WeightedKozachenkoLeonenko(k: k).entropy($0, workspace: KSGWorkspace()) }
                #expect(fast == classical)
            }
        }
    }

    /// Several orders from one search: Σ w_j Ĥ_j equals the KL estimates of each order k = j,
    /// combined in ascending j.
    @Test(arguments: [1, 3, 7, 20])
    func ordersCombineTheKthNeighbourEstimates(d: Int) {
        let x = Fixtures.gaussianRows(n: 300, d: d, seed: 77 + d)
        let values = [0.5, 0, -1.25, 0, 0, 2.0, 0.125]
        var expected = 0.0
        for (index, w) in values.enumerated() where w != 0 {
            expected += w * x.withUnsafeBufferPointer { KozachenkoLeonenko(k: index + 1).entropy(x: $0, d: d) }
        }
        let weights = KozachenkoLeonenkoWeights(values: values, dimension: d)
        #expect(weights.support == [1, 3, 6, 7])
        #expect(wkl(x, d: d, weights: weights) == expected)
    }

    /// Mutual information is the sum of three entropies; where every weight is e_k (joint
    /// dimension ≤ 3) the label form is NPEET's micd and the continuous form the classical
    /// 3-entropy KL estimate, exactly.
    @Test func mutualInformationReducesToTheClassicalForms() {
        let labels = Fixtures.labels(n: 600, classes: 4, seed: 3)
        for dx in [1, 2, 3] {
            let x = Fixtures.classConditional(labels: labels, d: dx, separation: 0.7, seed: dx)
            let ours = x.withUnsafeBufferPointer { px in
                labels.withUnsafeBufferPointer { WeightedKozachenkoLeonenko(k: 5).mutualInformation(x: px, dx: dx, labels: $0) }
            }
            #expect(ours == generalEntropyDifference(x, dx: dx, labels, k: 5), "dx = \(dx)")
            if dx == 1 {
                let fast = x.withUnsafeBufferPointer { px in
                    labels.withUnsafeBufferPointer { WeightedKozachenkoLeonenko(k: 5).mutualInformation(px, labels: $0, workspace: KSGWorkspace()) }
                }
                #expect(fast == fastEntropyDifference(x, labels, k: 5))
            }
        }
        let (x, y) = Fixtures.gaussianPair(n: 700, rho: 0.6, seed: 5)
        var joint: [Double] = []
        for i in 0..<x.count { joint += [x[i], y[i]] }
        let classical = generalEntropy(x, d: 1, k: 5) + generalEntropy(y, d: 1, k: 5) - generalEntropy(joint, d: 2, k: 5)
        let fast = x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { WeightedKozachenkoLeonenko(k: 5).mutualInformation(px, $0, workspace: KSGWorkspace()) }
        }
        #expect(fast == classical)
        #expect(wklInformation(x, dx: 1, y, dy: 1, k: 5) == classical)
    }

    /// With labels and weights in force (d = 5), each class's entropy is the weighted estimate
    /// on that class's rows alone, and a class of at most k samples is charged p·H(X).
    @Test func labelInformationIsTheWeightedEntropyDifference() {
        let d = 5, k = 5
        var labels = Fixtures.labels(n: 900, classes: 3, seed: 9)
        for i in [4, 50, 300] { labels[i] = 8 }
        let x = Fixtures.classConditional(labels: labels.map { $0 % 3 }, d: d, separation: 0.8, seed: 9)
        let marginal = wkl(x, d: d, k: k)
        var conditional = 0.0
        for label in Array(Set(labels)).sorted() {
            let rows = labels.indices.filter { labels[$0] == label }
            let p = Double(rows.count) / Double(labels.count)
            guard rows.count > k else {
                conditional += p * marginal
                continue
            }
            conditional += p * wkl(rows.flatMap { x[($0 * d)..<(($0 + 1) * d)] }, d: d, k: k)
        }
        let ours = x.withUnsafeBufferPointer { px in
            labels.withUnsafeBufferPointer { WeightedKozachenkoLeonenko(k: k).mutualInformation(x: px, dx: d, labels: $0) }
        }
        #expect(ours == marginal - conditional)
        #expect(ours > 0.1, "classes 0–2 are separated: \(ours)")
    }

    /// Against an independent numpy/scipy implementation (cKDTree, p = ∞) with the weights
    /// non-trivial (d ≥ 4) and trivial.
    @Test func matchesTheNumpyReference() throws {
        var cases: [String] = [], ours: [Double] = [], names: [String] = []
        for (d, k, n) in [(1, 5, 500), (2, 3, 500), (4, 5, 600), (5, 5, 600), (10, 5, 800), (10, 25, 800), (18, 9, 300)] {
            let x = Fixtures.gaussianRows(n: n, d: d, seed: 200 + d + k)
            cases.append(#"{"kind":"entropy","k":\#(k),"d":\#(d),"x":\#(ReferenceScript.list(x))}"#)
            ours.append(wkl(x, d: d, k: k))
            names.append("H d = \(d), k = \(k)")
        }
        for (dx, dy, k) in [(1, 1, 5), (2, 2, 5), (2, 3, 4), (5, 5, 5)] {
            let x = Fixtures.gaussianRows(n: 700, d: dx, seed: dx)
            let y = Fixtures.gaussianRows(n: 700, d: dy, seed: dy + 10, base: x, baseColumns: dx, rho: 0.6)
            cases.append(#"{"kind":"mi","k":\#(k),"dx":\#(dx),"dy":\#(dy),"x":\#(ReferenceScript.list(x)),"y":\#(ReferenceScript.list(y))}"#)
            ours.append(wklInformation(x, dx: dx, y, dy: dy, k: k))
            names.append("I dx = \(dx), dy = \(dy), k = \(k)")
        }
        let results = try ReferenceScript.run("wkl_reference.py", cases: cases)
        for ((name, value), reference) in zip(zip(names, ours), results) {
            let expected = try #require((reference["value"] as? NSNumber)?.doubleValue)
            #expect(abs(value - expected) <= 1e-9 * max(1, abs(expected)), "\(name): ours \(value), reference \(expected)")
        }
    }
}

/// Accuracy against closed forms on Gaussian samples.
///
/// Each tolerance is |bias| + 4 standard deviations of the (averaged) estimate, both measured
/// with the numpy reference (analysis/reference/wkl_reference.py) over 40 samples of the same
/// shape: bias shrinks with n and the spread like 1/√n, and in d ≥ 5 the weights
/// (‖w‖ ≈ 2 at d = 5, 12 at d = 10) inflate the spread, so those cases average `repeats`
/// independent samples rather than grow n. The seeds are fixed, so each test is deterministic;
/// the margin says how far a correct estimator may drift on other seeds.
struct WeightedKozachenkoLeonenkoAccuracyTests {
    /// Mean over `repeats` samples of N(0, I_d) of the estimate minus (d/2)·log(2πe).
    static func entropyError(d: Int, n: Int, k: Int, repeats: Int, weighted: Bool = true) -> Double {
        var total = 0.0
        for r in 0..<repeats {
            let x = Fixtures.gaussianRows(n: n, d: d, seed: 5000 + 10 * d + r)
            total += (weighted ? wkl(x, d: d, k: k) : generalEntropy(x, d: d, k: k)) - gaussianEntropy(d)
        }
        return total / Double(repeats)
    }

    /// Measured with numpy (bias, sd of one sample): d = 1: −0.004, 0.016; d = 2: −0.012, 0.021;
    /// d = 5, k = 5: −0.035, 0.068; d = 10, k = 25: −0.13, 0.18.
    @Test(arguments: [(1, 5, 1, 0.08), (2, 5, 1, 0.1), (5, 5, 4, 0.2), (10, 25, 4, 0.5)])
    func entropyOfGaussians(d: Int, k: Int, repeats: Int, tolerance: Double) {
        let error = Self.entropyError(d: d, n: 2000, k: k, repeats: repeats)
        #expect(abs(error) <= tolerance, "d = \(d), k = \(k): error \(error) nats, tolerance \(tolerance)")
    }

    /// In ten dimensions the weights do their job: the classical estimate with the same k is
    /// biased by +0.43 nats (sd 0.05), the weighted one by −0.13.
    @Test func weightsRemoveMostOfTheBiasInTenDimensions() {
        let weighted = Self.entropyError(d: 10, n: 2000, k: 25, repeats: 4)
        let classical = Self.entropyError(d: 10, n: 2000, k: 25, repeats: 4, weighted: false)
        #expect(classical > 0.3, "classical error \(classical)")
        #expect(abs(weighted) < classical - 0.1, "weighted error \(weighted), classical \(classical)")
    }

    /// I(X;Y) for X ~ N(0, I_dx) and Y = ρ·X_{1…dy} + √(1−ρ²)·Z, I = −(dy/2)·log(1 − ρ²) = 0.5
    /// nats. Measured with numpy (bias, sd of one sample): (1, 1): +0.018, 0.034; (2, 2): −0.003,
    /// 0.044; (5, 5), k = 25: −0.06, 0.13; (10, 1), k = 25: +0.005, 0.15. Ten dimensions on each
    /// side would need a 20-dimensional joint entropy, where k = 5 has too few orders and k = 25
    /// weights of norm 10⁴ (see ``tooFewNeighboursForTheDimensionIsAnError()``); X of ten
    /// dimensions is tested against a one-dimensional Y instead.
    @Test(arguments: [(1, 1, 5, 1, 0.15), (2, 2, 5, 1, 0.2), (5, 5, 25, 4, 0.32), (10, 1, 25, 4, 0.3)])
    func informationOfGaussians(dx: Int, dy: Int, k: Int, repeats: Int, tolerance: Double) {
        let information = 0.5
        let rho = (-expm1(-2 * information / Double(dy))).squareRoot()
        var total = 0.0
        for r in 0..<repeats {
            let x = Fixtures.gaussianRows(n: 2000, d: dx, seed: 6000 + 10 * dx + r)
            let y = Fixtures.gaussianRows(n: 2000, d: dy, seed: 7000 + 10 * dy + r, base: x, baseColumns: dx, rho: rho)
            total += wklInformation(x, dx: dx, y, dy: dy, k: k)
        }
        let error = total / Double(repeats) - information
        #expect(abs(error) <= tolerance, "dx = \(dx), dy = \(dy), k = \(k): error \(error) nats, tolerance \(tolerance)")
    }
}
