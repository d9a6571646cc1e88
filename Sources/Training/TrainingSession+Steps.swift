import Config
import Files
import Foundation
import Learning
import Support

extension TrainingSession {
    /// The data, network and schedule of the config, checked.
    struct Setup {
        var data: Dataset
        var evaluation: Split
        var network: ConfiguredNetwork
        var options: TrainingOptions
        var schedule: [Int]
    }

    /// Evaluation samples pushed through the network at a time when a snapshot is recorded:
    /// memory beyond the recorded outputs is one such chunk's layer outputs.
    static let recordingBatch = 1000

    /// A session in progress, training an ``MLP`` or a ``SequentialNetwork``.
    struct State<Network: TrainableNetwork> {
        var trainer: NetworkTrainer<Network>
        /// The run file's writer.
        var writer: RunFileWriter
        /// The checkpoint epoch a resume continued from.
        var resumedFrom: Int?
        var stopping: StoppingState?
        /// A fresh run's epoch-0 activations (when epoch 0 is a snapshot), computed once.
        var initialActivations: [Matrix]?
        var initialMeasurement: ObjectiveMeasurement?
        var last: EpochMetrics?
    }

    /// Loads the data and checks the network, the schedule, the memory the job needs (with
    /// `analysis`, rank 0's analysis too) and the evaluation labels, before any output exists.
    /// - Parameter sink: checks the planned analysis too (``SnapshotSink/check(_:)``).
    func prepare(analysis: AnalysisSettings? = nil, sink: SnapshotSink? = nil) throws -> Setup {
        let options = config.trainingOptions
        let schedule = try config.snapshotSchedule.epochs(totalEpochs: options.epochs)
        if let stopping = config.stopping, schedule.count <= stopping.window {
            throw InfoPlaneError("stopping.window = \(stopping.window) snapshots, but the schedule has only \(schedule.count): the rule could never fire; lower stopping.window or add snapshots")
        }
        if let (inputs, outputs) = generatedShape {
            // Generated data is checked before it is generated.
            let network = config.network(inputs: inputs, outputs: outputs)
            try network.validate()
            try memoryEstimate(network, samples: config.dataset.trainSize + config.dataset.testSize,
                               evaluation: min(config.dataset.evaluationSize, config.dataset.trainSize + config.dataset.testSize),
                               schedule: schedule, analysis: analysis).check()
        } else if config.dataset.name == .mnist || config.dataset.name == .fashionMNIST {
            // The images' shape is fixed: a network that cannot take them, or cannot fit, is
            // refused before 70,000 images are read.
            let network = config.network(inputs: 28 * 28, outputs: 10)
            try network.validate()
            try memoryEstimate(network, samples: 70_000, evaluation: min(config.dataset.evaluationSize, 70_000), schedule: schedule,
                               analysis: analysis).check()
        }
        // No progress line yet: a refused input is then the only line on stderr.
        let data = try DatasetCatalog.load(config.datasetSpec)
        let evaluation = try config.evaluationSplit(of: data)
        let outputs = data.classes > 0 ? data.classes : (data.train.targets?.columns ?? 1)
        let network = config.network(inputs: data.train.features, outputs: outputs)
        try network.validate()
        try memoryEstimate(network, samples: data.train.count + data.test.count, evaluation: evaluation.count, schedule: schedule,
                           analysis: analysis).check()
        let fix = "use a larger dataset.evaluation_size or another dataset.evaluation_split"
        if let analysis {
            try EvaluationTargets(evaluation).checkEstimable(by: analysis.labelEstimator, what: "the evaluation set", fix: fix)
        }
        if config.stopping != nil {
            try EvaluationTargets(evaluation).checkEstimable(by: .ross, what: "the evaluation set (for the stopping rule)", fix: fix)
        }
        return Setup(data: data, evaluation: evaluation, network: network, options: options, schedule: schedule)
    }

    /// Input and output units of a generated dataset, known before it is generated (nil for
    /// the catalog's files and Tishby's fixed task, whose sizes are small and fixed).
    private var generatedShape: (inputs: Int, outputs: Int)? {
        switch config.dataset.name {
        case .synthetic: (config.dataset.features, config.dataset.classes)
        case .quadratic: (1, 1)
        default: nil
        }
    }

    /// A new run file: the initialised network, its epoch-0 snapshot (and objective) if the
    /// schedule has one, and the first checkpoint, published at once.
    func startFresh<Network>(_ architecture: Network.Architecture, _ setup: Setup, overwrite: Bool) throws -> State<Network> {
        let trainer = try NetworkTrainer<Network>(architecture: architecture, initialization: config.initializationScheme,
                                  options: setup.options, train: setup.data.train, test: setup.data.test)
        var stopping = config.stopping.map { StoppingState($0, evaluation: setup.evaluation) }
        var row: StoppingRow?
        var initialActivations: [Matrix]?, initialMeasurement: ObjectiveMeasurement?
        if setup.schedule.contains(0) {
            let initial = trainer.model.recordedActivations(of: setup.evaluation.inputs, batchSize: Self.recordingBatch)
            initialActivations = initial
            if let recorded = try stopping?.record(epoch: 0, activations: initial) {
                initialMeasurement = recorded.measurement
                row = recorded.row
            }
        }
        let header = RunFileHeader(config: config, dataset: setup.data.identity, classes: setup.data.classes,
                                   evaluation: setup.evaluation, hiddenWidths: setup.network.recordedWidths,
                                   layerNames: setup.network.layerNames)
        let writer = try RunFileWriter.create(in: directory, overwrite: overwrite, header: header, stopping: config.stopping,
                                              initialSnapshot: initialActivations, initialStopping: row, checkpoint: trainer.checkpoint())
        var state = State(trainer: trainer, writer: writer, stopping: stopping)
        state.initialActivations = initialActivations
        state.initialMeasurement = initialMeasurement
        return state
    }

