import Foundation
import Randomness
import Testing
@testable import Estimators

/// Binary entropy in nats.
private func h2(_ p: Double) -> Double { -(p * log(p) + (1 - p) * log(1 - p)) }

private func withBuffer<S, R>(_ values: [S], _ body: (UnsafeBufferPointer<S>) throws -> R) rethrows -> R {
    try values.withUnsafeBufferPointer(body)
}

@Suite struct BinningEstimatorTests {
    @Test func eightEquallyFrequentCodesHaveEntropyLog8() throws {
        // Three binary units over [0, 1] with 2 bins: 0 → bin 0, 1 (the maximum) → bin 1.
        var t: [Double] = []
        for _ in 0..<5 {
            for code in 0..<8 { t += [Double(code & 1), Double((code >> 1) & 1), Double((code >> 2) & 1)] }
        }
        let estimator = BinningEstimator(bins: 2, range: 0...1)
        let h = try withBuffer(t) { try estimator.entropy(t: $0, n: 40, d: 3) }
        #expect(abs(h - log(8)) < 1e-12)
        // The layer's own range is also [0, 1] here.
        let own = try withBuffer(t) { try BinningEstimator(bins: 2).entropy(t: $0, n: 40, d: 3) }
        #expect(abs(own - log(8)) < 1e-12)
        let mi = try withBuffer(t) { try estimator.mutualInformationWithInput(t: $0, n: 40, d: 3) }
        #expect(mi == h)
    }

    @Test func handComputedEntropy() throws {
        // Symbols a, a, a, b → H = h(1/4).
        let t: [Double] = [0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.9, 0.1]
        let h = try withBuffer(t) { try BinningEstimator(bins: 4, range: 0...1).entropy(t: $0, n: 4, d: 2) }
        #expect(abs(h - h2(0.25)) < 1e-12)
    }

    @Test func constantLayerHasZeroEntropyAndInformation() throws {
        let t = [Float](repeating: 0.37, count: 50 * 4)
        let labels = (0..<50).map { Int32($0 % 3) }
        let estimator = BinningEstimator()
        let (h, mi, symbols) = try withBuffer(t) { buffer in
            (try estimator.entropy(t: buffer, n: 50, d: 4),
             try estimator.mutualInformationWithLabels(t: buffer, n: 50, d: 4, labels: labels),
             try estimator.symbols(t: buffer, n: 50, d: 4).count)
        }
        #expect(h == 0 && mi == 0 && symbols == 1)
    }

    @Test func deterministicFunctionOfTheLabelCarriesAllOfH_Y() throws {
        // Labels with frequencies 5, 3, 2; T encodes the label in two units.
        let labels: [Int32] = [7, 7, 7, 7, 7, -1, -1, -1, 4, 4]
        let t = labels.flatMap { label -> [Double] in
            switch label {
            case 7: return [0.0, 1.0]
            case -1: return [1.0, 0.0]
            default: return [0.5, 0.5]
            }
        }
        let hY = -[0.5, 0.3, 0.2].reduce(0) { $0 + $1 * log($1) }
        let estimator = BinningEstimator(bins: 30)
        let mi = try withBuffer(t) { try estimator.mutualInformationWithLabels(t: $0, n: 10, d: 2, labels: labels) }
        #expect(abs(mi - hY) < 1e-12)
    }

    @Test func handComputedLabelInformation() throws {
        // T = a, a, b, b; Y = 0, 0, 0, 1: I = log 2 − (3/4)·h(1/3).
        let t: [Float] = [-1, -1, 1, 1]
        let labels: [Int32] = [0, 0, 0, 1]
        let mi = try withBuffer(t) { try BinningEstimator(bins: 10).mutualInformationWithLabels(t: $0, n: 4, d: 1, labels: labels) }
        #expect(abs(mi - (log(2) - 0.75 * h2(1.0 / 3))) < 1e-12)
    }

    @Test func repeatedInputsSubtractTheConditionalEntropy() throws {
        // X = x1, x1, x2, x2 and T = a, b, c, c: H(T) = 1.5 log 2, H(T|X) = 0.5 log 2.
        let x: [Double] = [0, 1, 0, 1, 2, 3, 2, 3]
        let t: [Double] = [0, 1, 2, 2]
        let estimator = BinningEstimator(bins: 3)
        let mi = try withBuffer(t) { tb in try withBuffer(x) { try estimator.mutualInformation(t: tb, n: 4, d: 1, inputs: $0, dx: 2) } }
        #expect(abs(mi - log(2)) < 1e-12)
        // Distinct inputs: the honest estimate equals H(T).
        let distinct: [Double] = [0, 1, 2, 3, 4, 5, 6, -0.0]
        let honest = try withBuffer(t) { tb in try withBuffer(distinct) { try estimator.mutualInformation(t: tb, n: 4, d: 1, inputs: $0, dx: 2) } }
        let hT = try withBuffer(t) { try estimator.mutualInformationWithInput(t: $0, n: 4, d: 1) }
        #expect(abs(honest - hT) < 1e-12)
        #expect(abs(hT - 1.5 * log(2)) < 1e-12)
        // −0 and +0 are the same input.
        let signedZeros: [Float] = [0, -0.0, 1, 1]
        let tf: [Float] = [0, 1, 2, 2]
        let zeroMI = try withBuffer(tf) { tb in try withBuffer(signedZeros) { try estimator.mutualInformation(t: tb, n: 4, d: 1, inputs: $0, dx: 1) } }
        #expect(abs(zeroMI - log(2)) < 1e-12)
    }

