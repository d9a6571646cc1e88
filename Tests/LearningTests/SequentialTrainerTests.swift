import Support
import Foundation
import Testing
@testable import Learning

/// The trainer, optimizers and checkpoints with a convolutional network.
@Suite struct SequentialTrainerTests {
    static let architecture = SequentialArchitecture(
        input: TensorShape(channels: 1, height: 8, width: 8),
        layers: [.conv(4, kernel: 3), .maxPool(), .conv(6, kernel: 5), .maxPool(), .dense(16)], outputs: 3)
    static let train = lineImages(count: 300, seed: 1, purpose: "train")
    static let test = lineImages(count: 150, seed: 1, purpose: "test")

    func makeTrainer(_ options: TrainingOptions) throws -> NetworkTrainer<SequentialNetwork> {
        try NetworkTrainer(architecture: Self.architecture, initialization: .he, options: options,
                           train: Self.train, test: Self.test)
    }

    @Test("a small CNN learns to tell horizontal, vertical and diagonal lines apart", arguments: [
        OptimizerKind.adam(learningRate: 0.01),
        OptimizerKind.sgd(learningRate: 0.05, momentum: 0.9),
    ])
    func learnsLines(optimizer: OptimizerKind) throws {
        let trainer = try makeTrainer(TrainingOptions(epochs: 10, batchSize: 32, optimizer: optimizer, seed: 4, weightDecay: 1e-4))
        let initial = trainer.evaluateCurrentModel()
        var last: EpochMetrics?
        trainer.train { last = $0 }
        #expect(last!.testAccuracy > 0.9, "test accuracy \(last!.testAccuracy)")
        #expect(last!.trainLoss < initial.trainLoss / 2)
    }

    @Test("same seed: bit-identical training; another seed: different weights")
    func sameSeedIsBitIdentical() throws {
        let options = TrainingOptions(epochs: 2, batchSize: 64, optimizer: .adam(learningRate: 0.01), seed: 21)
        let a = try makeTrainer(options), b = try makeTrainer(options)
        var other = options
        other.seed = 22
        let c = try makeTrainer(other)
        for _ in 0..<2 {
            #expect(timeless(a.trainEpoch()) == timeless(b.trainEpoch()))
            c.trainEpoch()
        }
        #expect(bitPatterns(a.model) == bitPatterns(b.model))
        #expect(bitPatterns(a.model) != bitPatterns(c.model))
    }

    @Test("a checkpoint restored mid-training continues bit-identically", arguments: [
        OptimizerKind.sgd(learningRate: 0.05, momentum: 0.9),
        OptimizerKind.adam(learningRate: 0.01),
    ])
    func resumeIsBitIdentical(optimizer: OptimizerKind) throws {
        // 300 samples in batches of 64: four full batches and a partial one of 44 per epoch.
        let options = TrainingOptions(epochs: 4, batchSize: 64, optimizer: optimizer, seed: 3, weightDecay: 1e-3)
        let uninterrupted = try makeTrainer(options)
        var expected: [EpochMetrics] = []
        uninterrupted.train { expected.append(timeless($0)) }

        let first = try makeTrainer(options)
        first.trainEpoch()
        first.trainEpoch()
        let checkpoint = first.checkpoint()
        let state = optimizer.stateNames
        let parameters = ["conv1.W", "conv1.b", "conv2.W", "conv2.b", "dense1.W", "dense1.b", "output.W", "output.b"]
        #expect(checkpoint.tensors.map(\.name) == parameters + state.flatMap { prefix in parameters.map { "\(prefix).\($0)" } })
        #expect(checkpoint.tensor(named: "conv2.W").map { [$0.rows, $0.columns] } == [6, 100])

        let resumed = try NetworkTrainer<SequentialNetwork>(restoring: checkpoint, architecture: Self.architecture,
                                                            options: options, train: Self.train, test: Self.test)
        #expect(resumed.epochsCompleted == 2 && resumed.step == 10)
        var rest: [EpochMetrics] = []
        resumed.train { rest.append(timeless($0)) }
        #expect(rest == Array(expected.suffix(2)))
        #expect(bitPatterns(resumed.model) == bitPatterns(uninterrupted.model))
    }

    @Test func restoringAnotherArchitectureFailsWithOneLine() throws {
        let options = TrainingOptions(epochs: 1, batchSize: 64, seed: 3)
        let checkpoint = try makeTrainer(options).checkpoint()
        var other = Self.architecture
        other.layers[2] = .conv(8, kernel: 5)
        let error = #expect(throws: InfoPlaneError.self) {
            try NetworkTrainer<SequentialNetwork>(restoring: checkpoint, architecture: other, options: options,
                                                  train: Self.train, test: Self.test)
        }
        #expect(error?.description == "checkpoint tensor conv2.W is 6×100 but this architecture needs 8×100")
        let mlpCheckpoint = try TrainerTests().makeTrainer(options).checkpoint()
        let foreign = #expect(throws: InfoPlaneError.self) {
            try NetworkTrainer<SequentialNetwork>(restoring: mlpCheckpoint, architecture: Self.architecture, options: options,
                                                  train: Self.train, test: Self.test)
        }
        #expect(foreign?.description.hasPrefix("checkpoint tensor W1 does not belong") == true)
    }

    @Test func trainerRefusesDataOfAnotherShape() throws {
        let wrong = Split(inputs: Matrix(rows: 4, columns: 63), labels: [0, 1, 2, 0])
        let error = #expect(throws: InfoPlaneError.self) {
            try NetworkTrainer<SequentialNetwork>(architecture: Self.architecture, initialization: .he,
                                                  options: TrainingOptions(epochs: 1, seed: 1), train: wrong, test: wrong)
        }
        #expect(error?.description == "training inputs have 63 features but the architecture expects 64 inputs")
    }
}
