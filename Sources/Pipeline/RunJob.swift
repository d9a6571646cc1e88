import Analysis
import Cluster
import Config
import Files
import Learning
import Support
import Training

/// `infoplane run CONFIG` on every rank: rank 0 reads the config and hands it to all; a config
/// with `replicas > 1` runs the ensemble (``EnsembleJob``), any other one network: rank 0 trains
/// into an ``AnalysisSink`` (writing run.h5 and analysing each snapshot as it appears) while the
/// other ranks compute items.
public enum RunJob {
    /// Runs on every rank; returns rank 0's summary line (nil on other ranks).
    /// - Parameter out: the run directory; nil: `runs/<name>`.
    public static func run(loading load: () throws -> ExperimentConfig, out: String?, resume: Bool, force: Bool, quiet: Bool,
                           comm: Communicator) throws -> String? {
        let config = try RankZero.decide(comm, load)
        let directory = out.map { RunDirectory($0) } ?? RunDirectory(name: config.name)
        if config.replicas > 1 {
            return try EnsembleJob.run(config: config, directory: directory, resume: resume, force: force, quiet: quiet, comm: comm)
        }
        return try trainAndAnalyse(config, in: directory, resume: resume, force: force, quiet: quiet, comm: comm)
    }

    /// One network on the ranks of `comm`: rank 0 trains into the sink; the others serve items.
    /// - Parameter label: put before every progress line (an ensemble's copy).
    static func trainAndAnalyse(_ config: ExperimentConfig, in directory: RunDirectory, resume: Bool, force: Bool, quiet: Bool,
                                comm: Communicator, label: String = "") throws -> String? {
        let nodes = try JobNodes(comm: comm)
        guard comm.rank == 0 else {
            try AnalysisStart.serve(comm: comm, nodes: nodes)
            return nil
        }
        let log = ProgressLog(quiet: quiet, prefix: label)
        let sink = AnalysisSink(comm: comm, nodes: nodes, settings: config.analysis, directory: directory, resume: resume, force: force, log: log)
        do {
            let summary = try TrainingSession(config: config, directory: directory.path, log: log).run(resume: resume, force: force, into: sink)
            return try sink.finish(stoppedEpoch: summary.stoppedEpoch)
        } catch {
            sink.fail(error)
            throw ReportedFailure()
        }
    }
}

/// Rank 0's sink for the trainer's snapshots during `run`: once the run file has its header, it
/// decides the plan and starts the workers; each snapshot, once on disk, makes its items
/// available, and between minibatches the coordinator keeps the workers fed: the other ranks of
/// its node read each published snapshot-layer themselves, and rank 0 reads and sends those of
/// other nodes, so rank 0 holds no activations beyond the trainer's own.
final class AnalysisSink: SnapshotSink {
    private let comm: Communicator
    private let nodes: JobNodes
    private let settings: AnalysisSettings
    private let directory: RunDirectory
    private let resume: Bool, force: Bool
    private let log: ProgressLog
    /// The analysis, once started (the workers then wait for its orders).
    private var coordinator: Coordinator?
    /// The run directory's lock, taken again (training holds it) so that it stays this job's
    /// until the analysis is done, not only while it trains.
    private var lock: OutputLock?

    init(comm: Communicator, nodes: JobNodes, settings: AnalysisSettings, directory: RunDirectory, resume: Bool, force: Bool, log: ProgressLog) {
        self.comm = comm
        self.nodes = nodes
        self.settings = settings
        self.directory = directory
        self.resume = resume
        self.force = force
        self.log = log
    }

    var analysis: AnalysisSettings? { settings }

    func started(_ layout: SnapshotLayout) throws {
        lock = try OutputLock.acquire(directory.runFile)
        let evaluation = layout.evaluation
        let analysis = try PreparedAnalysis.run(in: directory, settings: settings, epochs: layout.epochs, widths: layout.hiddenWidths, layerNames: layout.layerNames,
                                                inputs: evaluation.inputs.storage, features: evaluation.features,
                                                targets: EvaluationTargets(evaluation), resume: resume, force: force, ranks: comm.size,
                                                ranksOnNode: nodes.ranksOnFullestNode,
                                                extending: layout.extended.map { ($0.storedConfigText, $0.configText) },
                                                projected: layout.store == .projections)
        if let note = analysis.plan.idleRanksNote(ranks: comm.size) { StandardError.progress(note + "\n") }
        let coordinator = try AnalysisStart.announce(analysis, rankZeroReads: true, nodes: nodes, comm: comm,
                                                     progress: AnalysisProgress(log: log, ranks: comm.size))
        self.coordinator = coordinator
        let plan = analysis.plan
        // Snapshots already on disk (a resumed run) can be analysed at once.
        for (e, epoch) in plan.epochs.enumerated() where analysis.reader.epochs.contains(epoch) {
            try coordinator.snapshotAvailable(e)
        }
        log("analysis: \(plan.layers.count) layers × \(plan.epochs.count) snapshots × \(plan.settings.slices) slices (k = \(plan.settings.k), seed \(plan.settings.seed)) on \(comm.size) rank(s), \(analysis.memory.summary) → \(analysis.collector.planePath)")
    }

    func afterBatch() { coordinator?.serviceQuietly() }

    func snapshot(epoch: Int, activations: [Matrix]) throws {
        guard let coordinator, let e = coordinator.plan.epochs.firstIndex(of: epoch) else { return }
        for (index, layer) in activations.enumerated() {
            try RunFileReader.checkFinite(layer.storage, what: "layer \(index + 1) at epoch \(epoch)")
        }
        if let failure = coordinator.failure { throw failure }
        try coordinator.snapshotAvailable(e)
    }

    /// Training is over: cut the plan at a stop, compute what is left with every rank, stop the
    /// workers; returns the summary line.
    func finish(stoppedEpoch: Int?) throws -> String {
        guard let coordinator else { throw InfoPlaneError("training ended before the analysis started") }
        if let failure = coordinator.failure { throw failure }
        if let stopped = stoppedEpoch {
            try coordinator.truncate(toEpochs: coordinator.plan.epochs.filter { $0 <= stopped }.count)
        }
        try coordinator.drain()
        try AnalysisStart.finish(coordinator)
        return coordinator.summaryLine
    }

    /// Training or the analysis failed: print `error`, and stop the workers (or, before they
    /// started, tell them not to).
    func fail(_ error: Error) {
        if let coordinator {
            RankZero.report(error)
            coordinator.stopWorkers(failed: true)
        } else {
            AnalysisStart.fail(error, comm: comm)
        }
    }
}
