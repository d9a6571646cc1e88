import ArgumentParser
import Foundation
import Learning
import Support

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (run `make bench-training` for the side-by-side comparison with numpy).",
        subcommands: [TrainingBench.self, EstimatorsBench.self, AccuracyBench.self])
}

/// Training throughput of the MLP on a catalog dataset, as one JSON line. The time covers each
/// whole epoch: shuffling, minibatch updates and the test-set evaluation.
struct TrainingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: "Time minibatch training of an MLP and print samples/s as JSON.")

    @Option(help: "Catalog dataset.") var dataset = "fashion-mnist"
    @Option(help: "Dataset directory (default: the catalog's).") var data: String?
    @Option(help: "Hidden widths, comma-separated.") var hidden = "64,64,64"
    @Option(help: "Minibatch size.") var batchSize = 128
    @Option(help: "Epochs to time.") var epochs = 1
    @Option(help: "Adam learning rate.") var lr: Double = 1e-3
    @Option(help: "Seed.") var seed: UInt64 = 1

    func run() throws {
        let widths = try CommaSeparated.integers(hidden, option: "--hidden", example: "64,64,64", minimum: 1)
        let data = try DatasetCatalog.load(DatasetSpec(name: dataset, path: self.data))
        let architecture = MLPArchitecture(inputs: data.train.features, hidden: widths, outputs: data.classes, activation: .relu)
        let options = TrainingOptions(epochs: epochs, batchSize: batchSize,
                                      optimizer: .adam(learningRate: Float(lr), beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
                                      loss: .crossEntropy, seed: seed, weightDecay: 0)
        let trainer = try Trainer(architecture: architecture, initialization: .he, options: options,
                                  train: data.train, test: data.test)
        var trainSeconds = 0.0
        var last: EpochMetrics?
        for _ in 0..<epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            let metrics = trainer.trainEpoch()
            trainSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            last = metrics
        }
        let samples = Double(data.train.count * epochs)
        print(String(format: #"{"implementation": "infoplane", "samples_per_second": %.1f, "seconds": %.4f, "train_loss": %.5f, "test_accuracy": %.5f}"#,
                     samples / trainSeconds, trainSeconds, last?.trainLoss ?? .nan, last?.testAccuracy ?? .nan))
    }
}
