import Config
import Learning
import Support

/// The network a config describes, resolved against its data: the `hidden` form's ``MLP``
/// (whose arithmetic, parameter names and run files are those of every earlier run) or the
/// `layers` form's ``SequentialNetwork``.
public enum ConfiguredNetwork: Sendable, Equatable {
    /// `model.hidden`: a fully connected network.
    case mlp(MLPArchitecture)
    /// `model.layers`: convolution, pooling and dense layers.
    case sequential(SequentialArchitecture)

    /// Input features per sample.
    public var inputs: Int {
        switch self {
        case .mlp(let a): a.inputs
        case .sequential(let a): a.inputs
        }
    }

    /// Output units.
    public var outputs: Int {
        switch self {
        case .mlp(let a): a.outputs
        case .sequential(let a): a.outputs
        }
    }

    /// Features per sample of each recorded layer, in order (conv maps flattened `C·H·W`).
    public var recordedWidths: [Int] {
        switch self {
        case .mlp(let a): a.hidden
        case .sequential(let a): a.recordedWidths
        }
    }

    /// The recorded layers' dataset names in run.h5: `layer_1…` for an MLP, `conv1, pool1, …` otherwise.
    public var layerNames: [String] {
        switch self {
        case .mlp(let a): a.hidden.indices.map { "layer_\($0 + 1)" }
        case .sequential(let a): a.recordedLayers.map(\.name)
        }
    }

    /// Weights plus biases.
    public var parameterCount: Int {
        switch self {
        case .mlp(let a):
            let widths = a.widths
            return zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
        case .sequential(let a): return a.parameterCount
        }
    }

    /// Floats a training minibatch keeps per sample: the input and every layer's output (forward
    /// values, gradients and an MLP's deltas or a CNN's argmax: three copies), plus each
    /// convolution's im2col lowering (`inChannels·k²·H·W`) kept for its backward pass.
    public var floatsPerTrainingSample: Int {
        switch self {
        case .mlp(let a):
            return 3 * a.widths.reduce(0, +)
        case .sequential(let a):
            var lowering = 0, shape = a.input
            for (spec, output) in zip(a.layers, a.shapes) {
                if case .conv2D(_, let kernel) = spec.kind { lowering += shape.channels * kernel * kernel * output.planeSize }
                shape = output
            }
            return 3 * (a.inputs + a.shapes.reduce(0) { $0 + $1.count }) + lowering
        }
    }

    /// The config key that shrinks the network (named in memory refusals).
    public var key: String {
        switch self {
        case .mlp: "model.hidden"
        case .sequential: "model.layers"
        }
    }

    /// One line for the progress log: `MLP 784-64-64-64-10 relu` or
    /// `CNN 1×28×28 conv16 pool conv32 pool dense128 → 10 relu`.
    public var summary: String {
        switch self {
        case .mlp(let a):
            return "MLP " + ([a.inputs] + a.hidden + [a.outputs]).map(String.init).joined(separator: "-") + " \(a.activation.rawValue)"
        case .sequential(let a):
            let layers = zip(a.layers, a.names).map { spec, name -> String in
                switch spec.kind {
                case .conv2D(let channels, let kernel): return "conv\(channels)(\(kernel)×\(kernel))"
                case .dense(let units): return "dense\(units)"
                default: return String(name.prefix { $0.isLetter })
                }
            }
            return "CNN \(a.input) " + layers.joined(separator: " ") + " → \(a.outputs) \(a.activation.rawValue)"
        }
    }

    /// Throws a one-line error naming the config key when the shapes cannot work.
    public func validate() throws {
        if case .sequential(let a) = self, a.input.height == 1, a.input.width == 1,
           let spatial = a.layers.firstIndex(where: { $0.kind != .flatten && !$0.kind.isDense }) {
            throw InfoPlaneError("model.layers[\(spatial + 1)] (\(a.names[spatial])) needs images, but the dataset's samples are flat vectors of \(a.inputs) features: use dense layers, or an image dataset (mnist, fashion-mnist)")
        }
        do {
            switch self {
            case .mlp(let a): try a.validate()
            case .sequential(let a): try a.validate()
            }
        } catch let error as InfoPlaneError {
            guard case .sequential = self else { throw error }
            throw InfoPlaneError("model.layers: \(error.description)")
        }
    }
}
