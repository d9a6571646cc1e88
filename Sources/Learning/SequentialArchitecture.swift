import Support
/// One layer of a ``SequentialArchitecture``.
public enum LayerKind: Sendable, Hashable {
    /// A 2-D convolution, stride 1, same (zero) padding of `(kernel − 1)/2`, `channels` output
    /// maps, followed by the architecture's activation. `kernel` must be odd (3 and 5 are usual).
    case conv2D(channels: Int, kernel: Int)
    /// Max pooling over `size × size` windows with stride `size`; only `size` 2 is supported.
    case maxPool2D(size: Int)
    /// Reshapes `C×H×W` to a flat `C·H·W` vector (channel-major, the order the values already have).
    case flatten
    /// A fully connected layer of `units` outputs, followed by the architecture's activation.
    /// A spatial input is taken flattened, so an explicit ``flatten`` before it is optional.
    case dense(units: Int)

    /// The stem of the layer's name: `conv`, `pool`, `flatten` or `dense`.
    var stem: String {
        switch self {
        case .conv2D: return "conv"
        case .maxPool2D: return "pool"
        case .flatten: return "flatten"
        case .dense: return "dense"
        }
    }

    /// Whether the layer is fully connected.
    public var isDense: Bool {
        if case .dense = self { return true }
        return false
    }

    /// Whether the layer has weights and biases.
    var hasParameters: Bool {
        switch self {
        case .conv2D, .dense: return true
        case .maxPool2D, .flatten: return false
        }
    }
}

/// A layer and whether its output is recorded (written to the run file and analysed).
public struct LayerSpec: Sendable, Hashable {
    /// What the layer computes.
    public var kind: LayerKind
    /// Whether ``SequentialNetwork/recordedActivations(of:batchSize:)`` returns this layer's output.
    public var recorded: Bool
    /// The nonlinearity after a convolution or dense layer; nil: the architecture's
    /// ``SequentialArchitecture/activation``. Ignored by pooling and flatten layers.
    public var activation: Activation?

    /// A layer; recorded unless it is a ``LayerKind/flatten`` (whose output repeats its input's).
    public init(_ kind: LayerKind, recorded: Bool? = nil, activation: Activation? = nil) {
        self.kind = kind
        self.recorded = recorded ?? (kind != .flatten)
        self.activation = activation
    }

    /// A `kernel × kernel` convolution to `channels` maps (stride 1, same padding).
    public static func conv(_ channels: Int, kernel: Int = 3, recorded: Bool = true) -> LayerSpec {
        LayerSpec(.conv2D(channels: channels, kernel: kernel), recorded: recorded)
    }

    /// 2×2 max pooling with stride 2.
    public static func maxPool(recorded: Bool = true) -> LayerSpec {
        LayerSpec(.maxPool2D(size: 2), recorded: recorded)
    }

    /// A flatten layer (not recorded).
    public static let flatten = LayerSpec(.flatten)

    /// A fully connected layer of `units` outputs.
    public static func dense(_ units: Int, recorded: Bool = true) -> LayerSpec {
        LayerSpec(.dense(units: units), recorded: recorded)
    }
}

/// A recorded layer's name and output shape; its activations are `n × shape.count`.
public struct RecordedLayer: Sendable, Hashable {
    /// The layer's name, e.g. `conv1`, `pool2`, `dense1`.
    public var name: String
    /// Its output per sample; flattened channel-major to `shape.count` features.
    public var shape: TensorShape
}

/// The shape of a feed-forward network of convolution, pooling, flatten and dense layers.
///
/// `input → layers[0] → … → layers[last] → output`, where the output layer is an implicit linear
/// dense layer of `outputs` units (logits; softmax, if any, belongs to the loss), as in
/// ``MLPArchitecture``. Every convolution and hidden dense layer applies `activation` (or its
/// own, ``LayerSpec/activation``). Layers are
/// named by kind and ordinal (`conv1`, `pool1`, `conv2`, `flatten1`, `dense1`, …) and the output
/// layer `output`; parameters are `<name>.W` and `<name>.b` (see ``SequentialNetwork``).
///
/// The CNN on Fashion-MNIST is
/// `SequentialArchitecture(input: TensorShape(channels: 1, height: 28, width: 28),
/// layers: [.conv(16), .maxPool(), .conv(32), .maxPool(), .dense(128)], outputs: 10)`.
public struct SequentialArchitecture: NetworkArchitecture {
    /// One sample's input shape (`1×28×28` for MNIST); the data's features are its flattening.
    public var input: TensorShape
    /// Hidden layers, first to last. May be empty (a linear model).
    public var layers: [LayerSpec]
    /// Output units: classes for classification, target dimensions for regression.
    public var outputs: Int
    /// Nonlinearity after every convolution and hidden dense layer.
    public var activation: Activation

    /// An architecture; call ``validate()`` before building a network from user input.
    public init(input: TensorShape, layers: [LayerSpec], outputs: Int, activation: Activation = .relu) {
        self.input = input
        self.layers = layers
        self.outputs = outputs
        self.activation = activation
    }

