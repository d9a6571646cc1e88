import Config
import Estimators
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
        /// The training labels' noise (`dataset.label_noise`), recorded in the run file.
        var labelNoise: NoisyLabels?
    }

    /// Evaluation samples pushed through the network at a time when a snapshot is recorded:
    /// memory beyond the recorded outputs is one such chunk's layer outputs.
    static let recordingBatch = 1000

    /// A session in progress, training an ``MLP`` or a ``SequentialNetwork``.
    struct State<Network: TrainableNetwork> {
        var trainer: NetworkTrainer<Network>
        /// The run file's writer, on a thread of its own.
        var queue: RunWriterQueue
        /// The checkpoint epoch a resume continued from.
        var resumedFrom: Int?
        /// Set when the resume trains the run further than its stored config said.
        var extended: RunExtension?
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
        let (data, evaluation, labelNoise) = try config.trainingData(DatasetCatalog.load(config.datasetSpec))
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
        return Setup(data: data, evaluation: evaluation, network: network, options: options, schedule: schedule, labelNoise: labelNoise)
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
                                   layerNames: setup.network.layerNames, labelNoise: setup.labelNoise)
        let writer = try RunFileWriter.create(in: directory, overwrite: overwrite, header: header, stopping: config.stopping,
                                              initialSnapshot: initialActivations, initialProjections: initialActivations.flatMap { config.snapshotProjection?($0) },
                                              initialStopping: row, checkpoint: trainer.checkpoint())
        var state = State(trainer: trainer, queue: RunWriterQueue(writer: writer), stopping: stopping)
        state.initialActivations = initialActivations
        state.initialMeasurement = initialMeasurement
        return state
    }

    /// The run on disk at its newest checkpoint (the index's last epoch), with the stopping
    /// rule's history.
    func resumeRun<Network>(_ architecture: Network.Architecture, _ setup: Setup) throws -> State<Network> {
        let extended = try RunExtension.of(stored: RunFileWriter.storedConfig(in: directory), config: config, path: runPath)
        let (writer, checkpoint) = try RunFileWriter.resume(in: directory, canonicalText: extended?.storedConfigText ?? config.canonicalText,
                                                            datasetSHA256: setup.data.identity.sha256, hasStopping: config.stopping != nil)
        // The new config goes into the next published index, after the epoch it allows.
        if let extended { writer.adoptConfig(extended.configText) }
        try refuseOtherProjections()
        let trainer = try NetworkTrainer<Network>(restoring: checkpoint, architecture: architecture, options: setup.options,
                                  train: setup.data.train, test: setup.data.test)
        var state = State(trainer: trainer, queue: RunWriterQueue(writer: writer), resumedFrom: checkpoint.epoch,
                          stopping: config.stopping.map { StoppingState($0, evaluation: setup.evaluation) })
        state.extended = extended
        if config.stopping != nil {
            // The rule's history is the file's: a resumed run decides as the uninterrupted one.
            try state.stopping?.replay(StoppingRecord.read(runPath: runPath))
        }
        log("\(config.name): resuming \(runPath) after epoch \(checkpoint.epoch) of \(setup.options.epochs)"
            + (extended.map { " (training.epochs raised from \($0.storedEpochs))" } ?? ""))
        return state
    }

    /// One epoch: train, measure a snapshot (and the objective), hand everything to the run
    /// file's writer thread (after the previous epoch is on disk), pass each snapshot to `sink`
    /// once it is on disk, and report.
    func trainEpoch<Network>(_ state: inout State<Network>, _ setup: Setup, sink: SnapshotSink) throws {
        let queue = state.queue
        var delivery: Error?
        let metrics = state.trainer.trainEpoch(afterBatch: {
            sink.afterBatch()
            // The previous epoch's snapshot reaches the analysis as soon as it is on disk.
            guard delivery == nil else { return }
            do { try delivered(queue.poll(), to: sink) } catch { delivery = error }
        })
        if let delivery { throw delivery }
        guard metrics.trainLoss.isFinite else {
            throw InfoPlaneError("training diverged at epoch \(metrics.epoch) (loss \(metrics.trainLoss)): lower training.learning_rate; \(runPath) keeps every epoch before it")
        }
        let isSnapshot = setup.schedule.contains(metrics.epoch)
        let clock = ContinuousClock(), forwardStart = clock.now
        let activations = isSnapshot
            ? state.trainer.model.recordedActivations(of: setup.evaluation.inputs, batchSize: Self.recordingBatch) : nil
        let forward = Self.seconds(clock.now - forwardStart)
        var recorded: (measurement: ObjectiveMeasurement, row: StoppingRow)?
        if let activations { recorded = try state.stopping?.record(epoch: metrics.epoch, activations: activations) }
        try delivered(queue.submit(RunWriterQueue.Epoch(metrics: metrics, activations: activations, project: config.snapshotProjection,
                                                        stopping: recorded?.row, checkpoint: state.trainer.checkpoint(),
                                                        forwardSeconds: isSnapshot ? forward : nil)), to: sink)
        state.last = metrics
        logEpoch(metrics, setup, snapshot: isSnapshot)
        if let measurement = recorded?.measurement, let stopping = state.stopping { logObjective(measurement, stopping) }
    }

    /// Hands an epoch now on disk to `sink` (its snapshot, if it has one), with a line on the
    /// write of a conv-scale snapshot (≥ 64 MiB: how long rank 0's writer thread took).
    func delivered(_ written: RunWriterQueue.Written?, to sink: SnapshotSink) throws {
        guard let written, let activations = written.activations else { return }
        if written.bytes >= 64 << 20 {
            log(String(format: "epoch %d: snapshot of %.0f MB written in %.1f s (writer thread %.1f s CPU%@)", written.epoch,
                       Double(written.bytes) / 1e6, written.seconds, written.cpuSeconds,
                       written.forwardSeconds.map { String(format: "; forward pass %.1f s", $0) } ?? ""))
        }
        try sink.snapshot(epoch: written.epoch, activations: activations)
    }

    /// Seconds of a duration.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// The closing lines and the summary.
    func finish<Network>(_ setup: Setup, _ state: State<Network>) throws -> Summary {
        let stopped = state.stopping?.stoppedEpoch
        // An extended run that trained no epoch (the rule had stopped it) still stores its new config.
        if state.extended != nil, state.resumedFrom == state.trainer.epochsCompleted { try state.queue.publishIndex() }
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
        if let note = BLASKernels.note { log(note) }
    }

    func logEpoch(_ metrics: EpochMetrics, _ setup: Setup, snapshot: Bool) {
        // Regression has no accuracy (NaN), so its line shows the losses only.
        let accuracy = metrics.testAccuracy.isNaN ? ""
            : String(format: "  accuracy %.2f%% (test %.2f%%)", 100 * metrics.trainAccuracy, 100 * metrics.testAccuracy)
        log(String(format: "epoch %d/%d  loss %.4f (test %.4f)%@  %.1f s%@",
                   metrics.epoch, setup.options.epochs, metrics.trainLoss, metrics.testLoss, accuracy, metrics.seconds,
                   snapshot ? "  snapshot recorded" : ""))
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
