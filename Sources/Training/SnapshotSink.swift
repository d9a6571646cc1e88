import Analysis
import Config
import Learning

/// What a training run will record: known once the run file holds its header, evaluation set and
/// any earlier snapshots.
public struct SnapshotLayout: Sendable {
    /// The evaluation samples whose activations are recorded.
    public var evaluation: Split
    /// The recorded layers' widths, input side first.
    public var hiddenWidths: [Int]
    /// Their dataset names in run.h5 (`layer_1…`, or `conv1, pool1, …`), which label the plane.
    public var layerNames: [String]
    /// The snapshot epochs to expect, in schedule order (a run the stopping rule ended expects
    /// none after its stop).
    public var epochs: [Int]
    /// Set when this resume trains the run further than it was (a raised `training.epochs`): an
    /// analysis made under the old config continues under the new one.
    public var extended: RunExtension? = nil
    /// What the snapshots store (`snapshots.store`): with projections, the analysis reads
    /// `projections_L` instead of the activations.
    public var store: SnapshotStore = .activations
}

/// Where a training session's snapshots go besides the run file: `infoplane run` analyses each
/// one as it appears (``Training`` knows nothing of how). Methods are called on the training
/// thread, in this order: ``started(_:)`` once, then ``afterBatch()`` after every minibatch and
/// ``snapshot(epoch:activations:)`` after each snapshot is on disk (epoch 0 of a fresh run
/// included).
public protocol SnapshotSink: AnyObject {
    /// The run file holds its header; `layout` says what to expect. Throwing ends training.
    func started(_ layout: SnapshotLayout) throws
    /// A minibatch is done (a moment to service other work; must not block for long).
    func afterBatch()
    /// The hidden activations of `epoch` are on disk (one matrix per hidden layer). Throwing
    /// ends training.
    func snapshot(epoch: Int, activations: [Matrix]) throws
    /// The settings the sink analyses snapshots under, if it does (`infoplane run`): training
    /// then checks, before any output exists, that the analysis fits in memory and that the
    /// evaluation labels can be estimated against.
    var analysis: AnalysisSettings? { get }
}

extension SnapshotSink {
    /// A sink analyses nothing unless it says so.
    public var analysis: AnalysisSettings? { nil }
}

/// A sink that takes nothing: `infoplane train` only writes the run file.
public final class NoSnapshotSink: SnapshotSink {
    /// The sink.
    public init() {}
    /// Nothing to do.
    public func started(_ layout: SnapshotLayout) {}
    /// Nothing to do.
    public func afterBatch() {}
    /// Nothing to do.
    public func snapshot(epoch: Int, activations: [Matrix]) {}
}
