/// What one compiled layer of a ``SequentialNetwork`` computes.
enum LayerOperation: Sendable, Equatable {
    case conv(Conv2D)
    case pool(MaxPool2D)
    case flatten
    case dense(Dense)
}

/// One layer of a ``SequentialNetwork`` with its shapes resolved (the architecture's layers, then
/// the output layer).
struct LayerPlan: Sendable, Equatable {
    /// The kernel and its geometry.
    let operation: LayerOperation
    /// Output shape per sample.
    let output: TensorShape
    /// Applied after convolutions and hidden dense layers; nil for pooling, flatten and the output layer.
    let activation: Activation?
    /// Index into the network's `weights` and `biases` (parameterised layers only; −1 otherwise).
    let parameterIndex: Int
    /// Whether the backward pass computes ∂L/∂input: only when some earlier layer has parameters.
    let propagatesGradient: Bool

    /// `(rows, columns)` of the weight matrix, nil for a layer without parameters.
    var weightShape: (rows: Int, columns: Int)? {
        switch operation {
        case .conv(let c): return (c.outChannels, c.patchSize)
        case .dense(let d): return (d.fanIn, d.fanOut)
        case .pool, .flatten: return nil
        }
    }

    /// `(fan_in, fan_out)` for initialisation (a convolution's count every kernel tap).
    var fans: (Int, Int) {
        switch operation {
        case .conv(let c): return (c.patchSize, c.outChannels * c.kernel * c.kernel)
        case .dense(let d): return (d.fanIn, d.fanOut)
        case .pool, .flatten: return (0, 0)
        }
    }

    /// The plan of a validated architecture: its layers, then the linear output layer.
    static func compile(_ architecture: SequentialArchitecture) -> [LayerPlan] {
        var shape = architecture.input
        var plan: [LayerPlan] = []
        var parameters = 0
        let specs = architecture.layers + [LayerSpec(.dense(units: architecture.outputs), recorded: false)]
        for (index, spec) in specs.enumerated() {
            let kind = spec.kind
            let isOutput = index == specs.count - 1
            let operation: LayerOperation
            let output: TensorShape
            switch kind {
            case .conv2D(let channels, let kernel):
                operation = .conv(Conv2D(inChannels: shape.channels, outChannels: channels, kernel: kernel,
                                         height: shape.height, width: shape.width))
                output = TensorShape(channels: channels, height: shape.height, width: shape.width)
            case .maxPool2D:
                operation = .pool(MaxPool2D(channels: shape.channels, height: shape.height, width: shape.width))
                output = TensorShape(channels: shape.channels, height: shape.height / 2, width: shape.width / 2)
            case .flatten:
                operation = .flatten
                output = .flat(shape.count)
            case .dense(let units):
                operation = .dense(Dense(fanIn: shape.count, fanOut: units))
                output = .flat(units)
            }
            let parameterised = kind.hasParameters
            plan.append(LayerPlan(operation: operation, output: output,
                                  activation: parameterised && !isOutput ? (spec.activation ?? architecture.activation) : nil,
                                  parameterIndex: parameterised ? parameters : -1,
                                  propagatesGradient: parameters > 0))
            if parameterised { parameters += 1 }
            shape = output
        }
        return plan
    }
}

/// Preallocated buffers for batches of up to `capacity` rows of one ``SequentialNetwork``, reused
/// by every batch (opaque outside this module). Memory is raw, so no batch touches a Swift array.
///
/// A training workspace keeps each convolution's whole-batch im2col lowering for its backward
/// pass; an inference workspace shares one lowering buffer of at most
/// ``inferenceLoweringBudget`` values (or one sample's, if larger) between all convolutions,
/// which then run in groups of samples.
public final class SequentialWorkspace {
    /// Values the shared im2col buffer of an inference workspace may hold (8 MiB of floats).
    static let inferenceLoweringBudget = 1 << 21

    /// Most rows one batch may hold.
    let capacity: Int
    /// Whether the backward pass's buffers exist.
    let training: Bool
    /// `outputs[i]`: layer `i`'s output, `capacity ×` its size.
    let outputs: [UnsafeMutableBufferPointer<Float>]
    /// `gradients[i]`: ∂L/∂(layer `i`'s output); empty when not training.
    let gradients: [UnsafeMutableBufferPointer<Float>]
    /// `cols[i]`: convolution `i`'s im2col buffer (shared in inference); empty for other layers.
    let cols: [UnsafeMutableBufferPointer<Float>]
    /// Scratch for a convolution's `W·cols` (forward) or dZ (backward), shared by all layers.
    let product: UnsafeMutableBufferPointer<Float>
    /// `argmax[i]`: pooling layer `i`'s winning positions; empty when not training.
    let argmax: [UnsafeMutableBufferPointer<UInt8>]
    /// ∂L/∂W per parameterised layer; empty when not training.
    let weightGradients: [UnsafeMutableBufferPointer<Float>]
    /// ∂L/∂b per parameterised layer; empty when not training.
    let biasGradients: [UnsafeMutableBufferPointer<Float>]
    /// Every float buffer this workspace allocated, once each.
    private var owned: [UnsafeMutableBufferPointer<Float>] = []

    init(plan: [LayerPlan], capacity: Int, training: Bool) {
        precondition(capacity >= 1, "a workspace holds at least one row")
        func zeros<T: Numeric>(_ count: Int, _: T.Type = T.self) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
            buffer.initialize(repeating: 0)
            return buffer
        }
        var owned: [UnsafeMutableBufferPointer<Float>] = []
        func floats(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
            let buffer: UnsafeMutableBufferPointer<Float> = zeros(count)
            owned.append(buffer)
            return buffer
        }
        let empty = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
        self.capacity = capacity
        self.training = training
        outputs = plan.map { floats(capacity * $0.output.count) }
        gradients = training ? plan.map { floats(capacity * $0.output.count) } : []
        argmax = training ? plan.map { layer in
            if case .pool = layer.operation { return zeros(capacity * layer.output.count, UInt8.self) }
            return UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
        } : []

        let convolutions = plan.compactMap { layer -> Conv2D? in
            if case .conv(let conv) = layer.operation { return conv }
            return nil
        }
        // Samples each convolution lowers at once: the whole batch when training, else a group.
        let shared = convolutions.map { conv in
            conv.patchSize * conv.plane * min(capacity, max(1, Self.inferenceLoweringBudget / (conv.patchSize * conv.plane)))
        }.max() ?? 0
        let sharedCols = !training && shared > 0 ? floats(shared) : empty
        cols = plan.map { layer in
            guard case .conv(let conv) = layer.operation else { return empty }
            return training ? floats(conv.patchSize * conv.plane * capacity) : sharedCols
        }
        product = floats(convolutions.map { conv in
            conv.outChannels * conv.plane * (training ? capacity : min(capacity, conv.groupSize(colsCapacity: shared)))
        }.max() ?? 0)

        let parameterised = training ? plan.filter { $0.weightShape != nil } : []
        weightGradients = parameterised.map { floats($0.weightShape!.rows * $0.weightShape!.columns) }
        biasGradients = parameterised.map { floats($0.output.channels) }
        self.owned = owned
    }

    deinit {
        for buffer in owned { buffer.deallocate() }
        for buffer in argmax { buffer.deallocate() }
    }
}
