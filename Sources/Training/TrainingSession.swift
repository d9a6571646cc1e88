import Config
import Files
import Foundation
import Learning
import Storage
import Support

/// Trains the network of a config and records what the information plane needs in `run.h5`:
/// the evaluation set, per-epoch curves, hidden activations at snapshot epochs, and a checkpoint
/// every epoch so `--resume` continues to the bit-identical result of an uninterrupted run.
/// Snapshots also go to a ``SnapshotSink`` (`run` analyses them as they appear).
///
/// The steps are small functions (TrainingSession+Steps.swift): ``prepare()`` the data and
/// network, start fresh or resume, train one epoch at a time, and summarise.
public struct TrainingSession {
    /// The run's config.
    public let config: ExperimentConfig
    /// The run directory; the file is `<directory>/run.h5`.
    public let directory: RunDirectory
    /// Progress lines.
    public var log: ProgressLog

    /// The run file.
    public var runPath: String { directory.runFile }

    /// A session writing into `directory`.
    public init(config: ExperimentConfig, directory: String, log: ProgressLog) {
        self.config = config
        self.directory = RunDirectory(directory)
        self.log = log
    }

    /// What a finished session did.
    public struct Summary: Sendable {
        /// The run file.
        public var runPath: String
        /// Epochs trained by this session (after a resume: the new ones).
        public var epochsTrained: Int
        /// The checkpoint epoch a resume continued from.
        public var resumedFrom: Int?
        /// The last epoch's metrics (nil when nothing was left to train).
        public var final: EpochMetrics?
        /// Snapshot epochs in the run file.
        public var snapshots: [Int]
        /// The epoch the stopping rule ended training at (nil: no rule, or it never fired).
        public var stoppedEpoch: Int?
        /// The snapshot epoch with the best objective (nil without a stopping rule).
        public var chosenEpoch: Int?
    }

    /// Every input check of ``run(resume:force:into:)`` (data, schedule, memory, labels; with
    /// `analysis`, the analysis's too), without training or writing anything: how an ensemble
    /// refuses bad input once, before its copies start.
    public func check(analysis: AnalysisSettings?) throws {
        _ = try prepare(analysis: analysis)
    }

    /// Trains into the run file and `sink`. An existing `run.h5` is an error unless `resume`
    /// (continue it; a missing run simply starts) or `force` (replace it once the new file's
    /// first contents are written).
    @discardableResult
    public func run(resume: Bool, force: Bool, into sink: SnapshotSink = NoSnapshotSink()) throws -> Summary {
        try refuseExisting(resume: resume, force: force)
        // Every input check (data, sizes, memory, labels) comes before the directory exists, so
        // a bad input leaves nothing behind, not even a lock file.
        let setup = try prepare(analysis: sink.analysis, sink: sink)
        try OutputDirectory.prepare(directory.path)
        // One writer per run directory; the check is repeated under the lock.
        let lock = try OutputLock.acquire(runPath)
        defer { lock.release() }
        let exists = try refuseExisting(resume: resume, force: force)
        let resuming = exists && resume && !force
        switch setup.network {
        case .mlp(let architecture):
            return try train(MLP.self, architecture, setup, resuming: resuming, overwrite: force, into: sink)
        case .sequential(let architecture):
            return try train(SequentialNetwork.self, architecture, setup, resuming: resuming, overwrite: force, into: sink)
        }
    }

    /// The session proper, for the config's kind of network: start or resume, train epoch by
    /// epoch into the run file and `sink`, and summarise.
    private func train<Network: TrainableNetwork>(_: Network.Type, _ architecture: Network.Architecture, _ setup: Setup,
                                                  resuming: Bool, overwrite: Bool, into sink: SnapshotSink) throws -> Summary {
        var state: State<Network> = resuming ? try resumeRun(architecture, setup) : try startFresh(architecture, setup, overwrite: overwrite)
        logStart(setup)
        if let initial = state.initialMeasurement, let stopping = state.stopping { logObjective(initial, stopping) }
        // A run the rule stopped takes no more snapshots.
        let expected = setup.schedule.filter { $0 <= (state.stopping?.stoppedEpoch ?? Int.max) }
        try sink.started(SnapshotLayout(evaluation: setup.evaluation, hiddenWidths: setup.network.recordedWidths,
                                        layerNames: setup.network.layerNames, epochs: expected, extended: state.extended,
                                        store: config.snapshots.store))
        if let initial = state.initialActivations { try sink.snapshot(epoch: 0, activations: initial) }
        // Nothing may still write into the directory once its lock is released.
        defer { state.queue.settle() }
        while state.trainer.epochsCompleted < setup.options.epochs && state.stopping?.stoppedEpoch == nil {
            try trainEpoch(&state, setup, sink: sink)
        }
        try delivered(state.queue.wait(), to: sink)
        return try finish(setup, state)
    }

    /// Whether run.h5 exists; an existing one is an error unless `resume` or `force`, and
    /// anything but a regular file is an error in any case.
    @discardableResult
    private func refuseExisting(resume: Bool, force: Bool) throws -> Bool {
        let exists = try checkReplaceable(runPath)
        if exists && !resume && !force {
            throw InfoPlaneError("\(runPath) already holds a run: pass --resume to continue it, --force to replace it, or --out to write elsewhere")
        }
        return exists
    }
}
