import Config
import Foundation
import Learning
import Support
import Testing
@testable import Training

/// The config's network as Learning builds it: the `hidden` form stays an ``MLP``, the `layers`
/// form becomes a ``SequentialNetwork`` on the dataset's image shape, and impossible shapes are
/// refused naming `model.layers`.
@Suite struct ConfiguredNetworkTests {
    @Test func theFashionCNNConfigIsTheIssuesNetworkOnOneByTwentyEightSquaredImages() throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/fashion-cnn.yaml")
        let network = config.network(inputs: 784, outputs: 10)
        guard case .sequential(let architecture) = network else { Issue.record("not sequential"); return }
        #expect(architecture.input == TensorShape(channels: 1, height: 28, width: 28))
        #expect(architecture.layers == [.conv(16), .maxPool(), .conv(32), .maxPool(), .dense(128)])
        try network.validate()
        #expect(network.recordedWidths == [12_544, 3_136, 6_272, 1_568, 128])
        #expect(network.layerNames == ["conv1", "pool1", "conv2", "pool2", "dense1"])
        #expect(network.layerNames == config.model.recordedLayerNames)
        #expect(network.parameterCount == architecture.parameterCount)
        #expect(network.summary.hasPrefix("CNN 1×28×28 conv16(3×3) pool conv32(3×3) pool dense128 → 10"))
    }

    @Test func theHiddenFormIsStillTheMLP() throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/smoke.yaml")
        let network = config.network(inputs: 16, outputs: 4)
        #expect(network == .mlp(MLPArchitecture(inputs: 16, hidden: [16, 12, 8], outputs: 4, activation: .relu)))
        #expect(network.layerNames == ["layer_1", "layer_2", "layer_3"])
        #expect(network.parameterCount == 16 * 16 + 16 + 16 * 12 + 12 + 12 * 8 + 8 + 8 * 4 + 4)
    }

    @Test func aLayersOwnActivationReachesTheNetwork() throws {
        let config = try ExperimentConfig.parse(yaml: "dataset:\n  name: mnist\nmodel:\n  activation: tanh\n  layers:\n    - {conv: 2, activation: relu}\n    - {dense: 3}\n",
                                                source: "inline")
        guard case .sequential(let a) = config.network(inputs: 784, outputs: 10) else { Issue.record("not sequential"); return }
        #expect(a.activation == .tanh)
        #expect(a.layers.map(\.activation) == [.relu, nil])
    }

    @Test(arguments: [
        ("dataset:\n  name: fashion-mnist\nmodel:\n  layers:\n    - {pool: 2}\n    - {pool: 2}\n    - {pool: 2}\n", 784,
         ["model.layers", "pool3 (layer 3) gets 7×7 maps", "even height and width"]),
        ("dataset:\n  name: fashion-mnist\nmodel:\n  layers:\n    - {dense: 8}\n    - {conv: 2}\n", 784,
         ["model.layers", "conv1 (layer 2) follows a flatten or dense layer"]),
        ("dataset:\n  name: synthetic\n  features: 16\nmodel:\n  layers:\n    - {conv: 4}\n    - {dense: 8}\n", 16,
         ["model.layers[1] (conv1) needs images", "flat vectors of 16 features", "use dense layers"]),
    ])
    func impossibleShapesAreRefusedNamingTheKey(yaml: String, inputs: Int, fragments: [String]) throws {
        let config = try ExperimentConfig.parse(yaml: yaml, source: "inline")
        do {
            try config.network(inputs: inputs, outputs: 10).validate()
            Issue.record("accepted: \(yaml)")
        } catch {
            for fragment in fragments { #expect("\(error)".contains(fragment), "\(error) lacks \(fragment)") }
        }
    }

    /// The memory check sees conv widths: the training minibatch counts every map and im2col
    /// lowering, and the snapshot n × Σ recorded widths.
    @Test func theMemoryEstimateCountsConvolutionWidths() throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/fashion-cnn.yaml")
        let network = config.network(inputs: 784, outputs: 10)
        let session = TrainingSession(config: config, directory: "/nonexistent", log: ProgressLog(quiet: true))
        let estimate = session.memoryEstimate(network, samples: 70_000, evaluation: 10_000, schedule: Array(0...19), analysis: nil)
        let snapshot = try #require(estimate.parts.first { $0.what.hasPrefix("snapshot activations") })
        #expect(snapshot.bytes == 10_000 * 23_648 * 8)
        #expect(snapshot.fix.contains("model.layers"))
        let batch = try #require(estimate.parts.first { $0.what == "minibatch activations" })
        // 3 × (784 + 12,544 + 3,136 + 6,272 + 1,568 + 128 + 10) + im2col 9·784 + 16·9·196, per sample.
        #expect(batch.bytes == 128 * 4 * Double(3 * (784 + 12_544 + 3_136 + 6_272 + 1_568 + 128 + 10) + 9 * 784 + 144 * 196))
        var wide = config
        wide.model.layers?[0] = .init(.conv(channels: 65_536, kernel: 3))
        #expect(throws: InfoPlaneError.self) {
            try session.memoryEstimate(wide.network(inputs: 784, outputs: 10), samples: 70_000, evaluation: 10_000,
                                       schedule: [0], analysis: nil).check()
        }
    }
}
