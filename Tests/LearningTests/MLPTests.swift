import Foundation
import Randomness
import Support
import Testing
@testable import Learning

/// `count` standard-normal floats from their own stream (test data, never shared with the code under test).
func gaussianFloats(_ count: Int, seed: UInt64, purpose: String, scale: Double = 1) -> [Float] {
    var stream = RandomStream(seed: seed, purpose: purpose)
    return (0..<count).map { _ in Float(stream.nextGaussian() * scale) }
}

/// Each layer's weights and biases as exact bit patterns, for bit-identity checks.
func bitPatterns(_ model: MLP) -> [[UInt32]] {
    model.weights.map { $0.storage.map(\.bitPattern) } + model.biases.map { $0.map(\.bitPattern) }
}

@Suite struct BLASTests {
    /// Naive `α·op(A)·op(B) + β·C` in Double.
    func naive(_ tA: Bool, _ tB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int,
               b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) -> [Double] {
        var result = c.map(Double.init)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aip = tA ? a[p * lda + i] : a[i * lda + p]
                    let bpj = tB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aip) * Double(bpj)
                }
                result[i * ldc + j] = Double(alpha) * sum + Double(beta) * Double(c[i * ldc + j])
            }
        }
        return result
    }

    @Test("sgemm matches a naive product for every transpose and padded strides",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sgemmMatchesNaive(transposes: (Bool, Bool)) {
        let (tA, tB) = transposes
        let m = 5, n = 7, k = 3, pad = 2
        let lda = (tA ? m : k) + pad, ldb = (tB ? k : n) + pad, ldc = n + pad
        let a = gaussianFloats((tA ? k : m) * lda, seed: 1, purpose: "a")
        let b = gaussianFloats((tB ? n : k) * ldb, seed: 1, purpose: "b")
        var c = gaussianFloats(m * ldc, seed: 1, purpose: "c")
        let expected = naive(tA, tB, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb,
                             beta: 0.5, c: c, ldc: ldc)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 1.5,
                               a: a, lda: lda, b: b, ldb: ldb, beta: 0.5, c: c, ldc: ldc)
                }
            }
        }
        for i in 0..<c.count {
            #expect(abs(Double(c[i]) - expected[i]) <= 1e-5 * max(1, abs(expected[i])), "element \(i)")
        }
    }

    @Test("an empty inner dimension leaves β·C, and β = 0 overwrites NaN")
    func emptyInnerDimension() {
        var c: [Float] = [1, 2, .nan, 4]
        let none: [Float] = []
        none.withUnsafeBufferPointer { empty in
            c.withUnsafeMutableBufferPointer { c in
                BLAS.sgemm(m: 1, n: 2, k: 0, a: empty, b: empty, beta: 3, c: UnsafeMutableBufferPointer(rebasing: c[0..<2]))
                BLAS.sgemm(m: 1, n: 2, k: 0, a: empty, b: empty, beta: 0, c: UnsafeMutableBufferPointer(rebasing: c[2..<4]))
            }
        }
        #expect(c == [3, 6, 0, 0])
    }
}

@Suite struct ActivationTests {
    @Test func reluAndItsDerivative() {
        let relu = Activation.relu
        #expect(relu(-2) == 0 && relu(0) == 0 && relu(3) == 3)
        #expect(relu.derivative(at: -1) == 0)
        #expect(relu.derivative(at: 0) == 0, "ReLU's derivative at 0 is defined as 0")
        #expect(relu.derivative(at: 1) == 1)
        #expect(relu.derivative(fromOutput: 0) == 0 && relu.derivative(fromOutput: 2) == 1)
    }

    @Test func tanhDerivativeMatchesFiniteDifference() {
        for z: Float in [-2, -0.5, 0, 0.3, 1.7] {
            let h: Double = 1e-6
            let numeric = (Foundation.tanh(Double(z) + h) - Foundation.tanh(Double(z) - h)) / (2 * h)
            #expect(abs(Double(Activation.tanh.derivative(at: z)) - numeric) < 1e-6)
            #expect(Activation.tanh.derivative(fromOutput: Activation.tanh(z)) == Activation.tanh.derivative(at: z))
        }
    }
}

