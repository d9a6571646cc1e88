import Foundation
import Randomness
import Support

/// The shape of a fully connected network: `inputs → hidden[0] → … → hidden[last] → outputs`.
///
/// Every hidden layer applies `activation`; the output layer is linear (softmax, if any, belongs
/// to the loss). "h64" on MNIST is `MLPArchitecture(inputs: 784, hidden: [64, 64, 64], outputs: 10)`.
public struct MLPArchitecture: Sendable, Equatable {
    /// Input features per sample (784 for 28×28 images).
    public var inputs: Int
    /// Widths of the hidden layers, first to last. May be empty (a linear model).
    public var hidden: [Int]
    /// Output units: classes for classification, target dimensions for regression.
    public var outputs: Int
    /// Nonlinearity after every hidden layer.
    public var activation: Activation

    /// An architecture; call ``validate()`` before building a network from user input.
    public init(inputs: Int, hidden: [Int], outputs: Int, activation: Activation = .relu) {
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
        self.activation = activation
    }

    /// All layer widths, `[inputs] + hidden + [outputs]`.
    public var widths: [Int] { [inputs] + hidden + [outputs] }

    /// Number of weight layers (`hidden.count + 1`).
    public var layerCount: Int { hidden.count + 1 }

    /// Weights plus biases over all layers.
    public var parameterCount: Int {
        let w = widths
        return (1..<w.count).reduce(0) { $0 + w[$1 - 1] * w[$1] + w[$1] }
    }

    /// Throws a ``InfoPlaneError`` naming the first impossible width.
    public func validate() throws {
        if inputs < 1 {
            throw InfoPlaneError("input width \(inputs) is impossible: a network needs at least one input feature")
        }
        for (index, width) in hidden.enumerated() where width < 1 {
            throw InfoPlaneError("hidden width \(width) is impossible: every layer needs at least one unit "
                                + "(hidden layer \(index + 1) of \(hidden))")
        }
        if outputs < 1 {
            throw InfoPlaneError("output width \(outputs) is impossible: the network needs at least one output "
                                + "(the number of classes, or of regression targets)")
        }
    }
}

/// How initial weights are drawn. Biases always start at zero.
public enum Initialization: String, Sendable, CaseIterable {
    /// He normal: `N(0, 2/fan_in)`, for ReLU.
    case he
    /// Glorot (Xavier) uniform: `U(±√(6/(fan_in + fan_out)))`, for tanh.
    case glorot

    /// The scheme matched to an activation: He for ReLU, Glorot for tanh.
    public static func standard(for activation: Activation) -> Initialization {
        switch activation {
        case .relu: return .he
        case .tanh: return .glorot
        }
    }
}

/// A multilayer perceptron's parameters, with batched forward and backward passes over OpenBLAS.
///
/// A value type: copying an `MLP` (for example `trainer.model` at a snapshot epoch) freezes its
/// weights. Layer `l` (1-based) maps `fan_in → fan_out` as `Z = A·W_l + b_l`, where `W_l` is stored
/// row-major as a `fan_in × fan_out` ``Matrix`` (`weights[l − 1]`) and `b_l` as `biases[l − 1]`.
public struct MLP: Sendable, Equatable {
    /// The layer widths and activation.
    public let architecture: MLPArchitecture
    /// `weights[l − 1]` is `W_l`, `fan_in × fan_out`.
    public internal(set) var weights: [Matrix]
    /// `biases[l − 1]` is `b_l`, `fan_out` values.
    public internal(set) var biases: [[Float]]

