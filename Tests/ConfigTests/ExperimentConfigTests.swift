@testable import Config
import Foundation
import Support
import Testing

@Suite struct ExperimentConfigTests {
    @Test(arguments: ["mnist-h64", "mnist-h32", "fashion-h64", "fashion-h32", "smoke"])
    func shippedConfigsLoad(name: String) throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/\(name).yaml")
        #expect(config.name == name)
        #expect(config.model.hidden.count == 3)
        if name.hasSuffix("h64") { #expect(config.model.hidden == [64, 64, 64]) }
        if name.hasSuffix("h32") { #expect(config.model.hidden == [32, 32, 32]) }
    }

    @Test func defaultsAreFilledIn() throws {
        let config = try ExperimentConfig.parse(yaml: "seed: 3\n", source: "inline", defaultName: "x")
        #expect(config.name == "x")
        #expect(config.seed == 3)
        #expect(config.dataset.name == .fashionMNIST)
        #expect(config.dataset.evaluationSize == 10_000)
        #expect(config.model.hidden == [64, 64, 64])
        #expect(config.model.initialization == .he)
        #expect(config.training.optimizer == .adam)
        #expect(config.training.learningRate == 0.001)
        #expect(config.snapshots.epochs == nil)
        let tanh = try ExperimentConfig.parse(yaml: "model:\n  activation: tanh\n", source: "inline")
        #expect(tanh.model.initialization == .glorot)
    }

    @Test func unknownKeysAreNamedWithASuggestion() {
        expectError(yaml: "training:\n  epoch: 3\n", contains: ["unknown key 'training.epoch'", "did you mean 'training.epochs'"])
        expectError(yaml: "colour: blue\n", contains: ["unknown key 'colour'"])
        expectError(yaml: "model:\n  hidden: [8]\n  dropout: 0.5\n", contains: ["unknown key 'model.dropout'", "known keys here"])
    }

    @Test func impossibleValuesAreRejected() {
        expectError(yaml: "model:\n  hidden: [64, 0, 64]\n", contains: ["'model.hidden' = 0 is impossible", "at least one unit"])
        expectError(yaml: "model:\n  hidden: []\n", contains: ["'model.hidden' is empty"])
        expectError(yaml: "training:\n  epochs: -1\n", contains: ["'training.epochs' = -1 is impossible"])
        expectError(yaml: "training:\n  epochs: ten\n", contains: ["must be a whole number", "'ten'"])
        expectError(yaml: "training:\n  learning_rate: 0\n", contains: ["'training.learning_rate' = 0 is impossible"])
        expectError(yaml: "training:\n  learning_rate: .nan\n", contains: ["must be a finite number"])
        expectError(yaml: "training:\n  optimizer: rmsprop\n", contains: ["choose one of adam, sgd"])
        expectError(yaml: "dataset:\n  name: cifar\n", contains: ["'dataset.name' is 'cifar'", "mnist, fashion-mnist, synthetic"])
        expectError(yaml: "dataset:\n  features: 3\n", contains: ["'dataset.features' applies only to dataset.name: synthetic"])
        expectError(yaml: "training:\n  epochs: 5\nsnapshots:\n  epochs: [0, 9]\n", contains: ["snapshot epoch 9 is after the last epoch"])
        expectError(yaml: "snapshots:\n  epochs: [1]\n  count: 4\n", contains: ["not both"])
        expectError(yaml: "training: [1, 2]\n", contains: ["'training' must be a section"])
        expectError(yaml: "model:\n  hidden: 64\n", contains: ["must be a list"])
        expectError(yaml: "seed: 1\nseed: 2\n", contains: ["appears twice"])
        expectError(yaml: "model: {hidden: [64\n", contains: ["not valid YAML"])
    }

    @Test func overridesApplyBeforeValidation() throws {
        let text = "training:\n  epochs: 3\n"
        let config = try ExperimentConfig.parse(yaml: text, source: "inline",
                                                overrides: ["training.epochs=7", "model.hidden=[32, 16]", "seed=11"])
        #expect(config.training.epochs == 7)
        #expect(config.model.hidden == [32, 16])
        #expect(config.seed == 11)
        #expect(throws: InfoPlaneError.self) {
            try ExperimentConfig.parse(yaml: text, source: "inline", overrides: ["training.epoc=7"])
        }
        #expect(throws: InfoPlaneError.self) {
            try ExperimentConfig.parse(yaml: text, source: "inline", overrides: ["training.epochs"])
        }
    }

    @Test func canonicalTextRoundTripsAndNamesDifferences() throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/smoke.yaml")
        let again = try ExperimentConfig.parse(yaml: config.canonicalText, source: "canonical")
        #expect(again == config)
        var changed = config
        changed.training.epochs = 9
        changed.seed = 8
        let differences = config.differences(from: changed)
        #expect(differences.contains("training.epochs: 5 ≠ 9"))
        #expect(differences.contains("seed: 7 ≠ 8"))
        #expect(config.differences(from: again).isEmpty)
    }

    @Test func missingFileIsNamed() {
        do {
            _ = try ExperimentConfig.load(path: "/nonexistent/x.yaml")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("no such config file: /nonexistent/x.yaml"))
        }
    }

    private func expectError(yaml: String, contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ExperimentConfig.parse(yaml: yaml, source: "test.yaml")
            Issue.record("expected an error for \(yaml.debugDescription)", sourceLocation: sourceLocation)
        } catch {
            let message = "\(error)"
            #expect(!message.contains("\n"), "error must be one line: \(message)", sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(message.contains(fragment), "\(message) lacks \(fragment)", sourceLocation: sourceLocation)
            }
        }
    }
}
