/// A named row-major float tensor of a checkpoint (stored as one HDF5 dataset each).
public struct NamedTensor: Sendable, Equatable {
    /// A parameter (`W1`, `b1`, … of an ``MLP``; `conv1.W`, `conv1.b`, …, `output.b` of a
    /// ``SequentialNetwork``) or optimizer state such as `adam.m.W1`, `adam.v.conv1.b`, `sgd.velocity.W1`.
    public var name: String
    /// Rows (`fan_in` for dense weights, output channels for convolution weights; 1 for biases).
    public var rows: Int
    /// Columns (`fan_out` for dense weights, `inChannels·k·k` for convolution weights).
    public var columns: Int
    /// `rows × columns` values, row after row.
    public var values: [Float]

    /// A tensor; `values.count` must equal `rows × columns`.
    public init(name: String, rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "tensor \(name) holds \(values.count) values, not \(rows)×\(columns)")
        self.name = name
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}

/// Everything a ``Trainer`` needs, besides the same options and data, to continue bit-identically:
/// parameters, optimizer state and the position in the schedule.
///
/// Tensors come in a fixed order: the network's parameters (``TrainableNetwork/parameterShapes(of:)``:
/// `W1, b1, W2, b2, …` for an MLP, `conv1.W, conv1.b, …, output.W, output.b` for a
/// ``SequentialNetwork``), then the optimizer state of each of those in the same order per state
/// kind (`sgd.velocity.W1, sgd.velocity.b1, …` or `adam.m.W1, adam.m.b1, …, adam.v.W1, …`). The shuffle of epoch `e` is derived from the seed and `e`, so no random
/// generator state needs saving.
public struct TrainingCheckpoint: Sendable, Equatable {
    /// Epochs completed when the checkpoint was taken (0 = the initialised network).
    public var epoch: Int
    /// Optimizer steps (minibatches) taken so far; Adam's bias correction continues from it.
    public var step: Int
    /// Parameters and optimizer state.
    public var tensors: [NamedTensor]

    /// A checkpoint from its parts.
    public init(epoch: Int, step: Int, tensors: [NamedTensor]) {
        self.epoch = epoch
        self.step = step
        self.tensors = tensors
    }

    /// The tensor called `name`, if present.
    public func tensor(named name: String) -> NamedTensor? {
        tensors.first { $0.name == name }
    }
}