    /// A freshly initialised network. Layer `l`'s weights are drawn in row-major order from
    /// `RandomStream(seed: seed, purpose: "init", l)`, so each layer's draw is independent of the
    /// others' widths.
    public init(architecture: MLPArchitecture, initialization: Initialization, seed: UInt64) throws {
        try architecture.validate()
        self.architecture = architecture
        let widths = architecture.widths
        var weights: [Matrix] = []
        for l in 1..<widths.count {
            let fanIn = widths[l - 1], fanOut = widths[l]
            var stream = RandomStream(seed: seed, purpose: "init", l)
            var w = Matrix(rows: fanIn, columns: fanOut)
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
        self.weights = weights
        self.biases = widths.dropFirst().map { [Float](repeating: 0, count: $0) }
    }

    /// A network with given parameters; throws if any shape disagrees with `architecture`.
    public init(architecture: MLPArchitecture, weights: [Matrix], biases: [[Float]]) throws {
        try architecture.validate()
        let widths = architecture.widths
        guard weights.count == architecture.layerCount, biases.count == architecture.layerCount else {
            throw InfoPlaneError("the architecture has \(architecture.layerCount) layers but \(weights.count) "
                                + "weight matrices and \(biases.count) bias vectors were given")
        }
        for l in 1..<widths.count {
            let w = weights[l - 1]
            if w.rows != widths[l - 1] || w.columns != widths[l] {
                throw InfoPlaneError("W\(l) is \(w.rows)×\(w.columns) but the architecture needs "
                                    + "\(widths[l - 1])×\(widths[l])")
            }
            if biases[l - 1].count != widths[l] {
                throw InfoPlaneError("b\(l) has \(biases[l - 1].count) values but layer \(l) has \(widths[l]) units")
            }
        }
        self.architecture = architecture
        self.weights = weights
        self.biases = biases
    }

    // MARK: - Public passes

    /// The output layer's values (logits, before any softmax) for every row of `inputs`,
    /// computed `batchSize` rows at a time.
    public func forward(_ inputs: Matrix, batchSize: Int = 1000) -> Matrix {
        let outputs = architecture.outputs
        var result = Matrix(rows: inputs.rows, columns: outputs)
        result.storage.withUnsafeMutableBufferPointer { out in
            forEachChunk(of: inputs, batchSize: batchSize, layers: architecture.layerCount) { start, rows, ws in
                (out.baseAddress! + start * outputs)
                    .update(from: ws.outputs[architecture.layerCount - 1].baseAddress!, count: rows * outputs)
            }
        }
        return result
    }

    /// The predicted class (index of the largest output, lowest on ties) of every row of `inputs`.
    public func predict(_ inputs: Matrix, batchSize: Int = 1000) -> [Int32] {
        let logits = forward(inputs, batchSize: batchSize)
        let width = logits.columns
        return (0..<logits.rows).map { r in
            var best = 0
            for j in 1..<max(width, 1) where logits[r, j] > logits[r, best] { best = j }
            return Int32(best)
        }
    }

    /// Each hidden layer's post-activation output for every row of `inputs`: element `i` is
    /// `inputs.rows × hidden[i]`. Rows are pushed through `batchSize` at a time to bound memory;
    /// each row's values do not depend on which chunk it falls in.
    public func hiddenActivations(of inputs: Matrix, batchSize: Int = 1000) -> [Matrix] {
        let hidden = architecture.hidden
        var results = hidden.map { Matrix(rows: inputs.rows, columns: $0) }
        // One pass through the hidden layers per chunk; each layer's rows are copied out in turn.
        forEachChunk(of: inputs, batchSize: batchSize, layers: hidden.count) { start, rows, ws in
            for (layer, width) in hidden.enumerated() {
                results[layer].storage.withUnsafeMutableBufferPointer { out in
                    (out.baseAddress! + start * width).update(from: ws.outputs[layer].baseAddress!,
                                                              count: rows * width)
                }
            }
        }
        return results
    }

    /// Mean loss and accuracy over a split (see ``Loss`` for the definitions and for why a
    /// regression split's accuracy is NaN). An empty split gives `(nan, nan)`.
    /// - Precondition: the split matches the architecture (``Trainer`` validates this).
    public func evaluate(_ split: Split, loss: Loss, batchSize: Int = 1000) -> (loss: Double, accuracy: Double) {
        precondition(split.features == architecture.inputs, "split has \(split.features) features, "
                     + "the network \(architecture.inputs) inputs")
        let n = split.count
        guard n > 0 else { return (.nan, .nan) }
        let hasLabels = !split.labels.isEmpty
        precondition(hasLabels ? split.labels.count == n
                               : split.targets?.rows == n && split.targets?.columns == architecture.outputs,
                     "split needs one label or one target row per sample")
        let width = architecture.outputs
        var lossSum = 0.0
        var correct = 0
        split.labels.withUnsafeBufferPointer { labels in
            (split.targets?.storage ?? []).withUnsafeBufferPointer { targets in
                forEachChunk(of: split.inputs, batchSize: batchSize, layers: architecture.layerCount) { start, rows, ws in
                    let part = loss.accumulate(
                        outputs: ws.outputs[architecture.layerCount - 1].baseAddress!, rows: rows, width: width,
                        labels: hasLabels ? labels.baseAddress! + start : nil,
                        targets: hasLabels ? nil : targets.baseAddress! + start * width,
                        gradient: nil)
                    lossSum += part.lossSum
                    correct += part.correct
                }
            }
        }
        return (lossSum / Double(n), hasLabels ? Double(correct) / Double(n) : .nan)
    }

    /// The mean loss over all of `split` (one batch) and its gradient with respect to every
    /// parameter, as the trainer computes it; `weightDecay` λ adds `λ·W` to each weight gradient
    /// (the gradient of `½λ‖W‖²`; biases are not decayed). For diagnostics and gradient checks.
    public func gradients(on split: Split, loss: Loss, weightDecay: Float = 0)
        -> (loss: Double, weights: [Matrix], biases: [[Float]]) {
        let n = split.count
        let widths = architecture.widths
        precondition(n > 0 && split.features == architecture.inputs, "gradients need a non-empty matching split")
        let ws = MLPWorkspace(widths: widths, capacity: n, training: true)
        var lossSum = 0.0
        split.inputs.storage.withUnsafeBufferPointer { x in
            split.labels.withUnsafeBufferPointer { labels in
                (split.targets?.storage ?? []).withUnsafeBufferPointer { targets in
                    forward(x.baseAddress!, rows: n, layers: architecture.layerCount, workspace: ws)
                    lossSum = loss.accumulate(
                        outputs: ws.outputs[architecture.layerCount - 1].baseAddress!, rows: n,
                        width: architecture.outputs,
                        labels: labels.isEmpty ? nil : labels.baseAddress!,
                        targets: labels.isEmpty ? targets.baseAddress! : nil,
                        gradient: ws.deltas[architecture.layerCount - 1].baseAddress!).lossSum
                    backward(x.baseAddress!, rows: n, weightDecay: weightDecay, workspace: ws)
                }
            }
        }
        let weightGradients = (1..<widths.count).map { l in
            Matrix(rows: widths[l - 1], columns: widths[l], storage: Array(ws.weightGradients[l - 1]))
        }
        return (lossSum / Double(n), weightGradients, ws.biasGradients.map { Array($0) })
    }

    // MARK: - Batched passes on raw buffers

    /// Runs `body(start, rows, workspace)` after pushing each chunk of `inputs` through the first
    /// `layers` layers. One workspace serves all chunks.
    private func forEachChunk(of inputs: Matrix, batchSize: Int, layers: Int,
                              _ body: (Int, Int, MLPWorkspace) -> Void) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        precondition(inputs.columns == architecture.inputs,
                     "inputs have \(inputs.columns) features, the network \(architecture.inputs) inputs")
        let n = inputs.rows
        guard n > 0 else { return }
        let ws = MLPWorkspace(widths: architecture.widths, capacity: min(batchSize, n), training: false)
        inputs.storage.withUnsafeBufferPointer { x in
            var start = 0
            while start < n {
                let rows = min(ws.capacity, n - start)
                forward(x.baseAddress! + start * architecture.inputs, rows: rows, layers: layers, workspace: ws)
                body(start, rows, ws)
                start += rows
            }
        }
    }