    @Test func binsShareTheLayerWideRange() throws {
        // Unit 0 spans [0, 10]; unit 1 stays in [0, 1], inside bin 0 of width 5.
        let t: [Double] = [0, 0.2, 10, 0.9, 4, 0.5, 6, 0.1]
        let ids = try withBuffer(t) { try BinningEstimator(bins: 2).symbols(t: $0, n: 4, d: 2) }
        #expect(ids.count == 2)
        #expect(ids.ids[0] == ids.ids[2] && ids.ids[1] == ids.ids[3] && ids.ids[0] != ids.ids[1])
    }

    @Test func valuesOutsideAnExplicitRangeGoToTheEdgeBins() throws {
        let t: [Double] = [-5, 0.1, 0.9, 7]
        let ids = try withBuffer(t) { try BinningEstimator(bins: 2, range: 0...1).symbols(t: $0, n: 4, d: 1) }
        #expect(ids.ids[0] == ids.ids[1] && ids.ids[2] == ids.ids[3] && ids.count == 2)
    }

    @Test(arguments: [2, 30, 300, 70_000])
    func symbolsMatchANaiveDictionaryOfBinRows(bins: Int) throws {
        var stream = RandomStream(seed: 31, purpose: "test.binning")
        let n = 500, d = 3
        // Few distinct values per unit so that rows repeat.
        let t = (0..<(n * d)).map { _ in Double(stream.nextInt(below: 4)) * 0.25 + stream.nextUniform() * 0.01 }
        let estimator = BinningEstimator(bins: bins)
        let ids = try withBuffer(t) { try estimator.symbols(t: $0, n: n, d: d) }
        let lo = t.min()!, hi = t.max()!
        let rows = (0..<n).map { i in (0..<d).map { k in min(bins - 1, Int((t[i * d + k] - lo) * (Double(bins) / (hi - lo)))) } }
        var counts: [[Int]: Int] = [:]
        for row in rows { counts[row, default: 0] += 1 }
        #expect(ids.count == counts.count)
        for i in 0..<n { for j in 0..<n where rows[i] == rows[j] { #expect(ids.ids[i] == ids.ids[j]) } }
        let expected = -counts.values.reduce(0.0) { $0 + Double($1) / Double(n) * log(Double($1) / Double(n)) }
        let h = try withBuffer(t) { try estimator.entropy(t: $0, n: n, d: d) }
        #expect(abs(h - expected) < 1e-12)
    }

    @Test func hashCollisionsStillGiveExactSymbols() {
        // A zero hash mask sends every row to one bucket; only the row comparison separates them.
        let codes: [UInt16] = [3, 1, 2, 3, 1, 2, 0, 0, 9, 3, 1, 2, 0, 0, 8]
        let withHash = codes.withUnsafeBufferPointer { DiscreteEntropy.denseSymbols($0, n: 5, width: 3) }
        let allCollide = codes.withUnsafeBufferPointer { DiscreteEntropy.denseSymbols($0, n: 5, width: 3, hashMask: 0) }
        for symbols in [withHash, allCollide] {
            #expect(symbols.count == 3)
            #expect(symbols.ids[0] == symbols.ids[1] && symbols.ids[0] == symbols.ids[3])
            #expect(symbols.ids[2] != symbols.ids[4] && symbols.ids[0] != symbols.ids[2] && symbols.ids[0] != symbols.ids[4])
        }
        #expect(allCollide.ids == [2, 2, 1, 2, 0])  // lexicographic order when hashes tie
    }

    @Test func floatAndDoubleAgree() throws {
        var stream = RandomStream(seed: 2, purpose: "test.binning.float")
        let n = 300, d = 5
        let t = (0..<(n * d)).map { _ in Float(stream.nextGaussian()) }
        let labels = (0..<n).map { _ in Int32(stream.nextInt(below: 4)) }
        let estimator = BinningEstimator(bins: 6)
        let single = try withBuffer(t) { try estimator.mutualInformationWithLabels(t: $0, n: n, d: d, labels: labels) }
        let double = try withBuffer(t.map(Double.init)) { try estimator.mutualInformationWithLabels(t: $0, n: n, d: d, labels: labels) }
        #expect(single == double)
        #expect(single > 0)
    }

    @Test func invalidInputsThrowOneLineErrors() {
        let good: [Double] = [0, 1, 2, 3]
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        let cases: [(String, String)] = [
            (message { try withBuffer(good) { try BinningEstimator(bins: 0).entropy(t: $0, n: 2, d: 2) } }, "bins"),
            (message { try withBuffer([Double]()) { try BinningEstimator().entropy(t: $0, n: 0, d: 2) } }, "empty"),
            (message { try withBuffer(good) { try BinningEstimator().entropy(t: $0, n: 3, d: 2) } }, "n × d"),
            (message { try withBuffer([0, .nan, 2, 3] as [Double]) { try BinningEstimator().entropy(t: $0, n: 2, d: 2) } }, "NaN"),
            (message { try withBuffer([0, 1, Float.infinity, 3]) { try BinningEstimator().entropy(t: $0, n: 2, d: 2) } }, "infinity"),
            (message { try withBuffer(good) { try BinningEstimator(range: 1...1).entropy(t: $0, n: 2, d: 2) } }, "range"),
            (message { try withBuffer(good) { try BinningEstimator().mutualInformationWithLabels(t: $0, n: 2, d: 2, labels: [1]) } }, "labels"),
            (message { try withBuffer(good) { try BinningEstimator().mutualInformation(t: $0, n: 2, d: 2, inputs: $0, dx: 1) } }, "inputs"),
        ]
        for (text, fragment) in cases {
            #expect(text.contains(fragment), "\(text)")
            #expect(!text.contains("\n"))
        }
    }
}
