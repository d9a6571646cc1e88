import Foundation
import Randomness
import Support

/// How a network is trained.
public struct TrainingOptions: Sendable, Equatable {
    /// Planned number of epochs (``Trainer/train(onEpoch:)`` stops there).
    public var epochs: Int
    /// Samples per minibatch; the last minibatch of an epoch may be smaller.
    public var batchSize: Int
    /// Update rule and hyperparameters.
    public var optimizer: OptimizerKind
    /// Objective.
    public var loss: Loss
    /// Seeds the initial weights (`"init"` streams) and the per-epoch shuffles (`"shuffle"` streams).
    public var seed: UInt64
    /// L2 coefficient λ: `λ·W` is added to every weight gradient (biases are not decayed). The
    /// reported losses do not include the penalty.
    public var weightDecay: Float

    /// Options with the experiment's usual defaults (batch 128, Adam at 1e-3, cross-entropy).
    public init(epochs: Int, batchSize: Int = 128, optimizer: OptimizerKind = .adam(),
                loss: Loss = .crossEntropy, seed: UInt64, weightDecay: Float = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.loss = loss
        self.seed = seed
        self.weightDecay = weightDecay
    }

    /// Throws a ``InfoPlaneError`` naming the first option out of range.
    public func validate() throws {
        if epochs < 0 { throw InfoPlaneError("epochs \(epochs) is negative: use 0 to only initialise the network") }
        if batchSize < 1 { throw InfoPlaneError("batch size \(batchSize) is impossible: it must be at least 1 (e.g. 128)") }
        try optimizer.validate()
        if !(weightDecay >= 0 && weightDecay.isFinite) {
            throw InfoPlaneError("weight decay \(weightDecay) must be zero or positive and finite")
        }
    }
}

/// Loss and accuracy after one epoch.
public struct EpochMetrics: Sendable, Equatable {
    /// The epoch just completed (1-based); 0 for the initialised network.
    public var epoch: Int
    /// Sample-weighted mean of the minibatch losses, each taken before its update (as Keras reports).
    public var trainLoss: Double
    /// Fraction of training samples classified correctly, taken like `trainLoss`; NaN for regression.
    public var trainAccuracy: Double
    /// Mean loss on the whole test split after the epoch; NaN if the test split is empty.
    public var testLoss: Double
    /// Test accuracy after the epoch; NaN for regression or an empty test split.
    public var testAccuracy: Double
    /// Wall-clock seconds for the epoch's training and test evaluation.
    public var seconds: Double

    /// Metrics from their parts.
    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double,
                testAccuracy: Double, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.seconds = seconds
    }
}

/// The trainer of today's fully connected networks (the configs' `hidden: [64, 64, 64]` form).
public typealias Trainer = NetworkTrainer<MLP>

/// Minibatch training of a network (an ``MLP`` or a convolutional ``SequentialNetwork``),
/// deterministic and resumable.
///
/// Epoch `e` visits the training samples in the order `RandomStream(seed:, purpose: "shuffle", e)
/// .permutation(of: n)`, in minibatches of `batchSize` (the last one partial), one optimizer step
/// per minibatch. With the same architecture, options, data and OpenBLAS thread count, the weights
/// after any epoch are bit-identical from run to run, and a trainer restored from a
/// ``checkpoint()`` continues exactly as the uninterrupted run would have.
///
/// Not thread-safe: one trainer belongs to one task.
public final class NetworkTrainer<Network: TrainableNetwork> {
    /// The network's shape.
    public let architecture: Network.Architecture
    /// The training options.
    public let options: TrainingOptions
    /// The current network (a copy is a frozen snapshot).
    public private(set) var model: Network
    /// Epochs trained so far.
    public private(set) var epochsCompleted: Int
    /// Optimizer steps taken so far.
    public private(set) var step: Int

    private let train: Split
    private let test: Split
    private let optimizer: OptimizerState
    private let workspace: Network.Workspace
    private let batch: BatchBuffers
    /// Samples per minibatch of `evaluate` on the test split.
    private let evaluationBatchSize = 1000

