import Foundation
import Testing
@testable import Learning

/// Checks the backward pass against central differences of an independent Double-precision loss.
///
/// The numerical gradient is accurate to ~1e-9 (h = 1e-5 in Double), and the analytic Float32
/// gradient to ~1e-7 relative here, so a per-tensor relative error below 1e-4 is a sharp test: a
/// transposed weight gradient, a dropped activation derivative, a missing 1/batch or 2/width
/// factor, or even a halved weight-decay term each give an error of 1e-2 or more.
@Suite struct GradientCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var activation: Activation
        var loss: Loss
        var regression: Bool
        var testDescription: String { "\(activation) \(loss.rawValue)\(regression ? " regression" : "")" }
    }

    static let cases: [Case] = [
        Case(activation: .relu, loss: .crossEntropy, regression: false),
        Case(activation: .tanh, loss: .crossEntropy, regression: false),
        Case(activation: .relu, loss: .meanSquaredError, regression: false),
        Case(activation: .tanh, loss: .meanSquaredError, regression: false),
        Case(activation: .tanh, loss: .meanSquaredError, regression: true),
    ]

    /// Loss (plus ½λ‖W‖²) of `weights`/`biases` on the split, entirely in Double.
    static func referenceLoss(weights: [[Double]], biases: [[Double]], widths: [Int], activation: Activation,
                              loss: Loss, split: Split, weightDecay: Double) -> Double {
        let n = split.count
        var total = 0.0
        for r in 0..<n {
            var a = (0..<widths[0]).map { Double(split.inputs[r, $0]) }
            for l in 1..<widths.count {
                var z = [Double](repeating: 0, count: widths[l])
                for j in 0..<widths[l] {
                    z[j] = biases[l - 1][j]
                    for i in 0..<widths[l - 1] { z[j] += a[i] * weights[l - 1][i * widths[l] + j] }
                }
                if l < widths.count - 1 {
                    z = z.map { activation == .relu ? max(0, $0) : Foundation.tanh($0) }
                }
                a = z
            }
            let k = a.count
            let target: [Double] = split.labels.isEmpty
                ? (0..<k).map { Double(split.targets![r, $0]) }
                : (0..<k).map { $0 == Int(split.labels[r]) ? 1 : 0 }
            switch loss {
            case .crossEntropy:
                let m = a.max()!
                let logSum = Foundation.log(a.map { Foundation.exp($0 - m) }.reduce(0, +)) + m
                total += logSum - a[Int(split.labels[r])]
            case .meanSquaredError:
                total += zip(a, target).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(k)
            }
        }
        let penalty = weights.joined().map { $0 * $0 }.reduce(0, +) * weightDecay / 2
        return total / Double(n) + penalty
    }

    @Test("analytic gradients match central differences", arguments: cases)
    func gradientsMatchFiniteDifferences(testCase: Case) throws {
        let outputs = testCase.regression ? 2 : 3
        let architecture = MLPArchitecture(inputs: 5, hidden: [4, 3], outputs: outputs, activation: testCase.activation)
        let widths = architecture.widths
        var model = try MLP(architecture: architecture, initialization: .standard(for: testCase.activation), seed: 11)
        model.biases = model.biases.enumerated().map { l, b in gaussianFloats(b.count, seed: 11, purpose: "bias\(l)", scale: 0.2) }
        let n = 7
        let inputs = Matrix(rows: n, columns: 5, storage: gaussianFloats(n * 5, seed: 12, purpose: "x"))
        let split = testCase.regression
            ? Split(inputs: inputs, labels: [],
                    targets: Matrix(rows: n, columns: outputs, storage: gaussianFloats(n * outputs, seed: 13, purpose: "y")))
            : Split(inputs: inputs, labels: (0..<n).map { Int32(($0 * 2) % 3) })
        let weightDecay: Float = 0.05

        let analytic = model.gradients(on: split, loss: testCase.loss, weightDecay: weightDecay)
        var weights = model.weights.map { $0.storage.map(Double.init) }
        var biases = model.biases.map { $0.map(Double.init) }
        func loss() -> Double {
            GradientCheckTests.referenceLoss(weights: weights, biases: biases, widths: widths,
                                             activation: testCase.activation, loss: testCase.loss,
                                             split: split, weightDecay: Double(weightDecay))
        }
        // The analytic loss excludes the penalty (the trainer reports the data loss only).
        let penalty = weights.joined().map { $0 * $0 }.reduce(0, +) * Double(weightDecay) / 2
        #expect(abs(analytic.loss - (loss() - penalty)) < 1e-5 * max(1, abs(analytic.loss)))

        let h = 1e-5
        func relativeError(_ analytic: [Float], _ numeric: [Double]) -> Double {
            let difference = zip(analytic, numeric).map { (Double($0) - $1) * (Double($0) - $1) }.reduce(0, +)
            let scale = numeric.map { $0 * $0 }.reduce(0, +)
            return (difference / max(scale, 1e-12)).squareRoot()
        }
        for l in 0..<weights.count {
            var numeric = [Double](repeating: 0, count: weights[l].count)
            for i in 0..<weights[l].count {
                let saved = weights[l][i]
                weights[l][i] = saved + h
                let up = loss()
                weights[l][i] = saved - h
                let down = loss()
                weights[l][i] = saved
                numeric[i] = (up - down) / (2 * h)
            }
            #expect(relativeError(analytic.weights[l].storage, numeric) < 1e-4, "W\(l + 1)")

            var numericBias = [Double](repeating: 0, count: biases[l].count)
            for j in 0..<biases[l].count {
                let saved = biases[l][j]
                biases[l][j] = saved + h
                let up = loss()
                biases[l][j] = saved - h
                let down = loss()
                biases[l][j] = saved
                numericBias[j] = (up - down) / (2 * h)
            }
            #expect(relativeError(analytic.biases[l], numericBias) < 1e-4, "b\(l + 1)")
        }
    }
}
