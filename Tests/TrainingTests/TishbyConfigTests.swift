import Config
import Foundation
import Learning
import Support
import Testing
import Training

/// The Tishby configs: the 12-10-7-5-4-3-2 network on tishby-12bit, recorded on all 4,096 patterns.
@Suite struct TishbyConfigTests {
    @Test(arguments: ["tishby-tanh", "tishby-relu"])
    func shippedConfigsRecordEveryPattern(name: String) throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/\(name).yaml")
        #expect(config.name == name)
        #expect(config.model.hidden == [10, 7, 5, 4, 3])
        #expect(config.model.activation == (name == "tishby-tanh" ? .tanh : .relu))
        #expect(config.training.optimizer == .sgd && config.training.epochs >= 1000)
        #expect(config.snapshots.epochs == nil, "log-spaced schedule")
        let data = try DatasetCatalog.load(config.datasetSpec)
        let evaluation = try config.evaluationSplit(of: data)
        #expect(evaluation.count == 4096)
        #expect(config.architecture(inputs: data.train.features, outputs: data.classes).outputs == 2)
    }

    @Test func allIsTheDefaultSplitOfTheTask() throws {
        let config = try ExperimentConfig.parse(yaml: "dataset:\n  name: tishby-12bit\n", source: "inline")
        #expect(config.dataset.evaluationSplit == .all && config.dataset.evaluationSize == 4096)
        #expect(config.canonicalText.contains("evaluation_split: all"))
        let data = try DatasetCatalog.load(config.datasetSpec)
        let all = try config.evaluationSplit(of: data)
        #expect(all.inputs.storage == data.train.inputs.storage + data.test.inputs.storage, "train, then test")
        #expect(all.labels == data.train.labels + data.test.labels)
        // Other datasets keep their defaults; `all` is a choice for every dataset.
        let smoke = try ExperimentConfig.parse(yaml: "dataset:\n  name: synthetic\n  evaluation_split: all\n  evaluation_size: 2500\n", source: "inline")
        #expect(try smoke.evaluationSplit(of: DatasetCatalog.load(smoke.datasetSpec)).count == 2500)
        let tooMany = try ExperimentConfig.parse(yaml: "dataset:\n  name: tishby-12bit\n  evaluation_size: 5000\n", source: "inline")
        #expect(throws: InfoPlaneError.self) { try tooMany.evaluationSplit(of: DatasetCatalog.load(tooMany.datasetSpec)) }
    }

    @Test func badSplitsAndGeneratorKeysAreNamed() {
        for (yaml, fragments) in [
            ("dataset:\n  name: tishby-12bit\n  evaluation_split: everything\n", ["evaluation_split", "test, train, all"]),
            ("dataset:\n  name: tishby-12bit\n  features: 12\n", ["dataset.features", "synthetic"]),
        ] {
            do {
                _ = try ExperimentConfig.parse(yaml: yaml, source: "test.yaml")
                Issue.record("expected an error for \(yaml.debugDescription)")
            } catch {
                let message = "\(error)"
                #expect(!message.contains("\n"))
                for fragment in fragments { #expect(message.contains(fragment), "\(message) lacks \(fragment)") }
            }
        }
    }
}