    /// A trainer for a freshly initialised network (weights from `options.seed`).
    public convenience init(architecture: Network.Architecture, initialization: Initialization,
                            options: TrainingOptions, train: Split, test: Split) throws {
        try NetworkTrainer.validate(architecture: architecture, options: options, train: train, test: test)
        let model = try Network(architecture: architecture, initialization: initialization, seed: options.seed)
        self.init(model: model, options: options, train: train, test: test, epoch: 0, step: 0)
    }

    /// A trainer that continues from `checkpoint`, which must come from a trainer with the same
    /// architecture, options and data; throws if a tensor is missing, extra or misshapen, or the
    /// step count does not fit the batch size and training set.
    public convenience init(restoring checkpoint: TrainingCheckpoint, architecture: Network.Architecture,
                            options: TrainingOptions, train: Split, test: Split) throws {
        try NetworkTrainer.validate(architecture: architecture, options: options, train: train, test: test)
        let batches = (train.count + options.batchSize - 1) / options.batchSize
        guard checkpoint.epoch >= 0, checkpoint.step == checkpoint.epoch * batches else {
            throw InfoPlaneError("checkpoint at epoch \(checkpoint.epoch) has taken \(checkpoint.step) steps, but "
                                + "\(train.count) samples in batches of \(options.batchSize) make \(batches) per "
                                + "epoch; was it written with another batch size or training set?")
        }
        let shapes = Network.parameterShapes(of: architecture)
        let expected = shapes.map(\.name) + options.optimizer.stateNames.flatMap { prefix in
            shapes.map { "\(prefix).\($0.name)" }
        }
        if let extra = checkpoint.tensors.first(where: { !expected.contains($0.name) }) {
            throw InfoPlaneError("checkpoint tensor \(extra.name) does not belong to this architecture and "
                                + "optimizer; was it written with another configuration?")
        }
        func values(_ name: String, _ rows: Int, _ columns: Int) throws -> [Float] {
            guard let tensor = checkpoint.tensor(named: name) else {
                throw InfoPlaneError("checkpoint lacks tensor \(name); it cannot resume this configuration")
            }
            guard tensor.rows == rows, tensor.columns == columns, tensor.values.count == rows * columns else {
                throw InfoPlaneError("checkpoint tensor \(name) is \(tensor.rows)×\(tensor.columns) but this "
                                    + "architecture needs \(rows)×\(columns)")
            }
            return tensor.values
        }
        let model = try Network(architecture: architecture,
                                parameterValues: try shapes.map { try values($0.name, $0.rows, $0.columns) })
        self.init(model: model, options: options, train: train, test: test,
                  epoch: checkpoint.epoch, step: checkpoint.step)
        optimizer.slots = try options.optimizer.stateNames.map { prefix in
            try shapes.map { try values("\(prefix).\($0.name)", $0.rows, $0.columns) }
        }
    }

    private init(model: Network, options: TrainingOptions, train: Split, test: Split, epoch: Int, step: Int) {
        self.architecture = model.architecture
        self.options = options
        self.model = model
        self.train = train
        self.test = test
        self.epochsCompleted = epoch
        self.step = step
        optimizer = OptimizerState(kind: options.optimizer,
                                   tensorSizes: Network.parameterShapes(of: model.architecture).map { $0.rows * $0.columns })
        let capacity = min(options.batchSize, train.count)
        workspace = model.makeWorkspace(capacity: capacity, training: true)
        batch = BatchBuffers(capacity: capacity, features: model.architecture.inputs,
                             outputs: model.architecture.outputs)
    }

    // MARK: - Training

