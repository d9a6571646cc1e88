import Foundation
import Randomness
import Support
import Testing
@testable import Learning

/// Four Gaussian blobs in 8-D (centres ~ N(0, 2²) per coordinate, unit noise): learnable but not trivial.
func blobs(count: Int, seed: UInt64, purpose: String) -> Split {
    var centres = RandomStream(seed: 99, purpose: "blob.centres")
    let centre = (0..<4).map { _ in (0..<8).map { _ in Float(2 * centres.nextGaussian()) } }
    var noise = RandomStream(seed: seed, purpose: purpose)
    var inputs = Matrix(rows: count, columns: 8)
    var labels: [Int32] = []
    for r in 0..<count {
        let label = Int(noise.nextInt(below: 4))
        labels.append(Int32(label))
        for c in 0..<8 { inputs[r, c] = centre[label][c] + Float(noise.nextGaussian()) }
    }
    return Split(inputs: inputs, labels: labels)
}

/// The metrics without the wall-clock time, which legitimately differs between runs.
func timeless(_ metrics: EpochMetrics) -> EpochMetrics {
    var copy = metrics
    copy.seconds = 0
    return copy
}

@Suite struct TrainerTests {
    static let architecture = MLPArchitecture(inputs: 8, hidden: [16, 12], outputs: 4)
    static let train = blobs(count: 400, seed: 1, purpose: "train")
    static let test = blobs(count: 200, seed: 1, purpose: "test")

    func makeTrainer(_ options: TrainingOptions, architecture: MLPArchitecture = architecture) throws -> Trainer {
        try Trainer(architecture: architecture, initialization: .standard(for: architecture.activation),
                    options: options, train: Self.train, test: Self.test)
    }

    @Test func learnsGaussianBlobs() throws {
        let trainer = try makeTrainer(TrainingOptions(epochs: 8, batchSize: 32, optimizer: .adam(learningRate: 0.01), seed: 5))
        let initial = trainer.evaluateCurrentModel()
        #expect(initial.epoch == 0)
        var history: [EpochMetrics] = []
        trainer.train { history.append($0) }
        #expect(history.map(\.epoch) == Array(1...8))
        #expect(trainer.epochsCompleted == 8)
        #expect(history.last!.testAccuracy > 0.9, "test accuracy \(history.last!.testAccuracy)")
        #expect(history.last!.trainLoss < initial.trainLoss / 4)
        #expect(history.allSatisfy { $0.seconds >= 0 })
    }

    @Test("other losses and optimizers learn too", arguments: [
        (Loss.meanSquaredError, OptimizerKind.adam(learningRate: 0.01)),
        (Loss.crossEntropy, OptimizerKind.sgd(learningRate: 0.05, momentum: 0.9)),
    ])
    func otherConfigurationsLearn(loss: Loss, optimizer: OptimizerKind) throws {
        let trainer = try makeTrainer(TrainingOptions(epochs: 8, batchSize: 32, optimizer: optimizer, loss: loss,
                                                      seed: 5, weightDecay: 1e-4))
        var last: EpochMetrics?
        trainer.train { last = $0 }
        #expect(last!.testAccuracy > 0.9, "\(loss) \(optimizer): test accuracy \(last!.testAccuracy)")
    }

    @Test func regressionReducesTheLoss() throws {
        // y = sin(x₀) + x₁·x₂/2 with 2 outputs (the second the negation), a smooth target.
        func split(_ count: Int, _ purpose: String) -> Split {
            let x = Matrix(rows: count, columns: 3, storage: gaussianFloats(count * 3, seed: 8, purpose: purpose))
            var y = Matrix(rows: count, columns: 2)
            for r in 0..<count {
                y[r, 0] = Foundation.sin(x[r, 0]) + x[r, 1] * x[r, 2] / 2
                y[r, 1] = -y[r, 0]
            }
            return Split(inputs: x, labels: [], targets: y)
        }
        let architecture = MLPArchitecture(inputs: 3, hidden: [16, 16], outputs: 2, activation: .tanh)
        let trainer = try Trainer(architecture: architecture, initialization: .glorot,
                                  options: TrainingOptions(epochs: 10, batchSize: 16, optimizer: .adam(learningRate: 0.01),
                                                           loss: .meanSquaredError, seed: 1),
                                  train: split(300, "train"), test: split(100, "test"))
        let initial = trainer.evaluateCurrentModel()
        var last: EpochMetrics?
        trainer.train { last = $0 }
        #expect(last!.testLoss < initial.testLoss / 3, "\(initial.testLoss) → \(last!.testLoss)")
        #expect(last!.trainAccuracy.isNaN && last!.testAccuracy.isNaN)
    }

