import Support
extension MLPArchitecture: NetworkArchitecture {
    /// Every hidden layer is recorded: the widths are `hidden`.
    public var recordedWidths: [Int] { hidden }
}

/// The MLP's batch interface for ``NetworkTrainer``: thin forwards to the passes in `MLP.swift`,
/// whose arithmetic (and so every recorded number) is unchanged.
extension MLP: TrainableNetwork {
    /// `W1, b1, W2, b2, …`: `W_l` is `fan_in × fan_out`, `b_l` is `1 × fan_out`.
    public static func parameterShapes(of architecture: MLPArchitecture) -> [ParameterShape] {
        let widths = architecture.widths
        return (1..<widths.count).flatMap { l in
            [ParameterShape(name: "W\(l)", rows: widths[l - 1], columns: widths[l]),
             ParameterShape(name: "b\(l)", rows: 1, columns: widths[l])]
        }
    }

    /// A network from values in ``parameterShapes(of:)`` order.
    public init(architecture: MLPArchitecture, parameterValues: [[Float]]) throws {
        try architecture.validate()
        let shapes = MLP.parameterShapes(of: architecture)
        try checkParameterCounts(parameterValues, shapes)
        let weights = (0..<architecture.layerCount).map { l in
            Matrix(rows: shapes[2 * l].rows, columns: shapes[2 * l].columns, storage: parameterValues[2 * l])
        }
        let biases = (0..<architecture.layerCount).map { parameterValues[2 * $0 + 1] }
        try self.init(architecture: architecture, weights: weights, biases: biases)
    }

    /// `W1, b1, W2, b2, …` with their values.
    public var parameters: [NamedTensor] {
        let shapes = MLP.parameterShapes(of: architecture)
        return shapes.indices.map { i in
            NamedTensor(name: shapes[i].name, rows: shapes[i].rows, columns: shapes[i].columns,
                        values: i % 2 == 0 ? weights[i / 2].storage : biases[i / 2])
        }
    }

    /// The hidden layers' outputs (``hiddenActivations(of:batchSize:)``).
    public func recordedActivations(of inputs: Matrix, batchSize: Int = 1000) -> [Matrix] {
        hiddenActivations(of: inputs, batchSize: batchSize)
    }

    /// Buffers for batches of up to `capacity` rows.
    public func makeWorkspace(capacity: Int, training: Bool) -> MLPWorkspace {
        MLPWorkspace(widths: architecture.widths, capacity: capacity, training: training)
    }

    /// All layers' forward pass; the logits are the last layer's output buffer.
    public func forward(batch input: UnsafePointer<Float>, rows: Int, workspace: MLPWorkspace) -> UnsafePointer<Float> {
        forward(input, rows: rows, layers: architecture.layerCount, workspace: workspace)
        return UnsafePointer(workspace.outputs[architecture.layerCount - 1].baseAddress!)
    }

    /// ∂L/∂Z of the output layer.
    public func outputGradient(in workspace: MLPWorkspace) -> UnsafeMutablePointer<Float> {
        workspace.deltas[architecture.layerCount - 1].baseAddress!
    }

    /// The backward pass of `MLP.swift`.
    public func backward(batch input: UnsafePointer<Float>, rows: Int, weightDecay: Float, workspace: MLPWorkspace) {
        backward(input, rows: rows, weightDecay: weightDecay, workspace: workspace)
    }

    /// `W_l` is tensor `2(l − 1)`, `b_l` tensor `2(l − 1) + 1`.
    public mutating func updateParameters(
        gradients workspace: MLPWorkspace,
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

/// Throws unless there is one value array per shape, each of `rows × columns` values.
func checkParameterCounts(_ values: [[Float]], _ shapes: [ParameterShape]) throws {
    guard values.count == shapes.count else {
        throw InfoPlaneError("the architecture has \(shapes.count) parameter tensors but \(values.count) were given")
    }
    for (tensor, shape) in zip(values, shapes) where tensor.count != shape.rows * shape.columns {
        throw InfoPlaneError("\(shape.name) holds \(tensor.count) values but the architecture needs "
                            + "\(shape.rows)×\(shape.columns)")
    }
}
