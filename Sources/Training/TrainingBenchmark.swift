import Foundation
import Learning
import Support

/// `infoplane bench training`: training throughput of the MLP on a catalog dataset, as one JSON
/// line. The time covers each whole epoch: shuffling, minibatch updates and the test-set
/// evaluation.
public enum TrainingBenchmark {
    /// Trains a ReLU MLP (He initialisation, Adam, cross-entropy) and returns the JSON line.
    public static func run(dataset: String, path: String?, hidden: [Int], batchSize: Int, epochs: Int, learningRate: Double,
                           seed: UInt64) throws -> String {
        let data = try DatasetCatalog.load(DatasetSpec(name: dataset, path: path))
        let architecture = MLPArchitecture(inputs: data.train.features, hidden: hidden, outputs: data.classes, activation: .relu)
        var memory = MemoryEstimate()
        memory.addNetwork(architecture, moments: 2, fix: "narrow --hidden")
        try memory.check(perRank: false)
        let options = TrainingOptions(epochs: epochs, batchSize: batchSize,
                                      optimizer: .adam(learningRate: Float(learningRate), beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
                                      loss: .crossEntropy, seed: seed, weightDecay: 0)
        let trainer = try Trainer(architecture: architecture, initialization: .he, options: options, train: data.train, test: data.test)
        var trainSeconds = 0.0
        var last: EpochMetrics?
        for _ in 0..<epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            last = trainer.trainEpoch()
            trainSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let samples = Double(data.train.count * epochs)
        return String(format: #"{"implementation": "infoplane", "samples_per_second": %.1f, "seconds": %.4f, "train_loss": %.5f, "test_accuracy": %.5f}"#,
                      samples / trainSeconds, trainSeconds, last?.trainLoss ?? .nan, last?.testAccuracy ?? .nan)
    }
}
