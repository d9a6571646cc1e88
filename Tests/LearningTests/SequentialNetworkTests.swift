import COpenBLAS
import Support
import Foundation
import Randomness
import Testing
@testable import Learning

/// Each layer's weights and biases as exact bit patterns, for bit-identity checks.
func bitPatterns(_ model: SequentialNetwork) -> [[UInt32]] {
    model.weights.map { $0.storage.map(\.bitPattern) } + model.biases.map { $0.map(\.bitPattern) }
}

/// `count` noisy `1×8×8` images of three classes: a horizontal line (0), a vertical line (1) or
/// the main diagonal shifted (2), at a random position, plus N(0, 0.3²) noise on every pixel.
func lineImages(count: Int, seed: UInt64, purpose: String) -> Split {
    var stream = RandomStream(seed: seed, purpose: purpose)
    var inputs = Matrix(rows: count, columns: 64)
    var labels: [Int32] = []
    for r in 0..<count {
        let label = stream.nextInt(below: 3), position = stream.nextInt(below: 8)
        labels.append(Int32(label))
        for y in 0..<8 {
            for x in 0..<8 {
                let on: Bool
                switch label {
                case 0: on = y == position
                case 1: on = x == position
                default: on = (x - y + 8) % 8 == position
                }
                inputs[r, y * 8 + x] = (on ? 1 : 0) + Float(0.3 * stream.nextGaussian())
            }
        }
    }
    return Split(inputs: inputs, labels: labels)
}

@Suite struct SequentialNetworkTests {
    /// conv-pool-conv-pool-flatten-dense on 2×8×8: every layer type, both kernel sizes.
    static func smallCNN(_ activation: Activation = .relu, outputs: Int = 3) -> SequentialArchitecture {
        SequentialArchitecture(input: TensorShape(channels: 2, height: 8, width: 8),
                               layers: [.conv(3, kernel: 3), .maxPool(), .conv(4, kernel: 5), .maxPool(), .flatten, .dense(5)],
                               outputs: outputs, activation: activation)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var activation: Activation, loss: Loss, regression: Bool
        var testDescription: String { "\(activation) \(loss.rawValue)\(regression ? " regression" : "")" }
    }

    @Test("whole-network gradients (every layer type) match central differences of a naive Double network",
          arguments: [Case(activation: .relu, loss: .crossEntropy, regression: false),
                      Case(activation: .tanh, loss: .crossEntropy, regression: false),
                      Case(activation: .tanh, loss: .meanSquaredError, regression: true)])
    func networkGradientsMatchFiniteDifferences(testCase: Case) throws {
        let outputs = testCase.regression ? 2 : 3
        let architecture = Self.smallCNN(testCase.activation, outputs: outputs)
        var model = try SequentialNetwork(architecture: architecture, initialization: .standard(for: testCase.activation),
                                          seed: 7)
        model.biases = model.biases.enumerated().map { l, b in gaussianFloats(b.count, seed: 7, purpose: "bias\(l)", scale: 0.1) }
        let n = 5
        let inputs = Matrix(rows: n, columns: architecture.inputs, storage: gaussianFloats(n * architecture.inputs, seed: 8, purpose: "x"))
        let targets = gaussianFloats(n * outputs, seed: 9, purpose: "y")
        let split = testCase.regression
            ? Split(inputs: inputs, labels: [], targets: Matrix(rows: n, columns: outputs, storage: targets))
            : Split(inputs: inputs, labels: (0..<n).map { Int32($0 % 3) })
        let weightDecay: Float = 0.05
        let analytic = model.gradients(on: split, loss: testCase.loss, weightDecay: weightDecay)

        var parameters = model.parameters.map { $0.values.map(Double.init) }
        let x = inputs.storage.map(Double.init)
        func loss(_ parameters: [[Double]]) -> Double {
            let logits = Reference.logits(architecture, parameters: parameters, input: x, rows: n)
            let penalty = stride(from: 0, to: parameters.count, by: 2).map { parameters[$0].map { $0 * $0 }.reduce(0, +) }
                .reduce(0, +) * Double(weightDecay) / 2
            return Reference.loss(logits, rows: n, width: outputs, loss: testCase.loss, labels: split.labels,
                                  targets: testCase.regression ? targets : nil) + penalty
        }
        let dataLoss = Reference.loss(Reference.logits(architecture, parameters: parameters, input: x, rows: n),
                                      rows: n, width: outputs, loss: testCase.loss, labels: split.labels,
                                      targets: testCase.regression ? targets : nil)
        #expect(abs(analytic.loss - dataLoss) < 1e-5 * max(1, abs(dataLoss)))
        for (t, tensor) in analytic.gradients.enumerated() {
            let numeric = (0..<parameters[t].count).map { i -> Double in
                let saved = parameters[t][i], h = 1e-6
                parameters[t][i] = saved + h
                let up = loss(parameters)
                parameters[t][i] = saved - h
                let down = loss(parameters)
                parameters[t][i] = saved
                return (up - down) / (2 * h)
            }
            #expect(Reference.relativeError(tensor.values, numeric) < 1e-4, "\(tensor.name)")
        }
    }

