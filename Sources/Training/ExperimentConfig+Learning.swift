import Config
import Learning
import Support

/// Translation of a validated config into the Learning module's types.
extension ExperimentConfig {
    /// What the dataset catalog should load.
    public var datasetSpec: DatasetSpec {
        DatasetSpec(name: dataset.name.rawValue, path: dataset.path,
                    syntheticFeatures: dataset.features, syntheticClasses: dataset.classes,
                    syntheticTrainSize: dataset.trainSize, syntheticTestSize: dataset.testSize,
                    syntheticSeed: seed)
    }

    /// The network for data with `inputs` features and `outputs` classes or targets.
    public func architecture(inputs: Int, outputs: Int) -> MLPArchitecture {
        MLPArchitecture(inputs: inputs, hidden: model.hidden, outputs: outputs,
                        activation: activation)
    }

    /// The network of `model.hidden` or `model.layers` for data with `inputs` features (laid out
    /// as ``inputShape(features:)``) and `outputs` classes or targets; not yet validated.
    public func network(inputs: Int, outputs: Int) -> ConfiguredNetwork {
        guard let layers = model.layers else { return .mlp(architecture(inputs: inputs, outputs: outputs)) }
        let specs = layers.map { layer -> LayerSpec in
            let kind: LayerKind = switch layer.kind {
            case .conv(let channels, let kernel): .conv2D(channels: channels, kernel: kernel)
            case .pool(let size): .maxPool2D(size: size)
            case .dense(let units): .dense(units: units)
            }
            return LayerSpec(kind, recorded: layer.record, activation: layer.activation.map(Self.activation))
        }
        return .sequential(SequentialArchitecture(input: inputShape(features: inputs), layers: specs, outputs: outputs,
                                                  activation: activation))
    }

    /// One sample's input as the network sees it: 1×28×28 images for MNIST and Fashion-MNIST,
    /// a flat vector of `features` for the generated and Tishby data.
    public func inputShape(features: Int) -> TensorShape {
        let images = (dataset.name == .mnist || dataset.name == .fashionMNIST) && features == 28 * 28
        return images ? TensorShape(channels: 1, height: 28, width: 28) : .flat(features)
    }

    /// The hidden layers' nonlinearity.
    public var activation: Activation { Self.activation(model.activation) }

    private static func activation(_ choice: ModelSection.Activation) -> Activation {
        switch choice {
        case .relu: .relu
        case .tanh: .tanh
        }
    }

    /// How the weights are initialised.
    public var initializationScheme: Initialization {
        switch model.initialization {
        case .he: .he
        case .glorot: .glorot
        }
    }

    /// Epochs, batches, optimiser, loss, seed and weight decay as the trainer takes them.
    public var trainingOptions: TrainingOptions {
        let optimizer: OptimizerKind = switch training.optimizer {
        case .sgd: .sgd(learningRate: Float(training.learningRate), momentum: Float(training.momentum))
        case .adam: .adam(learningRate: Float(training.learningRate), beta1: Float(training.beta1),
                          beta2: Float(training.beta2), epsilon: Float(training.epsilon))
        }
        return TrainingOptions(epochs: training.epochs, batchSize: training.batchSize, optimizer: optimizer,
                               loss: training.loss == .mse ? .meanSquaredError : .crossEntropy,
                               seed: trainingSeed, weightDecay: Float(training.weightDecay))
    }

    /// The seed of initialisation and minibatch order: `seed + replica`, so copy 0 of an
    /// ensemble is the single-network run and every copy sees the same (seeded) data.
    public var trainingSeed: UInt64 { seed &+ UInt64(replica) }

    /// When activations are recorded.
    public var snapshotSchedule: SnapshotSchedule {
        if let epochs = snapshots.epochs { return .explicit(epochs) }
        return .logSpaced(denseUntil: snapshots.denseUntil, count: snapshots.count)
    }

    /// The evaluation samples (the first `evaluation_size` of the chosen split; `all` is the
    /// training split followed by the test split).
    public func evaluationSplit(of data: Dataset) throws -> Split {
        let split: Split
        switch dataset.evaluationSplit {
        case .train: split = data.train
        case .all: split = data.train.followed(by: data.test)
        case .test: split = data.test
        }
        guard dataset.evaluationSize <= split.count else {
            throw InfoPlaneError("dataset.evaluation_size = \(dataset.evaluationSize) is larger than the \(dataset.evaluationSplit.rawValue) split (\(split.count) samples): lower it")
        }
        return split.prefix(dataset.evaluationSize)
    }
}