    /// Trains one more epoch (epoch `epochsCompleted + 1`) and evaluates the test split.
    /// `afterBatch` runs after every minibatch (the MPI pipeline serves its workers there, so
    /// training never makes them wait an epoch); it must not touch the model.
    @discardableResult
    public func trainEpoch(afterBatch: () -> Void = {}) -> EpochMetrics {
        let clock = ContinuousClock()
        let started = clock.now
        let epoch = epochsCompleted + 1
        var shuffle = RandomStream(seed: options.seed, purpose: "shuffle", epoch)
        let order = shuffle.permutation(of: train.count)
        var lossSum = 0.0
        var correct = 0
        let ws = workspace, batch = batch
        let features = architecture.inputs, outputs = architecture.outputs
        let classification = !train.labels.isEmpty
        train.inputs.storage.withUnsafeBufferPointer { x in
            train.labels.withUnsafeBufferPointer { labels in
                (train.targets?.storage ?? []).withUnsafeBufferPointer { targets in
                    order.withUnsafeBufferPointer { order in
                        var start = 0
                        while start < order.count {
                            let rows = min(batch.capacity, order.count - start)
                            // Gather the minibatch into the preallocated buffers (memcpy per row).
                            for r in 0..<rows {
                                let sample = order[start + r]
                                (batch.inputs.baseAddress! + r * features)
                                    .update(from: x.baseAddress! + sample * features, count: features)
                                if classification {
                                    batch.labels[r] = labels[sample]
                                } else {
                                    (batch.targets.baseAddress! + r * outputs)
                                        .update(from: targets.baseAddress! + sample * outputs, count: outputs)
                                }
                            }
                            let input = UnsafePointer(batch.inputs.baseAddress!)
                            let logits = model.forward(batch: input, rows: rows, workspace: ws)
                            let part = options.loss.accumulate(
                                outputs: logits, rows: rows, width: outputs,
                                labels: classification ? batch.labels.baseAddress! : nil,
                                targets: classification ? nil : batch.targets.baseAddress!,
                                gradient: model.outputGradient(in: ws))
                            lossSum += part.lossSum
                            correct += part.correct
                            model.backward(batch: input, rows: rows, weightDecay: options.weightDecay, workspace: ws)
                            step += 1
                            optimizer.update(&model, gradients: ws, step: step)
                            start += rows
                            afterBatch()
                        }
                    }
                }
            }
        }
        epochsCompleted = epoch
        let n = Double(train.count)
        let testMetrics = model.evaluate(test, loss: options.loss, batchSize: evaluationBatchSize)
        return EpochMetrics(epoch: epoch, trainLoss: lossSum / n,
                            trainAccuracy: classification ? Double(correct) / n : .nan,
                            testLoss: testMetrics.loss, testAccuracy: testMetrics.accuracy,
                            seconds: NetworkTrainer.seconds(since: started, clock: clock))
    }

    /// Trains epoch after epoch until `options.epochs` are completed, handing each epoch's metrics
    /// to `onEpoch` (which may record snapshots from ``model``).
    public func train(onEpoch: (EpochMetrics) throws -> Void = { _ in }) rethrows {
        while epochsCompleted < options.epochs {
            try onEpoch(trainEpoch())
        }
    }

    /// Metrics of the current network from full passes over both splits, without training: the
    /// epoch-0 point of the curves. (After training, ``trainEpoch()``'s train metrics are instead
    /// running means over the epoch's minibatches.)
    public func evaluateCurrentModel() -> EpochMetrics {
        let clock = ContinuousClock()
        let started = clock.now
        let trainMetrics = model.evaluate(train, loss: options.loss, batchSize: evaluationBatchSize)
        let testMetrics = model.evaluate(test, loss: options.loss, batchSize: evaluationBatchSize)
        return EpochMetrics(epoch: epochsCompleted, trainLoss: trainMetrics.loss,
                            trainAccuracy: trainMetrics.accuracy, testLoss: testMetrics.loss,
                            testAccuracy: testMetrics.accuracy, seconds: NetworkTrainer.seconds(since: started, clock: clock))
    }

    /// The state to resume from (see ``TrainingCheckpoint`` for the tensor names and order).
    public func checkpoint() -> TrainingCheckpoint {
        let parameters = model.parameters
        var tensors = parameters
        for (prefix, slot) in zip(options.optimizer.stateNames, optimizer.slots) {
            for (tensor, values) in zip(parameters, slot) {
                tensors.append(NamedTensor(name: "\(prefix).\(tensor.name)", rows: tensor.rows,
                                           columns: tensor.columns, values: values))
            }
        }
        return TrainingCheckpoint(epoch: epochsCompleted, step: step, tensors: tensors)
    }

    // MARK: - Validation

