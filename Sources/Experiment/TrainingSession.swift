import Config
import Foundation
import Learning
import Files
import Support

/// Trains the network of a config and records what the information plane needs in `run.h5`:
/// the evaluation set, per-epoch curves, hidden activations at snapshot epochs, and a checkpoint
/// every epoch so `--resume` continues to the bit-identical result of an uninterrupted run.
///
/// The file is opened only to append an epoch's results and closed again, so a process killed
/// while training leaves a file that h5py and h5dump open, with every completed epoch in it.
public struct TrainingSession {
    public let config: ExperimentConfig
    /// The run directory; the file is `<directory>/run.h5`.
    public let directory: String
    public var log: ProgressLog

    public var runPath: String { (directory as NSString).appendingPathComponent("run.h5") }

    public init(config: ExperimentConfig, directory: String, log: ProgressLog) {
        self.config = config
        self.directory = directory
        self.log = log
    }

    /// What a finished session did.
    public struct Summary: Sendable {
        public var runPath: String
        public var epochsTrained: Int
        public var resumedFrom: Int?
        public var final: EpochMetrics?
        public var snapshots: [Int]
        /// The epoch the stopping rule ended training at (nil: no rule, or it never fired).
        public var stoppedEpoch: Int?
        /// The snapshot epoch with the best objective (nil without a stopping rule).
        public var chosenEpoch: Int?
    }

    /// What the MPI pipeline learns from a session as it goes.
    public struct Hooks {
        /// Once the run file holds the header, evaluation set and any earlier snapshots: the
        /// evaluation split, the hidden widths, and the snapshot epochs to expect (schedule order).
        public var started: (Split, [Int], [Int]) throws -> Void = { _, _, _ in }
        /// After every minibatch.
        public var afterBatch: () -> Void = {}
        /// After a snapshot's activations are on disk: its epoch and the hidden activations.
        public var snapshot: (Int, [Matrix]) throws -> Void = { _, _ in }
        public init() {}
    }

