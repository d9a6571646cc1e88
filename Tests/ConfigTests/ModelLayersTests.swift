@testable import Config
import Foundation
import Support
import Testing

/// `model.layers`: the ordered list of a convolutional network, its defaults, its canonical text,
/// and its one-line refusals.
@Suite struct ModelLayersTests {
    static let cnn = """
        model:
          layers:
            - {conv: 16, kernel: 3}
            - {pool: 2}
            - {conv: 32, kernel: 5, activation: tanh}
            - {pool: 2, record: false}
            - {dense: 128}
        """

    @Test func layersAreReadInOrderWithTheirDefaults() throws {
        let config = try ExperimentConfig.parse(yaml: Self.cnn, source: "inline")
        let layers = try #require(config.model.layers)
        #expect(layers.map(\.kind) == [.conv(channels: 16, kernel: 3), .pool(size: 2), .conv(channels: 32, kernel: 5),
                                       .pool(size: 2), .dense(units: 128)])
        #expect(layers.map(\.activation) == [nil, nil, .tanh, nil, nil])
        #expect(layers.map(\.record) == [true, true, true, false, true])
        #expect(config.model.hidden.isEmpty)
        #expect(config.model.recordedLayerCount == 4)
        #expect(config.model.recordedLayerNames == ["conv1", "pool1", "conv2", "dense1"])
        // A kernel defaults to 3.
        let plain = try ExperimentConfig.parse(yaml: "model:\n  layers:\n    - {conv: 4}\n    - {dense: 8}\n", source: "inline")
        #expect(plain.model.layers?.first?.kind == .conv(channels: 4, kernel: 3))
    }

    @Test func theCanonicalTextListsEveryLayerAndReadsBackAsTheSameConfig() throws {
        let config = try ExperimentConfig.parse(yaml: Self.cnn, source: "inline")
        #expect(config.canonicalText.contains("""
            model:
              layers:
                - {conv: 16, kernel: 3}
                - {pool: 2}
                - {conv: 32, kernel: 5, activation: tanh}
                - {pool: 2, record: false}
                - {dense: 128}
              activation: relu
              initialization: he
            """))
        #expect(try ExperimentConfig.parse(yaml: config.canonicalText, source: "canonical") == config)
        let decoded = try JSONDecoder().decode(ExperimentConfig.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
        // The hidden form keeps its one line (every earlier run.h5 stores it; resume compares it).
        let mlp = try ExperimentConfig.parse(yaml: "model:\n  hidden: [8, 4]\n", source: "inline")
        #expect(mlp.canonicalText.contains("model:\n  hidden: [8, 4]\n  activation: relu\n"))
        #expect(mlp.model.layers == nil && mlp.model.recordedLayerNames == ["layer_1", "layer_2"])
    }

    @Test func theShippedCNNConfigsRecordTheIssuesFiveLayers() throws {
        for name in ["fashion-cnn", "mnist-cnn"] {
            let config = try ExperimentConfig.load(path: "\(configsDirectory)/\(name).yaml")
            #expect(config.name == name)
            #expect(config.model.recordedLayerNames == ["conv1", "pool1", "conv2", "pool2", "dense1"])
            #expect(config.dataset.evaluationSize == 10_000 && config.analysis.slices == 1000)
            #expect(config.dataset.name == (name == "mnist-cnn" ? .mnist : .fashionMNIST))
        }
    }

    @Test(arguments: [
        ("model:\n  hidden: [8]\n  layers:\n    - {dense: 8}\n", ["'model.hidden' and 'model.layers' both", "not both"]),
        ("model:\n  layers:\n    - {conv: 0}\n", ["'model.layers[1].conv' = 0 is impossible"]),
        ("model:\n  layers:\n    - {dense: 8}\n    - {conv: 4, kernel: 4}\n", ["'model.layers[2].kernel' = 4", "odd kernel", "3 or 5"]),
        ("model:\n  layers:\n    - {conv: 4, kernal: 3}\n", ["unknown key 'model.layers[1].kernal'", "did you mean 'model.layers[1].kernel'"]),
        ("model:\n  layers:\n    - {pool: 3}\n", ["'model.layers[1].pool' = 3", "use pool: 2"]),
        ("model:\n  layers:\n    - {pool: 2, kernel: 3}\n", ["'model.layers[1].kernel' applies only to a conv layer"]),
        ("model:\n  layers:\n    - {pool: 2, activation: tanh}\n", ["'model.layers[1].activation' applies only to conv and dense"]),
        ("model:\n  layers:\n    - {dense: 4, conv: 2}\n", ["'model.layers[1]' says conv and dense at once"]),
        ("model:\n  layers:\n    - {kernel: 3}\n", ["'model.layers[1]' says neither conv, pool nor dense"]),
        ("model:\n  layers:\n    - {dense: 4, record: maybe}\n", ["'model.layers[1].record' must be true or false"]),
        ("model:\n  layers:\n    - {dense: 4, record: false}\n", ["'model.layers' records no layer"]),
        ("model:\n  layers: {dense: 4}\n", ["'model.layers' must be a list"]),
        ("model:\n  layers:\n    - 16\n", ["'model.layers[1]' must be a section"]),
        ("model:\n  layers:\n    - {dense: 4}\nstopping:\n  layer: 2\n", ["'stopping.layer' = 2 is impossible"]),
    ])
    func badLayersAreRefusedInOneLineNamingTheKey(yaml: String, fragments: [String]) {
        do {
            _ = try ExperimentConfig.parse(yaml: yaml, source: "inline")
            Issue.record("accepted: \(yaml)")
        } catch {
            let message = "\(error)"
            #expect(!message.contains("\n"))
            for fragment in fragments { #expect(message.contains(fragment), "\(message) lacks \(fragment)") }
        }
    }
}
