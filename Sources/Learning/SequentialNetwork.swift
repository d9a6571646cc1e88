import Foundation
import Randomness

/// A feed-forward network of convolution, max-pooling, flatten and dense layers (a
/// ``SequentialArchitecture``), with batched forward and backward passes over OpenBLAS.
///
/// A value type: a copy (for example `trainer.model` at a snapshot epoch) freezes its weights.
/// Parameterised layers — convolutions, dense layers and the output layer — are numbered
/// `l = 1, 2, …` in order; `weights[l − 1]` and `biases[l − 1]` are theirs, checkpointed as
/// `<name>.W` and `<name>.b` (`conv1.W`, `conv1.b`, …, `dense1.W`, …, `output.W`, `output.b`):
///
/// - a convolution's `W` is `outChannels × (inChannels·k·k)`, row `o` holding PyTorch's
///   `weight[o]` flattened `(c, ky, kx)`; its `b` is `1 × outChannels`;
/// - a dense layer's `W` is `fanIn × fanOut` (as ``MLP``'s, the transpose of PyTorch's), `b` `1 × fanOut`.
public struct SequentialNetwork: TrainableNetwork, Equatable {
    /// The layers and which outputs are recorded.
    public let architecture: SequentialArchitecture
    /// `weights[l − 1]`: the weights of parameterised layer `l`.
    public internal(set) var weights: [Matrix]
    /// `biases[l − 1]`: the biases of parameterised layer `l`.
    public internal(set) var biases: [[Float]]
    /// The compiled layers, `architecture.layers` followed by the output layer.
    let plan: [LayerPlan]

    /// A freshly initialised network. Parameterised layer `l`'s weights are drawn in row-major
    /// order from `RandomStream(seed: seed, purpose: "init", l)` — He normal `N(0, 2/fan_in)` or
    /// Glorot uniform `U(±√(6/(fan_in + fan_out)))`, with `fan_in = inChannels·k²` and
    /// `fan_out = outChannels·k²` for a convolution — so a layer's draw depends only on the seed,
    /// its position among the parameterised layers and its own shape. Biases start at zero. A
    /// dense-only network gets exactly the weights of the ``MLP`` of the same widths.
    public init(architecture: SequentialArchitecture, initialization: Initialization, seed: UInt64) throws {
        try architecture.validate()
        let plan = LayerPlan.compile(architecture)
        var weights: [Matrix] = []
        for layer in plan {
            guard let shape = layer.weightShape else { continue }
            var stream = RandomStream(seed: seed, purpose: "init", weights.count + 1)
            var w = Matrix(rows: shape.rows, columns: shape.columns)
            let (fanIn, fanOut) = layer.fans
            switch initialization {
            case .he:
                let std = (2.0 / Double(fanIn)).squareRoot()
                for i in 0..<w.storage.count { w.storage[i] = Float(stream.nextGaussian() * std) }
            case .glorot:
                let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
                for i in 0..<w.storage.count { w.storage[i] = Float((2 * stream.nextUniform() - 1) * limit) }
            }
            weights.append(w)
        }
        self.architecture = architecture
        self.plan = plan
        self.weights = weights
        self.biases = plan.filter { $0.weightShape != nil }.map { [Float](repeating: 0, count: $0.output.channels) }
    }

    /// A network from values in ``parameterShapes(of:)`` order; throws if a count disagrees.
    public init(architecture: SequentialArchitecture, parameterValues: [[Float]]) throws {
        try architecture.validate()
        let shapes = SequentialNetwork.parameterShapes(of: architecture)
        try checkParameterCounts(parameterValues, shapes)
        self.architecture = architecture
        plan = LayerPlan.compile(architecture)
        weights = stride(from: 0, to: shapes.count, by: 2).map {
            Matrix(rows: shapes[$0].rows, columns: shapes[$0].columns, storage: parameterValues[$0])
        }
        biases = stride(from: 1, to: shapes.count, by: 2).map { parameterValues[$0] }
    }

