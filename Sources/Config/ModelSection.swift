import Support

extension ExperimentConfig {
    /// The network: an MLP of `hidden` widths, or an ordered `layers` list of convolution,
    /// pooling and dense layers (``Layer``); the output layer is implicit in both.
    public struct ModelSection: Sendable, Equatable, Codable {
        /// The nonlinearity of every hidden layer.
        public enum Activation: String, Sendable, CaseIterable, Codable {
            case relu, tanh
        }

        /// How the weights are initialised.
        public enum Initialization: String, Sendable, CaseIterable, Codable {
            case he, glorot
        }

        /// Hidden widths of an MLP, input side first; empty when ``layers`` is given.
        public var hidden: [Int]
        /// The layers of a convolutional (or any sequential) network, input side first; nil for
        /// the `hidden` form.
        public var layers: [Layer]?
        /// `relu` or `tanh`.
        public var activation: Activation
        /// `he` or `glorot`; the default follows the activation (He for ReLU, Glorot for tanh).
        public var initialization: Initialization

        /// Layers whose outputs are recorded: `hidden`'s count, or the `layers` with `record` on.
        public var recordedLayerCount: Int { layers.map { $0.filter(\.record).count } ?? hidden.count }

        init(_ net: SectionReader) throws {
            activation = try net.choice("activation", default: .relu)
            if net.has("hidden") && net.has("layers") {
                throw InfoPlaneError("\(net.source): 'model.hidden' and 'model.layers' both describe the network: keep hidden for an MLP or layers for a CNN, not both")
            }
            if let entries = try net.list("layers") {
                hidden = []
                let layers = try entries.enumerated().map { index, entry in
                    let key = "model.layers[\(index + 1)]"
                    return try Layer(SectionReader(entry, path: key, source: net.source), key: key)
                }
                guard layers.contains(where: \.record) else {
                    throw InfoPlaneError("\(net.source): 'model.layers' records no layer: the information plane needs at least one; drop record: false from one entry, e.g. {dense: 128}")
                }
                self.layers = layers
            } else {
                hidden = try net.intList("hidden", in: 1...1_000_000, why: " (every hidden layer needs at least one unit)") ?? [64, 64, 64]
                layers = nil
                guard !hidden.isEmpty else {
                    throw InfoPlaneError("\(net.source): 'model.hidden' is empty: the information plane needs at least one hidden layer, e.g. [64, 64, 64]")
                }
            }
            initialization = try net.choice("initialization", default: activation == .relu ? .he : .glorot)
            try net.finish()
        }

        /// The section in ``ExperimentConfig/canonicalText``.
        var canonicalLines: [String] {
            // The hidden form's lines are those of every run before `layers` existed (resume compares them).
            let shape = layers.map { ["  layers:"] + $0.map { "    - \($0.canonicalText)" } }
                ?? ["  hidden: [\(hidden.map(String.init).joined(separator: ", "))]"]
            return ["model:"] + shape + ["  activation: \(activation.rawValue)", "  initialization: \(initialization.rawValue)"]
        }
    }
}
