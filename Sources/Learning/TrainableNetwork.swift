import Support
/// The shape of a network: what ``NetworkTrainer`` checks data against before training.
public protocol NetworkArchitecture: Sendable, Equatable {
    /// Input features per sample (a sample's flattened values).
    var inputs: Int { get }
    /// Output units: classes for classification, target dimensions for regression.
    var outputs: Int { get }
    /// Features per sample of each recorded layer, in the order of
    /// ``TrainableNetwork/recordedActivations(of:batchSize:)``.
    var recordedWidths: [Int] { get }
    /// Throws a ``InfoPlaneError`` (one line: the problem and the fix) if no network can have this shape.
    func validate() throws
}

/// The name and shape of one parameter tensor, as it appears in a ``TrainingCheckpoint``.
public struct ParameterShape: Sendable, Hashable {
    /// E.g. `W1` (``MLP``) or `conv1.W` (``SequentialNetwork``).
    public var name: String
    /// Rows of the row-major tensor (1 for a bias).
    public var rows: Int
    /// Columns of the row-major tensor.
    public var columns: Int

    /// A tensor's name and shape.
    public init(name: String, rows: Int, columns: Int) {
        self.name = name
        self.rows = rows
        self.columns = columns
    }
}

/// A network that ``NetworkTrainer`` can train, checkpoint and restore, and whose layers can be
/// recorded: today's ``MLP`` and the convolutional ``SequentialNetwork``.
///
/// A conforming type is a value: a copy freezes the parameters (a snapshot). The batch interface
/// (`makeWorkspace`, `forward(batch:…)`, `backward(batch:…)`, `updateParameters`) is what the
/// trainer's hot loop calls; it works on raw buffers in a preallocated workspace so that no
/// minibatch allocates memory.
public protocol TrainableNetwork: Sendable {
    /// The network's shape.
    associatedtype Architecture: NetworkArchitecture
    /// Preallocated buffers for the batches of one task (never shared between tasks).
    associatedtype Workspace: AnyObject

    /// The shape this network was built for.
    var architecture: Architecture { get }

    /// A freshly initialised network: each parameterised layer's weights drawn from its own
    /// `"init"` random stream keyed by the layer, biases zero.
    init(architecture: Architecture, initialization: Initialization, seed: UInt64) throws

    /// The parameter tensors of a network of `architecture`, in checkpoint order.
    static func parameterShapes(of architecture: Architecture) -> [ParameterShape]

    /// A network with the given parameter values, one array per entry of
    /// ``parameterShapes(of:)`` in that order; throws if a count disagrees.
    init(architecture: Architecture, parameterValues: [[Float]]) throws

    /// The parameters, named and shaped as ``parameterShapes(of:)`` lists them.
    var parameters: [NamedTensor] { get }

    /// One `inputs.rows × width` matrix per recorded layer (post-activation outputs, conv maps
    /// flattened channel-major), computed `batchSize` rows at a time so that memory beyond the
    /// results is O(`batchSize`).
    func recordedActivations(of inputs: Matrix, batchSize: Int) -> [Matrix]

    /// Mean loss and accuracy over a split (see ``Loss``); an empty split gives `(nan, nan)`.
    func evaluate(_ split: Split, loss: Loss, batchSize: Int) -> (loss: Double, accuracy: Double)

    /// Buffers for batches of up to `capacity` rows; `training` adds the backward pass's.
    func makeWorkspace(capacity: Int, training: Bool) -> Workspace

    /// Pushes `rows` contiguous input rows through the network; returns the `rows × outputs`
    /// logits, which live in `workspace`.
    func forward(batch input: UnsafePointer<Float>, rows: Int, workspace: Workspace) -> UnsafePointer<Float>

    /// Where the loss writes ∂L/∂logits (`rows × outputs`) before ``backward(batch:rows:weightDecay:workspace:)``.
    func outputGradient(in workspace: Workspace) -> UnsafeMutablePointer<Float>

    /// Back-propagates the output gradient through the batch that ``forward(batch:rows:workspace:)``
    /// has just run on `input`, leaving every parameter's gradient (weights `+ λ·W`) in `workspace`.
    func backward(batch input: UnsafePointer<Float>, rows: Int, weightDecay: Float, workspace: Workspace)

    /// Calls `body(index, parameter, gradient)` for every parameter tensor in checkpoint order,
    /// with its gradient from the last backward pass in `workspace`, so an optimizer can update it
    /// in place.
    mutating func updateParameters(
        gradients workspace: Workspace,
        _ body: (Int, UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void)
}