    @Test func sameSeedIsBitIdenticalAndOtherSeedsDiffer() throws {
        let options = TrainingOptions(epochs: 2, batchSize: 48, optimizer: .adam(learningRate: 0.01), seed: 21)
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
        // Same initial weights, different shuffle: the trajectories still part.
        let shuffledOnly = try Trainer(restoring: try makeTrainer(options).checkpoint(), architecture: Self.architecture,
                                       options: other, train: Self.train, test: Self.test)
        shuffledOnly.trainEpoch()
        shuffledOnly.trainEpoch()
        #expect(bitPatterns(shuffledOnly.model) != bitPatterns(a.model))
    }

    @Test("a run resumed from a checkpoint is bit-identical to an uninterrupted one", arguments: [
        OptimizerKind.sgd(learningRate: 0.05, momentum: 0.9),
        OptimizerKind.adam(learningRate: 0.01),
    ])
    func resumeIsBitIdentical(optimizer: OptimizerKind) throws {
        // 400 samples in batches of 48: eight full batches and a partial one of 16 per epoch.
        let options = TrainingOptions(epochs: 4, batchSize: 48, optimizer: optimizer, seed: 3, weightDecay: 1e-3)
        let uninterrupted = try makeTrainer(options)
        var expected: [EpochMetrics] = []
        uninterrupted.train { expected.append(timeless($0)) }
        #expect(uninterrupted.step == 4 * 9)

        let first = try makeTrainer(options)
        first.trainEpoch()
        first.trainEpoch()
        let checkpoint = first.checkpoint()
        #expect(checkpoint.epoch == 2 && checkpoint.step == 18)
        let stateNames = optimizer.stateNames
        #expect(checkpoint.tensors.map(\.name) == ["W1", "b1", "W2", "b2", "W3", "b3"]
                + stateNames.flatMap { p in ["W1", "b1", "W2", "b2", "W3", "b3"].map { "\(p).\($0)" } })
        #expect(checkpoint.tensor(named: "b2")?.rows == 1 && checkpoint.tensor(named: "W2")?.rows == 16)