    /// `<name>.W, <name>.b` for every parameterised layer in order.
    /// - Precondition: `architecture` passes ``SequentialArchitecture/validate()``.
    public static func parameterShapes(of architecture: SequentialArchitecture) -> [ParameterShape] {
        let names = architecture.names
        return zip(names, LayerPlan.compile(architecture)).flatMap { name, layer -> [ParameterShape] in
            guard let shape = layer.weightShape else { return [] }
            return [ParameterShape(name: "\(name).W", rows: shape.rows, columns: shape.columns),
                    ParameterShape(name: "\(name).b", rows: 1, columns: layer.output.channels)]
        }
    }

    /// The parameters with their names, in checkpoint order.
    public var parameters: [NamedTensor] {
        SequentialNetwork.parameterShapes(of: architecture).enumerated().map { i, shape in
            NamedTensor(name: shape.name, rows: shape.rows, columns: shape.columns,
                        values: i % 2 == 0 ? weights[i / 2].storage : biases[i / 2])
        }
    }

    // MARK: - Whole-split passes

    /// One `inputs.rows × shape.count` matrix per recorded layer (``SequentialArchitecture/recordedLayers``),
    /// post-activation, each sample's `C×H×W` output flattened channel-major. Rows go through
    /// `batchSize` at a time and only as far as the last recorded layer, so memory beyond the
    /// results is one chunk's layer outputs plus a bounded im2col buffer. A row's values do not
    /// depend on the chunk it falls in.
    public func recordedActivations(of inputs: Matrix, batchSize: Int = 1000) -> [Matrix] {
        var results = architecture.recordedLayers.map { Matrix(rows: inputs.rows, columns: $0.shape.count) }
        forEachRecordedChunk(of: inputs, batchSize: batchSize) { start, rows, layers in
            for (slot, layer) in layers.enumerated() {
                let width = results[slot].columns
                results[slot].storage.withUnsafeMutableBufferPointer { out in
                    (out.baseAddress! + start * width).update(from: layer.baseAddress!, count: layer.count)
                }
            }
        }
        return results
    }

    /// The recorded layers' activations streamed chunk by chunk, for writers that must not hold
    /// a whole snapshot: `body(start, rows, layers)` receives, for input rows `start..<start + rows`,
    /// one `rows × shape.count` buffer per recorded layer (valid only during the call).
    public func forEachRecordedChunk(
        of inputs: Matrix, batchSize: Int = 1000,
        _ body: (_ start: Int, _ rows: Int, _ layers: [UnsafeBufferPointer<Float>]) throws -> Void
    ) rethrows {
        let recorded = architecture.layers.indices.filter { architecture.layers[$0].recorded }
        guard let deepest = recorded.last else { return }
        try forEachChunk(of: inputs, batchSize: batchSize, through: deepest) { start, rows, ws in
            try body(start, rows, recorded.map {
                UnsafeBufferPointer(rebasing: ws.outputs[$0][0..<(rows * plan[$0].output.count)])
            })
        }
    }

    /// The output layer's values (logits) for every row of `inputs`, `batchSize` rows at a time.
    public func forward(_ inputs: Matrix, batchSize: Int = 1000) -> Matrix {
        let outputs = architecture.outputs, last = plan.count - 1
        var result = Matrix(rows: inputs.rows, columns: outputs)
        result.storage.withUnsafeMutableBufferPointer { out in
            forEachChunk(of: inputs, batchSize: batchSize, through: last) { start, rows, ws in
                (out.baseAddress! + start * outputs).update(from: ws.outputs[last].baseAddress!, count: rows * outputs)
            }
        }
        return result
    }

    /// Mean loss and accuracy over a split (see ``Loss``); an empty split gives `(nan, nan)`.
    /// - Precondition: the split matches the architecture (``NetworkTrainer`` validates this).
    public func evaluate(_ split: Split, loss: Loss, batchSize: Int = 1000) -> (loss: Double, accuracy: Double) {
        let n = split.count
        guard n > 0 else { return (.nan, .nan) }
        let hasLabels = !split.labels.isEmpty, width = architecture.outputs, last = plan.count - 1
        var lossSum = 0.0
        var correct = 0
        split.labels.withUnsafeBufferPointer { labels in
            (split.targets?.storage ?? []).withUnsafeBufferPointer { targets in
                forEachChunk(of: split.inputs, batchSize: batchSize, through: last) { start, rows, ws in
                    let part = loss.accumulate(
                        outputs: ws.outputs[last].baseAddress!, rows: rows, width: width,
                        labels: hasLabels ? labels.baseAddress! + start : nil,
                        targets: hasLabels ? nil : targets.baseAddress! + start * width, gradient: nil)
                    lossSum += part.lossSum
                    correct += part.correct
                }
            }
        }
        return (lossSum / Double(n), hasLabels ? Double(correct) / Double(n) : .nan)
    }

