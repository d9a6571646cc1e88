import Support

extension ExperimentConfig {
    /// The network: an MLP with the given hidden widths.
    public struct ModelSection: Sendable, Equatable, Codable {
        /// The nonlinearity of every hidden layer.
        public enum Activation: String, Sendable, CaseIterable, Codable {
            case relu, tanh
        }

        /// How the weights are initialised.
        public enum Initialization: String, Sendable, CaseIterable, Codable {
            case he, glorot
        }

        /// Hidden widths, input side first.
        public var hidden: [Int]
        /// `relu` or `tanh`.
        public var activation: Activation
        /// `he` or `glorot`; the default follows the activation (He for ReLU, Glorot for tanh).
        public var initialization: Initialization

        init(_ net: SectionReader) throws {
            activation = try net.choice("activation", default: .relu)
            hidden = try net.intList("hidden", in: 1...1_000_000, why: " (every hidden layer needs at least one unit)") ?? [64, 64, 64]
            initialization = try net.choice("initialization", default: activation == .relu ? .he : .glorot)
            guard !hidden.isEmpty else {
                throw InfoPlaneError("\(net.source): 'model.hidden' is empty: the information plane needs at least one hidden layer, e.g. [64, 64, 64]")
            }
            try net.finish()
        }

        /// The section in ``ExperimentConfig/canonicalText``.
        var canonicalLines: [String] {
            ["model:", "  hidden: [\(hidden.map(String.init).joined(separator: ", "))]",
             "  activation: \(activation.rawValue)", "  initialization: \(initialization.rawValue)"]
        }
    }
}