        let resumed = try Trainer(restoring: checkpoint, architecture: Self.architecture, options: options,
                                  train: Self.train, test: Self.test)
        #expect(resumed.epochsCompleted == 2 && bitPatterns(resumed.model) == bitPatterns(first.model))
        var after: [EpochMetrics] = []
        resumed.train { after.append(timeless($0)) }
        #expect(after == Array(expected.suffix(2)))
        #expect(bitPatterns(resumed.model) == bitPatterns(uninterrupted.model))
        let end = resumed.checkpoint(), reference = uninterrupted.checkpoint()
        #expect(end.tensors.map { $0.values.map(\.bitPattern) } == reference.tensors.map { $0.values.map(\.bitPattern) })
        #expect(end.step == reference.step && end.epoch == 4)
    }

    @Test func mismatchedCheckpointsAreRejected() throws {
        let options = TrainingOptions(epochs: 1, batchSize: 50, optimizer: .adam(), seed: 1)
        let trainer = try makeTrainer(options)
        trainer.trainEpoch()
        let checkpoint = trainer.checkpoint()
        func restore(_ checkpoint: TrainingCheckpoint, _ options: TrainingOptions,
                     _ architecture: MLPArchitecture = Self.architecture) -> String? {
            do {
                _ = try Trainer(restoring: checkpoint, architecture: architecture, options: options,
                                train: Self.train, test: Self.test)
                return nil
            } catch {
                return (error as? InfoPlaneError)?.description
            }
        }
        #expect(restore(checkpoint, options) == nil)
        var missing = checkpoint
        missing.tensors.removeAll { $0.name == "adam.v.b2" }
        #expect(restore(missing, options)?.contains("lacks tensor adam.v.b2") == true)
        var sgd = options
        sgd.optimizer = .sgd(learningRate: 0.1, momentum: 0.5)
        #expect(restore(checkpoint, sgd)?.contains("adam.m.W1 does not belong") == true)
        var batch = options
        batch.batchSize = 40
        #expect(restore(checkpoint, batch)?.contains("another batch size") == true)
        let wider = MLPArchitecture(inputs: 8, hidden: [17, 12], outputs: 4)
        #expect(restore(checkpoint, options, wider)?.contains("W1 is 8×16 but this architecture needs 8×17") == true)
    }

    @Test func invalidSetupsAreNamed() throws {
        let good = TrainingOptions(epochs: 1, batchSize: 8, seed: 1)
        func message(_ options: TrainingOptions = good, architecture: MLPArchitecture = Self.architecture,
                     train: Split = Self.train, test: Split = Self.test) -> String? {
            do {
                _ = try Trainer(architecture: architecture, initialization: .he, options: options, train: train, test: test)
                return nil
            } catch {
                return (error as? InfoPlaneError)?.description
            }
        }
        func with(_ change: (inout TrainingOptions) -> Void) -> TrainingOptions {
            var options = good
            change(&options)
            return options
        }
        #expect(message() == nil)
        #expect(message(with { $0.epochs = -1 })?.contains("epochs -1 is negative") == true)
        #expect(message(with { $0.batchSize = 0 })?.contains("batch size 0 is impossible") == true)
        #expect(message(with { $0.optimizer = .adam(learningRate: 0) })?.contains("learning rate 0.0 is impossible") == true)
        #expect(message(with { $0.optimizer = .sgd(learningRate: .nan) })?.contains("learning rate nan") == true)
        #expect(message(with { $0.optimizer = .sgd(learningRate: .infinity) })?.contains("learning rate inf") == true)
        #expect(message(with { $0.optimizer = .sgd(learningRate: 0.1, momentum: 1) })?.contains("momentum 1.0") == true)
        #expect(message(with { $0.optimizer = .adam(beta2: 1) })?.contains("beta2 1.0") == true)
        #expect(message(with { $0.weightDecay = -1 })?.contains("weight decay -1.0") == true)
        #expect(message(architecture: MLPArchitecture(inputs: 8, hidden: [0], outputs: 4))?
            .hasPrefix("hidden width 0 is impossible") == true)
        #expect(message(architecture: MLPArchitecture(inputs: 9, hidden: [4], outputs: 4))?
            .contains("training inputs have 8 features but the architecture expects 9 inputs") == true)
        #expect(message(architecture: MLPArchitecture(inputs: 8, hidden: [4], outputs: 3))?
            .contains("label 3 of sample") == true)

        var poisoned = Self.train
        poisoned.inputs[5, 2] = .nan
        #expect(message(train: poisoned) == "training inputs hold NaN at row 5, column 2; clean or impute the data before training")
        var infinite = Self.test
        infinite.inputs[1, 0] = -.infinity
        #expect(message(test: infinite)?.hasPrefix("test inputs hold -inf at row 1, column 0") == true)
        var negativeLabel = Self.test
        negativeLabel.labels[3] = -1
        #expect(message(test: negativeLabel)?.contains("test label -1 of sample 3 is outside 0..<4") == true)
        var shortLabels = Self.train
        shortLabels.labels.removeLast()
        #expect(message(train: shortLabels)?.contains("400 samples but 399 labels") == true)
        #expect(message(train: Self.train.prefix(0))?.contains("training split is empty") == true)

        let regression = Split(inputs: Self.train.inputs, labels: [], targets: Matrix(rows: 400, columns: 4))
        #expect(message(train: regression, test: Split(inputs: Self.test.inputs, labels: [],
                                                        targets: Matrix(rows: 200, columns: 4)))?
            .contains("cross-entropy needs class labels") == true)
        #expect(message(with { $0.loss = .meanSquaredError }, train: regression)?
            .contains("both must be classification or both regression") == true)
    }

    @Test func anEmptyTestSplitGivesNaNTestMetrics() throws {
        let trainer = try Trainer(architecture: Self.architecture, initialization: .he,
                                  options: TrainingOptions(epochs: 1, batchSize: 400, seed: 1),
                                  train: Self.train, test: Self.test.prefix(0))
        let metrics = trainer.trainEpoch()
        #expect(metrics.testLoss.isNaN && metrics.testAccuracy.isNaN && metrics.trainLoss.isFinite)
        #expect(trainer.step == 1)
    }
}
