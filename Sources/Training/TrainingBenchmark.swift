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

/// `infoplane bench cnn`: training throughput of the issue-13 CNN on random data, the protocol of
/// analysis/reference/bench_cnn_torch.py (PyTorch's side of the comparison).
public enum CNNTrainingBenchmark {
    /// conv16(3×3)-pool-conv32(3×3)-pool-dense128-dense10 on 1×28×28, ReLU: `configs/fashion-cnn.yaml`'s network.
    public static let architecture = SequentialArchitecture(
        input: TensorShape(channels: 1, height: 28, width: 28),
        layers: [.conv(16), .maxPool(), .conv(32), .maxPool(), .dense(128)], outputs: 10)

    /// Trains on `batches × batchSize` uniform random images with random labels (Adam 1e-3, He
    /// initialisation), one warm-up round and `rounds` timed rounds, each one epoch in a fresh
    /// order; returns a JSON line with the median samples/s and every round's.
    public static func run(batches: Int, batchSize: Int, rounds: Int, seed: UInt64) throws -> String {
        let n = batches * batchSize
        // SplitMix64: random pixels and labels need no counter-based stream (nothing is recorded).
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let pixels = (0..<(n * 784)).map { _ in Float(next() >> 40) / Float(1 << 24) }
        let labels = (0..<n).map { _ in Int32(next() % 10) }
        let train = Split(inputs: Matrix(rows: n, columns: 784, storage: pixels), labels: labels)
        let none = Split(inputs: Matrix(rows: 0, columns: 784), labels: [])
        let options = TrainingOptions(epochs: rounds + 1, batchSize: batchSize, optimizer: .adam(learningRate: 1e-3), seed: seed)
        let trainer = try NetworkTrainer<SequentialNetwork>(architecture: architecture, initialization: .he,
                                                            options: options, train: train, test: none)
        var rates: [Double] = []
        for round in 0...rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let metrics = trainer.trainEpoch()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard metrics.trainLoss.isFinite else { throw InfoPlaneError("the benchmark's training diverged") }
            if round > 0 { rates.append(Double(n) / seconds) }
        }
        let median = rates.sorted()[rates.count / 2]
        return String(format: #"{"implementation": "infoplane", "batch_size": %d, "samples_per_round": %d, "samples_per_second": %.1f, "rounds": [%@]}"#,
                      batchSize, n, median, rates.map { String(format: "%.1f", $0) }.joined(separator: ", "))
    }
}