    /// Pushes `rows` contiguous input rows through the first `layers` layers, leaving layer `l`'s
    /// output (post-activation for hidden layers, linear for the last) in `workspace.outputs[l − 1]`.
    func forward(_ input: UnsafePointer<Float>, rows: Int, layers: Int, workspace ws: MLPWorkspace) {
        let widths = ws.widths  // not `architecture.widths`, which would allocate per batch
        let last = architecture.layerCount - 1
        var previous = input
        for l in 0..<layers {
            let fanIn = widths[l], fanOut = widths[l + 1]
            let out = ws.outputs[l]
            weights[l].storage.withUnsafeBufferPointer { w in
                BLAS.sgemm(m: rows, n: fanOut, k: fanIn,
                           a: UnsafeBufferPointer(start: previous, count: rows * fanIn),
                           b: w, c: out)
            }
            biases[l].withUnsafeBufferPointer { b in
                if l < last {
                    architecture.activation.addBiasAndActivate(out.baseAddress!, rows: rows, bias: b)
                } else {
                    for r in 0..<rows {
                        let row = out.baseAddress! + r * fanOut
                        for j in 0..<fanOut { row[j] += b[j] }
                    }
                }
            }
            previous = UnsafePointer(out.baseAddress!)
        }
    }

    /// Back-propagates `workspace.deltas[last]` (∂L/∂Z of the output layer, set by the loss)
    /// through a batch that ``forward(_:rows:layers:workspace:)`` has just run on `input`, filling
    /// the weight and bias gradients: `dW = Aᵀ·dZ (+ λW)`, `db = Σ_rows dZ`, `dA = dZ·Wᵀ`.
    func backward(_ input: UnsafePointer<Float>, rows: Int, weightDecay: Float, workspace ws: MLPWorkspace) {
        let widths = ws.widths
        for l in stride(from: architecture.layerCount - 1, through: 0, by: -1) {
            let fanIn = widths[l], fanOut = widths[l + 1]
            let previous = l == 0 ? input : UnsafePointer(ws.outputs[l - 1].baseAddress!)
            let delta = UnsafeBufferPointer(ws.deltas[l])
            let dW = ws.weightGradients[l]
            BLAS.sgemm(transposeA: true, m: fanIn, n: fanOut, k: rows,
                       a: UnsafeBufferPointer(start: previous, count: rows * fanIn),
                       b: delta, c: dW)
            let db = ws.biasGradients[l]
            db.update(repeating: 0)
            for r in 0..<rows {
                let row = delta.baseAddress! + r * fanOut
                for j in 0..<fanOut { db[j] += row[j] }
            }
            weights[l].storage.withUnsafeBufferPointer { w in
                if weightDecay != 0 {
                    for i in 0..<dW.count { dW[i] += weightDecay * w[i] }
                }
                // The input layer's dA is never used, so its GEMM (the largest) is skipped.
                if l > 0 {
                    BLAS.sgemm(transposeB: true, m: rows, n: fanIn, k: fanOut,
                               a: delta, b: w, c: ws.deltas[l - 1])
                    architecture.activation.multiplyByDerivative(
                        ws.deltas[l - 1].baseAddress!, outputs: ws.outputs[l - 1].baseAddress!,
                        count: rows * fanIn)
                }
            }
        }
    }
}