    @Test("flatten changes nothing: with or without it the gradients are bit-identical")
    func flattenIsTheIdentity() throws {
        var withoutFlatten = Self.smallCNN()
        withoutFlatten.layers.removeAll { $0.kind == .flatten }
        let a = try SequentialNetwork(architecture: Self.smallCNN(), initialization: .he, seed: 3)
        let b = try SequentialNetwork(architecture: withoutFlatten, initialization: .he, seed: 3)
        #expect(bitPatterns(a) == bitPatterns(b))
        let split = lineImages(count: 6, seed: 1, purpose: "flatten")
        let twoChannel = Split(inputs: Matrix(rows: 6, columns: 128, storage: split.inputs.storage + split.inputs.storage),
                               labels: split.labels)
        let ga = a.gradients(on: twoChannel, loss: .crossEntropy), gb = b.gradients(on: twoChannel, loss: .crossEntropy)
        #expect(ga.loss == gb.loss)
        #expect(ga.gradients.map { $0.values.map(\.bitPattern) } == gb.gradients.map { $0.values.map(\.bitPattern) })
    }

    @Test func namesShapesAndRecordedLayers() throws {
        let architecture = SequentialArchitecture(
            input: TensorShape(channels: 1, height: 28, width: 28),
            layers: [.conv(16), .maxPool(), .conv(32, kernel: 5), .maxPool(), .dense(128)], outputs: 10)
        try architecture.validate()
        #expect(architecture.names == ["conv1", "pool1", "conv2", "pool2", "dense1", "output"])
        #expect(architecture.recordedLayers.map(\.name) == ["conv1", "pool1", "conv2", "pool2", "dense1"])
        #expect(architecture.recordedWidths == [12_544, 3136, 6272, 1568, 128])
        #expect(SequentialNetwork.parameterShapes(of: architecture) == [
            ParameterShape(name: "conv1.W", rows: 16, columns: 9), ParameterShape(name: "conv1.b", rows: 1, columns: 16),
            ParameterShape(name: "conv2.W", rows: 32, columns: 400), ParameterShape(name: "conv2.b", rows: 1, columns: 32),
            ParameterShape(name: "dense1.W", rows: 1568, columns: 128), ParameterShape(name: "dense1.b", rows: 1, columns: 128),
            ParameterShape(name: "output.W", rows: 128, columns: 10), ParameterShape(name: "output.b", rows: 1, columns: 10),
        ])
        #expect(architecture.parameterCount == 16 * 9 + 16 + 32 * 400 + 32 + 1568 * 128 + 128 + 1280 + 10)
    }

    @Test("impossible shapes give one-line errors naming the layer and the fix", arguments: [
        ([LayerSpec.conv(4), .maxPool(), .maxPool(), .maxPool()], "pool3 (layer 4) gets 3×3 maps"),
        ([LayerSpec.conv(4, kernel: 4)], "conv1 (layer 1) has kernel size 4"),
        ([LayerSpec.conv(4, kernel: 0)], "conv1 (layer 1) has kernel size 0"),
        ([LayerSpec.conv(0)], "conv1 (layer 1) has 0 output channels"),
        ([LayerSpec(.maxPool2D(size: 3))], "pool1 (layer 1) pools 3×3"),
        ([LayerSpec.dense(8), .conv(4)], "conv1 (layer 2) follows a flatten or dense layer"),
        ([LayerSpec.flatten, .maxPool()], "pool1 (layer 2) follows a flatten or dense layer"),
        ([LayerSpec.conv(2), .dense(0)], "dense1 (layer 2) has 0 units"),
    ])
    func validateRefusesImpossibleShapes(layers: [LayerSpec], message: String) {
        let architecture = SequentialArchitecture(input: TensorShape(channels: 1, height: 12, width: 12), layers: layers, outputs: 10)
        let error = #expect(throws: InfoPlaneError.self) { try architecture.validate() }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.hasPrefix(message) && !text.contains("\n"), "\(text)")
        #expect(throws: InfoPlaneError.self) { try SequentialNetwork(architecture: architecture, initialization: .he, seed: 1) }
    }

    @Test func validateRefusesAnEmptyInputOrOutput() {
        #expect(throws: InfoPlaneError.self) {
            try SequentialArchitecture(input: TensorShape(channels: 0, height: 28, width: 28), layers: [], outputs: 10).validate()
        }
        #expect(throws: InfoPlaneError.self) {
            try SequentialArchitecture(input: TensorShape(channels: 1, height: 28, width: 28), layers: [.conv(4)], outputs: 0).validate()
        }
        // Odd maps are fine for convolutions; only pooling needs them even.
        #expect(throws: Never.self) {
            try SequentialArchitecture(input: TensorShape(channels: 3, height: 7, width: 5), layers: [.conv(4, kernel: 5)], outputs: 2).validate()
        }
    }

    @Test("the same seed gives bit-identical weights; a layer's draw ignores other layers' shapes")
    func initialisationIsKeyedByLayer() throws {
        let architecture = Self.smallCNN()
        let a = try SequentialNetwork(architecture: architecture, initialization: .he, seed: 11)
        let b = try SequentialNetwork(architecture: architecture, initialization: .he, seed: 11)
        let c = try SequentialNetwork(architecture: architecture, initialization: .he, seed: 12)
        #expect(bitPatterns(a) == bitPatterns(b))
        #expect(a.weights[0].storage != c.weights[0].storage)
        var wider = architecture
        wider.layers[5] = .dense(9)
        wider.layers[2] = .conv(4, kernel: 3)
        let d = try SequentialNetwork(architecture: wider, initialization: .he, seed: 11)
        #expect(d.weights[0] == a.weights[0], "conv1 does not depend on later layers")
        // He normal: conv1's 54 weights have fan_in 2·3·3 = 18, so standard deviation √(2/18) = 1/3.
        let w = a.weights[0].storage.map(Double.init)
        let std = (w.map { $0 * $0 }.reduce(0, +) / Double(w.count)).squareRoot()
        #expect(abs(std - 1.0 / 3) < 0.1, "std \(std)")
        let glorot = try SequentialNetwork(architecture: architecture, initialization: .glorot, seed: 11)
        let limit = Float((6.0 / Double(18 + 27)).squareRoot())
        #expect(glorot.weights[0].storage.allSatisfy { abs($0) <= limit })
    }

    @Test("a dense-only network is the MLP: same initial weights, bit-identical training")
    func denseOnlyNetworkIsTheMLP() throws {
        for activation in [Activation.relu, .tanh] {
            let mlp = MLPArchitecture(inputs: 8, hidden: [16, 12], outputs: 4, activation: activation)
            let options = TrainingOptions(epochs: 2, batchSize: 48, optimizer: .adam(learningRate: 0.01), seed: 5,
                                          weightDecay: 1e-3)
            let a = try Trainer(architecture: mlp, initialization: .standard(for: activation), options: options,
                                train: TrainerTests.train, test: TrainerTests.test)
            let b = try NetworkTrainer<SequentialNetwork>(architecture: SequentialArchitecture(mlp),
                                                          initialization: .standard(for: activation), options: options,
                                                          train: TrainerTests.train, test: TrainerTests.test)
            #expect(bitPatterns(a.model) == bitPatterns(b.model))
            for _ in 0..<2 { #expect(timeless(a.trainEpoch()) == timeless(b.trainEpoch())) }
            #expect(bitPatterns(a.model) == bitPatterns(b.model))
            let inputs = TrainerTests.test.inputs
            #expect(a.model.hiddenActivations(of: inputs, batchSize: 64) == b.model.recordedActivations(of: inputs, batchSize: 64))
        }
    }

    @Test("recorded activations: n × C·H·W per recorded layer, as the naive network computes, whatever the chunk")
    func recordedActivationsMatchTheReference() throws {
        var architecture = Self.smallCNN()
        architecture.layers[1].recorded = false  // pool1 not recorded
        let model = try SequentialNetwork(architecture: architecture, initialization: .he, seed: 2)
        let n = 13
        let inputs = Matrix(rows: n, columns: architecture.inputs, storage: gaussianFloats(n * architecture.inputs, seed: 3, purpose: "rec"))
        let recorded = model.recordedActivations(of: inputs, batchSize: 1000)
        #expect(recorded.map(\.columns) == [192, 64, 16, 5])
        #expect(recorded.allSatisfy { $0.rows == n })
        // conv1's output against the naive convolution, channel-major per sample.
        let parameters = model.parameters.map { $0.values.map(Double.init) }
        let conv1 = Reference.activate(Reference.conv(inputs.storage.map(Double.init), samples: n, inChannels: 2, height: 8, width: 8,
                                                      weights: parameters[0], bias: parameters[1], outChannels: 3, kernel: 3), .relu)
        #expect(zip(recorded[0].storage, conv1).allSatisfy { abs(Double($0) - $1) < 1e-5 * max(1, abs($1)) })
        let logits = Reference.logits(architecture, parameters: parameters, input: inputs.storage.map(Double.init), rows: n)
        #expect(zip(model.forward(inputs).storage, logits).allSatisfy { abs(Double($0) - $1) < 1e-4 * max(1, abs($1)) })
        var chunks: [[Int]] = []
        model.forEachRecordedChunk(of: inputs, batchSize: 5) { start, rows, layers in
            chunks.append([start, rows] + layers.map(\.count))
            #expect(layers[0].elementsEqual(recorded[0].storage[(start * 192)..<((start + rows) * 192)]))
        }
        #expect(chunks == [[0, 5, 960, 320, 80, 25], [5, 5, 960, 320, 80, 25], [10, 3, 576, 192, 48, 15]])
        // OpenBLAS's generic "Prescott" kernels (its fallback on a processor newer than the library,
        // seen on an Emerald Rapids Xeon) sum a GEMM's leftover rows in another order than its
        // blocks of rows, so there a chunk that changes which rows are left over (batch size 1 of
        // 13 rows) agrees to rounding only; the Haswell, SkylakeX and Cooperlake kernels give the
        // same bits. A run records with one fixed batch (`recordingBatch`) either way.
        let generic = String(cString: openblas_get_corename()) == "Prescott"
        for batchSize in [1, 4] {
            let chunked = model.recordedActivations(of: inputs, batchSize: batchSize)
            if generic {
                var largest = 0.0
                for (a, b) in zip(chunked.flatMap(\.storage), recorded.flatMap(\.storage)) {
                    let (x, y) = (Double(a), Double(b))
                    largest = max(largest, abs(x - y) / max(1, abs(y)))
                }
                #expect(chunked.map(\.columns) == recorded.map(\.columns) && largest < 1e-6, "batch size \(batchSize): \(largest)")
            } else {
                #expect(chunked.map { $0.storage.map(\.bitPattern) } == recorded.map { $0.storage.map(\.bitPattern) },
                        "batch size \(batchSize)")
            }
        }
    }
}