    private static func seconds(since start: ContinuousClock.Instant, clock: ContinuousClock) -> Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Checks options, architecture and both splits; the first problem found is thrown.
    static func validate(architecture: Network.Architecture, options: TrainingOptions,
                         train: Split, test: Split) throws {
        try architecture.validate()
        try options.validate()
        if train.count == 0 {
            throw InfoPlaneError("the training split is empty: there is nothing to train on")
        }
        try validate(train, name: "training", architecture: architecture, loss: options.loss)
        try validate(test, name: "test", architecture: architecture, loss: options.loss)
        if test.count > 0 && train.labels.isEmpty != test.labels.isEmpty {
            throw InfoPlaneError("one split has class labels and the other only regression targets; "
                                + "both must be classification or both regression")
        }
    }

    private static func validate(_ split: Split, name: String, architecture: Network.Architecture,
                                 loss: Loss) throws {
        let n = split.count
        if split.features != architecture.inputs {
            throw InfoPlaneError("\(name) inputs have \(split.features) features but the architecture expects "
                                + "\(architecture.inputs) inputs")
        }
        if !split.labels.isEmpty {
            guard split.labels.count == n else {
                throw InfoPlaneError("\(name) split has \(n) samples but \(split.labels.count) labels")
            }
            let classes = architecture.outputs
            if let index = split.labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
                throw InfoPlaneError("\(name) label \(split.labels[index]) of sample \(index) is outside 0..<\(classes): "
                                    + "the network has \(classes) outputs, one per class")
            }
        } else if let targets = split.targets {
            guard loss == .meanSquaredError else {
                throw InfoPlaneError("cross-entropy needs class labels but the \(name) split has only regression "
                                    + "targets; use the mse loss")
            }
            guard targets.rows == n, targets.columns == architecture.outputs else {
                throw InfoPlaneError("\(name) targets are \(targets.rows)×\(targets.columns) but \(n) samples × "
                                    + "\(architecture.outputs) outputs are needed")
            }
            try requireFinite(targets, what: "\(name) targets")
        } else if n > 0 {
            throw InfoPlaneError("the \(name) split has neither class labels nor regression targets")
        }
        try requireFinite(split.inputs, what: "\(name) inputs")
    }

    private static func requireFinite(_ matrix: Matrix, what: String) throws {
        let bad = matrix.storage.withUnsafeBufferPointer { values -> Int? in
            // x·0 is 0 for finite x and NaN for ±inf or NaN, and NaN survives the sum: a fast
            // vectorised screen over tens of millions of pixels; the exact index is found only
            // when something is wrong.
            var screen = SIMD8<Float>()
            var i = 0
            let raw = UnsafeRawPointer(values.baseAddress)
            while i + 8 <= values.count {
                screen += raw!.loadUnaligned(fromByteOffset: i * MemoryLayout<Float>.stride, as: SIMD8<Float>.self) * 0
                i += 8
            }
            while i < values.count {
                screen[0] += values[i] * 0
                i += 1
            }
            guard screen != SIMD8() else { return nil }
            return values.firstIndex { !$0.isFinite }
        }
        if let bad, matrix.columns > 0 {
            let value = matrix.storage[bad]
            throw InfoPlaneError("\(what) hold \(value.isNaN ? "NaN" : "\(value)") at row \(bad / matrix.columns), "
                                + "column \(bad % matrix.columns); clean or impute the data before training")
        }
    }
}

/// The gathered inputs, labels and targets of one training minibatch, allocated once.
private final class BatchBuffers {
    /// Most rows one batch may hold.
    let capacity: Int
    /// `capacity × features` input rows.
    let inputs: UnsafeMutableBufferPointer<Float>
    /// Class labels (classification).
    let labels: UnsafeMutableBufferPointer<Int32>
    /// `capacity × outputs` targets (regression).
    let targets: UnsafeMutableBufferPointer<Float>

    init(capacity: Int, features: Int, outputs: Int) {
        self.capacity = capacity
        inputs = .allocate(capacity: capacity * features)
        inputs.initialize(repeating: 0)
        labels = .allocate(capacity: capacity)
        labels.initialize(repeating: 0)
        targets = .allocate(capacity: capacity * outputs)
        targets.initialize(repeating: 0)
    }

    deinit {
        inputs.deallocate()
        labels.deallocate()
        targets.deallocate()
    }
}