/// Preallocated buffers for one batch of an ``MLP`` of up to `capacity` rows, reused by every
/// batch (opaque outside this module).
///
/// A class so that the trainer's hot loop mutates the buffers in place without copy-on-write
/// checks; memory is raw (`allocate`/`deallocate`) so no Swift array is touched per batch.
public final class MLPWorkspace {
    /// Most rows one batch may hold.
    let capacity: Int
    /// The network's layer widths, `[inputs] + hidden + [outputs]`.
    let widths: [Int]
    /// `outputs[l]`: layer `l + 1`'s output, `capacity × widths[l + 1]`.
    let outputs: [UnsafeMutableBufferPointer<Float>]
    /// `deltas[l]`: ∂L/∂Z of layer `l + 1`; empty when not training.
    let deltas: [UnsafeMutableBufferPointer<Float>]
    /// `weightGradients[l]`: ∂L/∂W of layer `l + 1`; empty when not training.
    let weightGradients: [UnsafeMutableBufferPointer<Float>]
    /// `biasGradients[l]`: ∂L/∂b of layer `l + 1`; empty when not training.
    let biasGradients: [UnsafeMutableBufferPointer<Float>]

    init(widths: [Int], capacity: Int, training: Bool) {
        func zeros(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: 0)
            return buffer
        }
        let layers = 1..<widths.count
        self.capacity = capacity
        self.widths = widths
        outputs = layers.map { zeros(capacity * widths[$0]) }
        deltas = training ? layers.map { zeros(capacity * widths[$0]) } : []
        weightGradients = training ? layers.map { zeros(widths[$0 - 1] * widths[$0]) } : []
        biasGradients = training ? layers.map { zeros(widths[$0]) } : []
    }

    deinit {
        for buffer in outputs + deltas + weightGradients + biasGradients { buffer.deallocate() }
    }
}
