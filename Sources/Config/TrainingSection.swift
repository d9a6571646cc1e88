import Support

extension ExperimentConfig {
    /// Optimisation settings.
    public struct TrainingSection: Sendable, Equatable, Codable {
        /// The optimiser.
        public enum Optimizer: String, Sendable, CaseIterable, Codable {
            case adam
            /// Stochastic gradient descent with momentum.
            case sgd
        }

        /// The training loss.
        public enum Loss: String, Sendable, CaseIterable, Codable {
            case crossEntropy = "cross-entropy"
            /// Mean squared error (regression).
            case mse
        }

        /// Epochs to train.
        public var epochs: Int
        /// Minibatch size.
        public var batchSize: Int
        /// `adam` or `sgd`.
        public var optimizer: Optimizer
        /// Step size (default 0.001 for Adam, 0.01 for SGD).
        public var learningRate: Double
        /// SGD's momentum.
        public var momentum: Double
        /// Adam's β₁.
        public var beta1: Double
        /// Adam's β₂.
        public var beta2: Double
        /// Adam's ε.
        public var epsilon: Double
        /// `cross-entropy` or `mse`.
        public var loss: Loss
        /// L2 weight decay.
        public var weightDecay: Double

        init(_ train: SectionReader) throws {
            // The optimiser first: the learning rate's default depends on it.
            optimizer = try train.choice("optimizer", default: .adam)
            epochs = try train.int("epochs", default: 20, in: 0...1_000_000)
            batchSize = try train.int("batch_size", default: 128, in: 1...10_000_000)
            learningRate = try train.double("learning_rate", default: optimizer == .adam ? 0.001 : 0.01, in: 0...10, openLower: true)
            momentum = try train.double("momentum", default: 0.9, in: 0...0.999999)
            beta1 = try train.double("beta1", default: 0.9, in: 0...0.999999)
            beta2 = try train.double("beta2", default: 0.999, in: 0...0.999999999)
            epsilon = try train.double("epsilon", default: 1e-8, in: 0...1, openLower: true)
            loss = try train.choice("loss", default: .crossEntropy)
            weightDecay = try train.double("weight_decay", default: 0, in: 0...1)
            // Training computes in float32: a positive value that rounds to 0 there is refused
            // here, naming its key, not later by the optimiser.
            for (key, value) in [("learning_rate", learningRate), ("epsilon", epsilon)] where Float(value) == 0 {
                throw InfoPlaneError("\(train.source): 'training.\(key)' = \(value) is impossible: it is 0 in float32, which training computes in; use at least 1e-37")
            }
            if Float(beta2) >= 1 {
                throw InfoPlaneError("\(train.source): 'training.beta2' = \(beta2) is impossible: it is 1 in float32, which training computes in; use at most 0.9999999")
            }
            try train.finish()
        }

        /// The section in ``ExperimentConfig/canonicalText`` (the other optimiser's keys left out).
        var canonicalLines: [String] {
            var lines = ["training:", "  epochs: \(epochs)", "  batch_size: \(batchSize)",
                         "  optimizer: \(optimizer.rawValue)", "  learning_rate: \(learningRate)"]
            switch optimizer {
            case .sgd: lines.append("  momentum: \(momentum)")
            case .adam: lines += ["  beta1: \(beta1)", "  beta2: \(beta2)", "  epsilon: \(epsilon)"]
            }
            return lines + ["  loss: \(loss.rawValue)", "  weight_decay: \(weightDecay)"]
        }
    }
}