@Suite struct MLPTests {
    @Test func architectureValidationNamesTheProblem() throws {
        #expect(throws: Never.self) { try MLPArchitecture(inputs: 784, hidden: [64, 64, 64], outputs: 10).validate() }
        #expect(throws: Never.self) { try MLPArchitecture(inputs: 3, hidden: [], outputs: 2).validate() }
        let zero = #expect(throws: InfoPlaneError.self) {
            try MLPArchitecture(inputs: 784, hidden: [64, 0, 64], outputs: 10).validate()
        }
        #expect(zero?.description.hasPrefix("hidden width 0 is impossible: every layer needs at least one unit") == true)
        #expect(zero?.description.contains("hidden layer 2") == true)
        let noInputs = #expect(throws: InfoPlaneError.self) {
            try MLPArchitecture(inputs: 0, hidden: [4], outputs: 10).validate()
        }
        #expect(noInputs?.description.contains("input width 0") == true)
        let noOutputs = #expect(throws: InfoPlaneError.self) {
            try MLPArchitecture(inputs: 4, hidden: [4], outputs: 0).validate()
        }
        #expect(noOutputs?.description.contains("output width 0") == true)
        #expect(MLPArchitecture(inputs: 784, hidden: [64, 64, 64], outputs: 10).parameterCount
                == 784 * 64 + 64 + 2 * (64 * 64 + 64) + 64 * 10 + 10)
    }

    @Test func heInitializationHasTheRightScale() throws {
        let architecture = MLPArchitecture(inputs: 784, hidden: [64], outputs: 10)
        let model = try MLP(architecture: architecture, initialization: .he, seed: 7)
        let w = model.weights[0].storage.map(Double.init)
        let mean = w.reduce(0, +) / Double(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w.count)).squareRoot()
        #expect(abs(mean) < 0.002)
        #expect(abs(std / (2.0 / 784).squareRoot() - 1) < 0.02)
        #expect(model.biases.allSatisfy { $0.allSatisfy { $0 == 0 } })
        #expect(model.weights.map(\.rows) == [784, 64] && model.weights.map(\.columns) == [64, 10])
    }

    @Test func glorotInitializationStaysWithinItsLimit() throws {
        let architecture = MLPArchitecture(inputs: 100, hidden: [50], outputs: 10, activation: .tanh)
        let model = try MLP(architecture: architecture, initialization: .glorot, seed: 7)
        let limit = Float((6.0 / 150).squareRoot())
        let w = model.weights[0].storage
        #expect(w.allSatisfy { abs($0) <= limit })
        #expect(w.max()! > 0.95 * limit && w.min()! < -0.95 * limit)
        #expect(Initialization.standard(for: .tanh) == .glorot && Initialization.standard(for: .relu) == .he)
    }

    @Test func initializationIsPerLayerAndSeeded() throws {
        let a = try MLP(architecture: MLPArchitecture(inputs: 20, hidden: [8, 8], outputs: 3), initialization: .he, seed: 1)
        let b = try MLP(architecture: MLPArchitecture(inputs: 20, hidden: [8, 8], outputs: 3), initialization: .he, seed: 1)
        let c = try MLP(architecture: MLPArchitecture(inputs: 20, hidden: [8, 8], outputs: 3), initialization: .he, seed: 2)
        let d = try MLP(architecture: MLPArchitecture(inputs: 20, hidden: [8, 5], outputs: 3), initialization: .he, seed: 1)
        #expect(bitPatterns(a) == bitPatterns(b))
        #expect(a.weights[0] != c.weights[0])
        // Layer 1's draw depends only on (seed, "init", 1), not on later widths.
        #expect(a.weights[0] == d.weights[0])
    }

    @Test func parametersMustMatchTheArchitecture() {
        let architecture = MLPArchitecture(inputs: 3, hidden: [2], outputs: 2)
        let error = #expect(throws: InfoPlaneError.self) {
            try MLP(architecture: architecture, weights: [Matrix(rows: 2, columns: 3), Matrix(rows: 2, columns: 2)],
                    biases: [[0, 0], [0, 0]])
        }
        #expect(error?.description.contains("W1 is 2×3") == true)
    }

    /// A small network with non-zero biases, so the bias paths are exercised.
    func smallModel(activation: Activation) throws -> MLP {
        let architecture = MLPArchitecture(inputs: 6, hidden: [5, 4], outputs: 3, activation: activation)
        var model = try MLP(architecture: architecture, initialization: .standard(for: activation), seed: 3)
        model.biases = model.biases.enumerated().map { l, b in gaussianFloats(b.count, seed: 3, purpose: "b\(l)", scale: 0.3) }
        return model
    }

    /// The network's outputs and hidden activations for one row, in Double.
    func reference(_ model: MLP, _ x: [Float]) -> [[Double]] {
        var a = x.map(Double.init)
        var layers: [[Double]] = []
        for l in 0..<model.weights.count {
            let w = model.weights[l]
            var z = (0..<w.columns).map { j in Double(model.biases[l][j]) + (0..<w.rows).reduce(0.0) { $0 + a[$1] * Double(w[$1, j]) } }
            if l < model.weights.count - 1 {
                z = z.map { model.architecture.activation == .relu ? max(0, $0) : Foundation.tanh($0) }
            }
            layers.append(z)
            a = z
        }
        return layers
    }

    @Test("forward, predict and hidden activations agree with a Double reference and ignore chunking",
          arguments: Activation.allCases)
    func forwardMatchesReference(activation: Activation) throws {
        let model = try smallModel(activation: activation)
        let n = 11
        let inputs = Matrix(rows: n, columns: 6, storage: gaussianFloats(n * 6, seed: 4, purpose: "x"))
        let outputs = model.forward(inputs)
        let hidden = model.hiddenActivations(of: inputs)
        let predictions = model.predict(inputs, batchSize: 4)
        #expect(hidden.map(\.rows) == [n, n] && hidden.map(\.columns) == [5, 4])
        for r in 0..<n {
            let expected = reference(model, Array(inputs.storage[(r * 6)..<(r * 6 + 6)]))
            for (l, layer) in hidden.enumerated() {
                for j in 0..<layer.columns { #expect(abs(Double(layer[r, j]) - expected[l][j]) < 1e-5) }
            }
            for j in 0..<3 { #expect(abs(Double(outputs[r, j]) - expected[2][j]) < 1e-5) }
            let best = (0..<3).max { outputs[r, $0] < outputs[r, $1] }!
            #expect(predictions[r] == Int32(best))
        }
        for batchSize in [1, 3, n, 1000] {
            #expect(model.hiddenActivations(of: inputs, batchSize: batchSize) == hidden, "batch size \(batchSize)")
            #expect(model.forward(inputs, batchSize: batchSize) == outputs, "batch size \(batchSize)")
        }
        let empty = model.hiddenActivations(of: Matrix(rows: 0, columns: 6))
        #expect(empty.map(\.rows) == [0, 0] && empty.map(\.columns) == [5, 4])
    }

    @Test func evaluateAveragesOverSamples() throws {
        let model = try smallModel(activation: .relu)
        let n = 9
        let inputs = Matrix(rows: n, columns: 6, storage: gaussianFloats(n * 6, seed: 5, purpose: "x"))
        let labels = (0..<n).map { Int32($0 % 3) }
        let split = Split(inputs: inputs, labels: labels)
        let logits = model.forward(inputs)
        var loss = 0.0
        var correct = 0
        for r in 0..<n {
            let z = (0..<3).map { Double(logits[r, $0]) }
            loss += Foundation.log(z.map { Foundation.exp($0) }.reduce(0, +)) - z[Int(labels[r])]
            if z.firstIndex(of: z.max()!)! == Int(labels[r]) { correct += 1 }
        }
        for batchSize in [2, 1000] {
            let result = model.evaluate(split, loss: .crossEntropy, batchSize: batchSize)
            #expect(abs(result.loss - loss / Double(n)) < 1e-5)
            #expect(result.accuracy == Double(correct) / Double(n))
        }
        let regression = Split(inputs: inputs, labels: [], targets: Matrix(rows: n, columns: 3))
        let mse = model.evaluate(regression, loss: .meanSquaredError)
        let expectedMSE = logits.storage.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n * 3)
        #expect(abs(mse.loss - expectedMSE) < 1e-5 && mse.accuracy.isNaN)
        #expect(model.evaluate(split.prefix(0), loss: .crossEntropy).loss.isNaN)
    }
}