    /// Runs training. An existing `run.h5` is an error unless `resume` (continue it; a missing
    /// run simply starts) or `force` (replace it once the new file's first contents are written).
    @discardableResult
    public func run(resume: Bool, force: Bool, hooks: Hooks = Hooks()) throws -> Summary {
        try OutputDirectory.prepare(directory)
        let exists = FileManager.default.fileExists(atPath: runPath)
        if exists && !resume && !force {
            throw InfoPlaneError("\(runPath) already holds a run: pass --resume to continue it, --force to replace it, or --out to write elsewhere")
        }
        log("\(config.name): loading \(config.dataset.name.rawValue)…")
        let data = try DatasetCatalog.load(config.datasetSpec)
        let evaluation = try config.evaluationSplit(of: data)
        let outputs = data.classes > 0 ? data.classes : (data.train.targets?.columns ?? 1)
        let architecture = config.architecture(inputs: data.train.features, outputs: outputs)
        try architecture.validate()
        let options = config.trainingOptions
        let schedule = try config.snapshotSchedule.epochs(totalEpochs: options.epochs)
        if let stopping = config.stopping, schedule.count <= stopping.window {
            throw InfoPlaneError("stopping.window = \(stopping.window) snapshots, but the schedule has only \(schedule.count): the rule could never fire; lower stopping.window or add snapshots")
        }
        let objective = config.stopping.map { InformationObjective(settings: $0, evaluation: evaluation) }
        var rule = config.stopping.map { InformationStoppingRule(window: $0.window, tolerance: $0.tolerance) }
        var stoppedEpoch: Int?
        var initialMeasurement: ObjectiveMeasurement?
        // The initialised network's activations on the evaluation set (a fresh run), computed once.
        var initialActivations: [Matrix]?

        let trainer: Trainer
        var resumedFrom: Int?
        if exists && resume && !force {
            let checkpoint = try RunFile.rollBack(runPath, canonicalText: config.canonicalText, datasetSHA256: data.identity.sha256,
                                                  hasStopping: config.stopping != nil)
            trainer = try Trainer(restoring: checkpoint, architecture: architecture, options: options,
                                  train: data.train, test: data.test)
            resumedFrom = checkpoint.epoch
            if config.stopping != nil {
                // The rule's history is the file's: a resumed run decides as the uninterrupted one.
                let history = try StoppingRecord.read(runPath: runPath)
                for (epoch, value) in zip(history.epochs, history.objectives) { _ = rule?.record(epoch: epoch, objective: value) }
                stoppedEpoch = history.stoppedEpoch
            }
            log("\(config.name): resuming \(runPath) after epoch \(checkpoint.epoch) of \(options.epochs)")
        } else {
            trainer = try Trainer(architecture: architecture, initialization: config.initializationScheme,
                                  options: options, train: data.train, test: data.test)
            let initial = schedule.contains(0) ? trainer.model.hiddenActivations(of: evaluation.inputs) : []
            initialActivations = initial
            let measurement = schedule.contains(0) ? try objective?.measure(epoch: 0, hiddenActivations: initial) : nil
            if let measurement { _ = rule?.record(epoch: 0, objective: measurement.objective) }
            initialMeasurement = measurement
            let header = RunFileHeader(config: config, dataset: data.identity, classes: data.classes, evaluation: evaluation,
                                       hiddenWidths: architecture.hidden)
            try RunFileWriter.create(at: runPath, overwrite: force, header: header, stopping: config.stopping,
                                     initialSnapshot: schedule.contains(0) ? initial : nil,
                                     initialStopping: measurement.map { $0.row(chosenEpoch: 0, stoppedEpoch: nil) },
                                     checkpoint: trainer.checkpoint())
        }
        let widths = ([architecture.inputs] + architecture.hidden + [architecture.outputs]).map(String.init).joined(separator: "-")
        log("\(config.name): \(data.identity.name) \(data.train.count) train / \(evaluation.count) evaluation samples, "
            + "MLP \(widths) \(config.model.activation.rawValue), \(config.training.optimizer.rawValue) lr \(config.training.learningRate), "
            + "\(options.epochs) epochs, snapshots at \(schedule.count) epochs → \(runPath)")

        if let initialMeasurement, let rule { logObjective(initialMeasurement, rule: rule, stopped: false) }
        // A run the rule stopped takes no more snapshots.
        try hooks.started(evaluation, architecture.hidden, schedule.filter { $0 <= (stoppedEpoch ?? Int.max) })
        if resumedFrom == nil, let initialActivations, schedule.contains(0) {
            try hooks.snapshot(0, initialActivations)
        }
        var last: EpochMetrics?
        while trainer.epochsCompleted < options.epochs && stoppedEpoch == nil {
            let metrics = trainer.trainEpoch(afterBatch: hooks.afterBatch)
            guard metrics.trainLoss.isFinite else {
                throw InfoPlaneError("training diverged at epoch \(metrics.epoch) (loss \(metrics.trainLoss)): lower training.learning_rate; \(runPath) keeps every epoch before it")
            }
            let isSnapshot = schedule.contains(metrics.epoch)
            let activations = isSnapshot ? trainer.model.hiddenActivations(of: evaluation.inputs) : []
            let measurement = isSnapshot ? try objective?.measure(epoch: metrics.epoch, hiddenActivations: activations) : nil
            var row: StoppingRow?
            if let measurement, var current = rule {
                if current.record(epoch: metrics.epoch, objective: measurement.objective) { stoppedEpoch = metrics.epoch }
                rule = current
                row = measurement.row(chosenEpoch: current.bestEpoch!, stoppedEpoch: stoppedEpoch)
            }
            try RunFileWriter.appendEpoch(at: runPath, metrics: metrics, snapshot: isSnapshot ? activations : nil, stopping: row,
                                          checkpoint: trainer.checkpoint())
            if isSnapshot { try hooks.snapshot(metrics.epoch, activations) }
            FaultInjection.epochFinished(metrics.epoch)
            last = metrics
            // Regression has no accuracy (NaN), so its line shows the losses only.
            let accuracy = metrics.testAccuracy.isNaN ? ""
                : String(format: "  accuracy %.2f%% (test %.2f%%)", 100 * metrics.trainAccuracy, 100 * metrics.testAccuracy)
            log(String(format: "epoch %d/%d  loss %.4f (test %.4f)%@  %.1f s%@",
                       metrics.epoch, options.epochs, metrics.trainLoss, metrics.testLoss, accuracy, metrics.seconds,
                       isSnapshot ? "  snapshot saved" : ""))
            if let measurement, let rule { logObjective(measurement, rule: rule, stopped: stoppedEpoch != nil) }
        }
        if let resumedFrom, resumedFrom == trainer.epochsCompleted {
            log("\(config.name): \(runPath) is already complete (\(resumedFrom) epochs\(stoppedEpoch != nil ? ", stopped by the rule" : ""))")
        }
        if let rule, let best = rule.bestEpoch {
            log("stopping: " + (stoppedEpoch.map { "stopped after epoch \($0) of \(options.epochs)" } ?? "the rule did not fire in \(options.epochs) epochs")
                + "; chosen epoch \(best) (the best objective)")
        }
        let snapshots = try RunFile.snapshotEpochs(path: runPath)
        return Summary(runPath: runPath, epochsTrained: trainer.epochsCompleted - (resumedFrom ?? 0),
                       resumedFrom: resumedFrom, final: last, snapshots: snapshots,
                       stoppedEpoch: stoppedEpoch, chosenEpoch: rule?.bestEpoch)
    }

    /// One progress line per snapshot: the objective, its parts, and the rule's decision.
    private func logObjective(_ m: ObjectiveMeasurement, rule: InformationStoppingRule, stopped: Bool) {
        let beta = config.stopping?.beta ?? 0
        log(String(format: "stopping: epoch %d  J = %.4f = S1(T;Y) %.4f − %g × S1(X;T) %.4f nats  best at epoch %d  → %@",
                   m.epoch, m.objective, m.labelInformation.mean, beta, m.inputInformation.mean, rule.bestEpoch ?? m.epoch,
                   stopped ? "stop (no gain over \(rule.tolerance) nats in \(rule.window) snapshots)" : "continue"))
    }
}