    /// The dense-only architecture equivalent to an MLP: `dense(hidden[0]) … dense(hidden[last])`,
    /// all recorded. Its network computes exactly what ``MLP`` computes (same initial weights,
    /// same arithmetic), under parameter names `dense1.W`, … instead of `W1`, ….
    public init(_ mlp: MLPArchitecture) {
        self.init(input: .flat(mlp.inputs), layers: mlp.hidden.map { LayerSpec.dense($0) },
                  outputs: mlp.outputs, activation: mlp.activation)
    }

    /// Input features per sample, `input.count`.
    public var inputs: Int { input.count }

    /// Layer names, `layers.count + 1` of them (the last is `output`).
    public var names: [String] {
        var seen: [String: Int] = [:]
        return layers.map { spec in
            let stem = spec.kind.stem
            seen[stem, default: 0] += 1
            return "\(stem)\(seen[stem]!)"
        } + ["output"]
    }

    /// Output shapes of every layer, `layers.count + 1` of them (the last is `outputs`).
    /// - Precondition: ``validate()`` passes (otherwise shapes may be meaningless).
    public var shapes: [TensorShape] {
        var shape = input
        var result: [TensorShape] = []
        for spec in layers {
            switch spec.kind {
            case .conv2D(let channels, _):
                shape = TensorShape(channels: channels, height: shape.height, width: shape.width)
            case .maxPool2D(let size):
                shape = TensorShape(channels: shape.channels, height: shape.height / max(size, 1),
                                    width: shape.width / max(size, 1))
            case .flatten:
                shape = .flat(shape.count)
            case .dense(let units):
                shape = .flat(units)
            }
            result.append(shape)
        }
        return result + [.flat(outputs)]
    }

    /// The recorded layers in order, with their names and output shapes.
    public var recordedLayers: [RecordedLayer] {
        let names = names, shapes = shapes
        return layers.indices.filter { layers[$0].recorded }.map {
            RecordedLayer(name: names[$0], shape: shapes[$0])
        }
    }

    /// Features per sample of each recorded layer.
    public var recordedWidths: [Int] { recordedLayers.map(\.shape.count) }

    /// Weights plus biases over all layers.
    public var parameterCount: Int {
        SequentialNetwork.parameterShapes(of: self).reduce(0) { $0 + $1.rows * $1.columns }
    }

    /// Throws a ``InfoPlaneError`` naming the first layer that cannot work and what to change.
    public func validate() throws {
        if input.channels < 1 || input.height < 1 || input.width < 1 {
            throw InfoPlaneError("input shape \(input.channels)×\(input.height)×\(input.width) is impossible: "
                                + "channels, height and width must each be at least 1 (e.g. 1×28×28)")
        }
        let names = names
        var shape = input
        var flat = false  // after a flatten or dense layer there is no spatial layout left
        for (index, spec) in layers.enumerated() {
            let name = "\(names[index]) (layer \(index + 1))"
            switch spec.kind {
            case .conv2D(let channels, let kernel):
                if channels < 1 {
                    throw InfoPlaneError("\(name) has \(channels) output channels: a convolution needs at least one "
                                        + "(e.g. conv: 16)")
                }
                if kernel < 1 || kernel % 2 == 0 {
                    throw InfoPlaneError("\(name) has kernel size \(kernel): same padding needs an odd kernel; "
                                        + "use 3 or 5")
                }
                if flat {
                    throw InfoPlaneError("\(name) follows a flatten or dense layer, whose output has no spatial "
                                        + "layout: put convolutions before dense layers")
                }
                shape = TensorShape(channels: channels, height: shape.height, width: shape.width)
            case .maxPool2D(let size):
                if size != 2 {
                    throw InfoPlaneError("\(name) pools \(size)×\(size): only 2×2 max pooling with stride 2 is "
                                        + "supported; use pool: 2")
                }
                if flat {
                    throw InfoPlaneError("\(name) follows a flatten or dense layer, whose output has no spatial "
                                        + "layout: put pooling before dense layers")
                }
                if shape.height % 2 != 0 || shape.width % 2 != 0 {
                    throw InfoPlaneError("\(name) gets \(shape.height)×\(shape.width) maps: 2×2 pooling with stride "
                                        + "2 needs even height and width; remove a pooling layer or use an input "
                                        + "whose size halves evenly")
                }
                shape = TensorShape(channels: shape.channels, height: shape.height / 2, width: shape.width / 2)
            case .flatten:
                flat = true
                shape = .flat(shape.count)
            case .dense(let units):
                if units < 1 {
                    throw InfoPlaneError("\(name) has \(units) units: a dense layer needs at least one (e.g. dense: 128)")
                }
                flat = true
                shape = .flat(units)
            }
        }
        if outputs < 1 {
            throw InfoPlaneError("output width \(outputs) is impossible: the network needs at least one output "
                                + "(the number of classes, or of regression targets)")
        }
    }
}