    /// The mean loss over all of `split` (one batch) and its gradient with respect to every
    /// parameter (``parameterShapes(of:)`` order), as the trainer computes them; `weightDecay` λ
    /// adds `λ·W` to each weight gradient. For diagnostics and gradient checks.
    public func gradients(on split: Split, loss: Loss, weightDecay: Float = 0) -> (loss: Double, gradients: [NamedTensor]) {
        let n = split.count
        precondition(n > 0 && split.features == architecture.inputs, "gradients need a non-empty matching split")
        let ws = makeWorkspace(capacity: n, training: true)
        var lossSum = 0.0
        split.inputs.storage.withUnsafeBufferPointer { x in
            split.labels.withUnsafeBufferPointer { labels in
                (split.targets?.storage ?? []).withUnsafeBufferPointer { targets in
                    let logits = forward(batch: x.baseAddress!, rows: n, workspace: ws)
                    lossSum = loss.accumulate(
                        outputs: logits, rows: n, width: architecture.outputs,
                        labels: labels.isEmpty ? nil : labels.baseAddress!,
                        targets: labels.isEmpty ? targets.baseAddress! : nil,
                        gradient: outputGradient(in: ws)).lossSum
                    backward(batch: x.baseAddress!, rows: n, weightDecay: weightDecay, workspace: ws)
                }
            }
        }
        let shapes = SequentialNetwork.parameterShapes(of: architecture)
        let gradients = shapes.enumerated().map { i, shape in
            NamedTensor(name: shape.name, rows: shape.rows, columns: shape.columns,
                        values: Array(i % 2 == 0 ? ws.weightGradients[i / 2] : ws.biasGradients[i / 2]))
        }
        return (lossSum / Double(n), gradients)
    }

    /// Runs `body(start, rows, workspace)` after pushing each chunk of `inputs` through layers
    /// `0...last` of the plan. One inference workspace serves all chunks.
    private func forEachChunk(of inputs: Matrix, batchSize: Int, through last: Int,
                              _ body: (Int, Int, SequentialWorkspace) throws -> Void) rethrows {
        precondition(batchSize >= 1, "batch size must be at least 1")
        precondition(inputs.columns == architecture.inputs,
                     "inputs have \(inputs.columns) features, the network \(architecture.inputs) inputs")
        let n = inputs.rows
        guard n > 0 else { return }
        let ws = makeWorkspace(capacity: min(batchSize, n), training: false)
        try inputs.storage.withUnsafeBufferPointer { x in
            var start = 0
            while start < n {
                let rows = min(ws.capacity, n - start)
                run(x.baseAddress! + start * architecture.inputs, rows: rows, through: last, workspace: ws)
                try body(start, rows, ws)
                start += rows
            }
        }
    }

    // MARK: - Batch interface

    /// Buffers for batches of up to `capacity` rows.
    public func makeWorkspace(capacity: Int, training: Bool) -> SequentialWorkspace {
        SequentialWorkspace(plan: plan, capacity: capacity, training: training)
    }

    /// All layers' forward pass; returns the logits in `workspace`.
    public func forward(batch input: UnsafePointer<Float>, rows: Int, workspace: SequentialWorkspace) -> UnsafePointer<Float> {
        run(input, rows: rows, through: plan.count - 1, workspace: workspace)
        return UnsafePointer(workspace.outputs[plan.count - 1].baseAddress!)
    }

    /// ∂L/∂logits, written by the loss.
    public func outputGradient(in workspace: SequentialWorkspace) -> UnsafeMutablePointer<Float> {
        workspace.gradients[plan.count - 1].baseAddress!
    }