    /// The run on disk at its newest checkpoint (the index's last epoch), with the stopping
    /// rule's history.
    func resumeRun<Network>(_ architecture: Network.Architecture, _ setup: Setup) throws -> State<Network> {
        let (writer, checkpoint) = try RunFileWriter.resume(in: directory, canonicalText: config.canonicalText,
                                                            datasetSHA256: setup.data.identity.sha256, hasStopping: config.stopping != nil)
        let trainer = try NetworkTrainer<Network>(restoring: checkpoint, architecture: architecture, options: setup.options,
                                  train: setup.data.train, test: setup.data.test)
        var state = State(trainer: trainer, writer: writer, resumedFrom: checkpoint.epoch,
                          stopping: config.stopping.map { StoppingState($0, evaluation: setup.evaluation) })
        if config.stopping != nil {
            // The rule's history is the file's: a resumed run decides as the uninterrupted one.
            try state.stopping?.replay(StoppingRecord.read(runPath: runPath))
        }
        log("\(config.name): resuming \(runPath) after epoch \(checkpoint.epoch) of \(setup.options.epochs)")
        return state
    }

    /// One epoch: train, measure a snapshot (and the objective), append everything to the run
    /// file in one opening, hand the snapshot to `sink`, and report.
    func trainEpoch<Network>(_ state: inout State<Network>, _ setup: Setup, sink: SnapshotSink) throws {
        let metrics = state.trainer.trainEpoch(afterBatch: { sink.afterBatch() })
        guard metrics.trainLoss.isFinite else {
            throw InfoPlaneError("training diverged at epoch \(metrics.epoch) (loss \(metrics.trainLoss)): lower training.learning_rate; \(runPath) keeps every epoch before it")
        }
        let isSnapshot = setup.schedule.contains(metrics.epoch)
        let activations = isSnapshot
            ? state.trainer.model.recordedActivations(of: setup.evaluation.inputs, batchSize: Self.recordingBatch) : nil
        var recorded: (measurement: ObjectiveMeasurement, row: StoppingRow)?
        if let activations { recorded = try state.stopping?.record(epoch: metrics.epoch, activations: activations) }
        try state.writer.appendEpoch(metrics: metrics, snapshot: activations, stopping: recorded?.row,
                                     checkpoint: state.trainer.checkpoint())
        if let activations { try sink.snapshot(epoch: metrics.epoch, activations: activations) }
        FaultInjection.epochFinished(metrics.epoch)
        state.last = metrics
        logEpoch(metrics, setup, snapshot: isSnapshot)
        if let measurement = recorded?.measurement, let stopping = state.stopping { logObjective(measurement, stopping) }
    }

    /// The closing lines and the summary.
    func finish<Network>(_ setup: Setup, _ state: State<Network>) throws -> Summary {
        let stopped = state.stopping?.stoppedEpoch
        if let resumedFrom = state.resumedFrom, resumedFrom == state.trainer.epochsCompleted {
            log("\(config.name): \(runPath) is already complete (\(resumedFrom) epochs\(stopped != nil ? ", stopped by the rule" : ""))")
        }
        let epochs = setup.options.epochs
        if let best = state.stopping?.rule.bestEpoch {
            log("stopping: " + (stopped.map { "stopped after epoch \($0) of \(epochs)" } ?? "the rule did not fire in \(epochs) epochs")
                + "; chosen epoch \(best) (the best objective)")
        }
        return Summary(runPath: runPath, epochsTrained: state.trainer.epochsCompleted - (state.resumedFrom ?? 0),
                       resumedFrom: state.resumedFrom, final: state.last, snapshots: try RunFile.snapshotEpochs(path: runPath),
                       stoppedEpoch: stopped, chosenEpoch: state.stopping?.rule.bestEpoch)
    }

    // MARK: - Progress lines

    func logStart(_ setup: Setup) {
        log("\(config.name): \(setup.data.identity.name) \(setup.data.train.count) train / \(setup.evaluation.count) evaluation samples, "
            + "\(setup.network.summary), \(config.training.optimizer.rawValue) lr \(config.training.learningRate), "
            + "\(setup.options.epochs) epochs, snapshots at \(setup.schedule.count) epochs → \(runPath)")
    }

    func logEpoch(_ metrics: EpochMetrics, _ setup: Setup, snapshot: Bool) {
        // Regression has no accuracy (NaN), so its line shows the losses only.
        let accuracy = metrics.testAccuracy.isNaN ? ""
            : String(format: "  accuracy %.2f%% (test %.2f%%)", 100 * metrics.trainAccuracy, 100 * metrics.testAccuracy)
        log(String(format: "epoch %d/%d  loss %.4f (test %.4f)%@  %.1f s%@",
                   metrics.epoch, setup.options.epochs, metrics.trainLoss, metrics.testLoss, accuracy, metrics.seconds,
                   snapshot ? "  snapshot saved" : ""))
    }

    /// One progress line per snapshot: the objective, its parts, and the rule's decision.
    func logObjective(_ m: ObjectiveMeasurement, _ stopping: StoppingState) {
        let rule = stopping.rule
        log(String(format: "stopping: epoch %d  J = %.4f = S1(T;Y) %.4f − %g × S1(X;T) %.4f nats  best at epoch %d  → %@",
                   m.epoch, m.objective, m.labelInformation.mean, stopping.objective.settings.beta, m.inputInformation.mean,
                   rule.bestEpoch ?? m.epoch,
                   stopping.stoppedEpoch != nil ? "stop (no gain over \(rule.tolerance) nats in \(rule.window) snapshots)" : "continue"))
    }
}