    /// Layers `0...last` forward, each output in `workspace.outputs[i]`.
    func run(_ input: UnsafePointer<Float>, rows: Int, through last: Int, workspace ws: SequentialWorkspace) {
        precondition(rows <= ws.capacity, "batch of \(rows) rows exceeds the workspace's \(ws.capacity)")
        var current = input
        for i in 0...last {
            let layer = plan[i]
            let out = ws.outputs[i]
            switch layer.operation {
            case .conv(let conv):
                weights[layer.parameterIndex].storage.withUnsafeBufferPointer { w in
                    biases[layer.parameterIndex].withUnsafeBufferPointer { b in
                        conv.forward(current, rows: rows, weights: w, bias: b, activation: layer.activation,
                                     cols: ws.cols[i], product: ws.product, output: out.baseAddress!)
                    }
                }
            case .pool(let pool):
                pool.forward(current, rows: rows, output: out.baseAddress!,
                             argmax: ws.training ? ws.argmax[i].baseAddress! : nil)
            case .flatten:
                out.baseAddress!.update(from: current, count: rows * layer.output.count)
            case .dense(let dense):
                weights[layer.parameterIndex].storage.withUnsafeBufferPointer { w in
                    biases[layer.parameterIndex].withUnsafeBufferPointer { b in
                        dense.forward(current, rows: rows, weights: w, bias: b, activation: layer.activation, output: out)
                    }
                }
            }
            current = UnsafePointer(out.baseAddress!)
        }
    }

    /// Back-propagates ∂L/∂logits through the batch that ``forward(batch:rows:workspace:)`` has
    /// just run on `input`. Input gradients stop at the first parameterised layer (nothing
    /// before it learns).
    public func backward(batch input: UnsafePointer<Float>, rows: Int, weightDecay: Float,
                         workspace ws: SequentialWorkspace) {
        precondition(ws.training, "backward needs a training workspace")
        for i in stride(from: plan.count - 1, through: 0, by: -1) {
            let layer = plan[i]
            let previous = i == 0 ? input : UnsafePointer(ws.outputs[i - 1].baseAddress!)
            let inputGradient = layer.propagatesGradient ? ws.gradients[i - 1] : nil
            let gradient = ws.gradients[i]
            switch layer.operation {
            case .conv(let conv):
                weights[layer.parameterIndex].storage.withUnsafeBufferPointer { w in
                    conv.backward(rows: rows, weights: w, weightDecay: weightDecay, cols: ws.cols[i],
                                  product: ws.product, output: ws.outputs[i].baseAddress!,
                                  outputGradient: gradient.baseAddress!, activation: layer.activation,
                                  weightGradient: ws.weightGradients[layer.parameterIndex],
                                  biasGradient: ws.biasGradients[layer.parameterIndex],
                                  inputGradient: inputGradient?.baseAddress)
                }
            case .pool(let pool):
                if let inputGradient {
                    pool.backward(rows: rows, outputGradient: gradient.baseAddress!, argmax: ws.argmax[i].baseAddress!,
                                  inputGradient: inputGradient.baseAddress!)
                }
            case .flatten:
                inputGradient?.baseAddress!.update(from: gradient.baseAddress!, count: rows * layer.output.count)
            case .dense(let dense):
                // ∂L/∂A → ∂L/∂Z in place (the MLP does this at the end of the next layer's step).
                layer.activation?.multiplyByDerivative(gradient.baseAddress!, outputs: ws.outputs[i].baseAddress!,
                                                       count: rows * dense.fanOut)
                weights[layer.parameterIndex].storage.withUnsafeBufferPointer { w in
                    dense.backward(previous, rows: rows, weights: w, weightDecay: weightDecay,
                                   delta: UnsafeBufferPointer(rebasing: gradient[0..<(rows * dense.fanOut)]),
                                   weightGradient: ws.weightGradients[layer.parameterIndex],
                                   biasGradient: ws.biasGradients[layer.parameterIndex],
                                   inputGradient: inputGradient)
                }
            }
        }
    }

    /// `conv1.W` is tensor 0, `conv1.b` tensor 1, and so on in checkpoint order.
    public mutating func updateParameters(
        gradients workspace: SequentialWorkspace,
        _ body: (Int, UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void
    ) {
        for l in 0..<weights.count {
            weights[l].storage.withUnsafeMutableBufferPointer { p in
                body(2 * l, p, UnsafeBufferPointer(workspace.weightGradients[l]))
            }
            biases[l].withUnsafeMutableBufferPointer { p in
                body(2 * l + 1, p, UnsafeBufferPointer(workspace.biasGradients[l]))
            }
        }
    }
}
