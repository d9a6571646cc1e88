import Cluster
import Config
import Estimators
import Analysis
import Files
import Foundation
import Learning
import Support
import Training

/// The job every rank starts: rank 0 prepares and broadcasts the plan (or the error that stops
/// everyone), then the roles run: rank 0 coordinates and collects (and trains, for `run`),
/// the other ranks compute items.
public enum PipelineJob {
    /// The start message: the plan, or the one-line error every rank exits with.
    struct Start: Codable {
        var plan: AnalysisPlan?
        var error: String?
    }

    /// `infoplane analyze`. Returns rank 0's summary line (nil on other ranks).
    public static func analyze(_ request: AnalyzeRequest, comm: Communicator) throws -> String? {
        guard comm.rank == 0 else { return try workerRank(comm) }
        let log = ProgressLog(quiet: request.quiet)
        let prepared: PreparedAnalysis
        do {
            prepared = try PreparedAnalysis.analyze(request, ranks: comm.size)
        } catch {
            report(error)
            try? broadcastStart(Start(error: "\(error)"), comm: comm)
            throw ReportedFailure()
        }
        let plan = prepared.plan, collector = prepared.collector
        try broadcastStart(Start(plan: plan), comm: comm)
        var x = prepared.inputs
        try comm.broadcast(&x, root: 0)
        _ = try EvaluationTargets.broadcast(prepared.targets, plan: plan, comm: comm)
        let progress = AnalysisProgress(log: log)
        log("analyze: \(prepared.activations.reader.path): \(plan.layers.count) layers × \(plan.epochs.count) snapshots × \(plan.settings.slices) slices "
            + "(k = \(plan.settings.k), seed \(plan.settings.seed)), \(plan.itemCount - collector.completedItems) of \(plan.itemCount) items to do on \(comm.size) rank(s) → \(collector.planePath)")
        let coordinator = Coordinator(comm: comm, plan: plan, collector: collector, source: prepared.activations, progress: progress,
                                      makeLocalWorker: prepared.makeWorker)
        do {
            for e in plan.epochs.indices { try coordinator.snapshotAvailable(e) }
            try coordinator.drain()
        } catch {
            report(error)
            coordinator.stopWorkers(failed: true)
            throw ReportedFailure()
        }
        coordinator.stopWorkers(failed: false)
        return "\(collector.planePath): \(plan.layers.count) layers × \(plan.epochs.count) snapshots, \(plan.settings.slices) slices (also \(collector.csvPath))"
    }

    /// `infoplane run CONFIG` on every rank: rank 0 loads the config (a bad one is reported
    /// and ends every rank) and shares it; a config with `replicas > 1` runs the ensemble
    /// (``EnsembleJob``), any other the single pipeline below.
    /// - Parameter out: the run directory; nil: `runs/<name>`.
    public static func run(loading load: () throws -> ExperimentConfig, out: String?, resume: Bool, force: Bool, quiet: Bool,
                           comm: Communicator) throws -> String? {
        var config: ExperimentConfig?
        var text: [UInt8] = []
        if comm.rank == 0 {
            do {
                config = try load()
                text = Array(config!.canonicalText.utf8)
            } catch {
                report(error)
            }
        }
        try comm.broadcast(&text, root: 0)
        guard !text.isEmpty else { throw ReportedFailure() }
        if config == nil {
            config = try ExperimentConfig.parse(yaml: String(decoding: text, as: UTF8.self), source: "the config rank 0 sent")
        }
        guard let config else { throw ReportedFailure() }
        let directory = out ?? "runs/\(config.name)"
        if config.replicas > 1 {
            return try EnsembleJob.run(config: config, directory: directory, resume: resume, force: force, quiet: quiet, comm: comm)
        }
        return try run(config: comm.rank == 0 ? config : nil, directory: directory, resume: resume, force: force, quiet: quiet, comm: comm)
    }

    /// `infoplane run`: rank 0 trains (writing run.h5) and analyses each snapshot as it appears.
    /// - Parameters:
    ///   - config: the config on rank 0 (other ranks pass nil).
    ///   - label: put before every progress line (an ensemble's copy).
    public static func run(config: ExperimentConfig?, directory: String, resume: Bool, force: Bool, quiet: Bool,
                           comm: Communicator, label: String = "") throws -> String? {
        guard comm.rank == 0, let config else { return try workerRank(comm) }
        let log = ProgressLog(quiet: quiet, prefix: label)
        let sink = AnalysisSink(comm: comm, config: config, directory: RunDirectory(directory), resume: resume, force: force, log: log)
        do {
            let session = TrainingSession(config: config, directory: directory, log: log)
            let summary = try session.run(resume: resume, force: force, into: sink)
            guard let coordinator = sink.coordinator else { throw InfoPlaneError("training ended before the analysis started") }
            let collector = coordinator.collector
            if let failure = coordinator.failure { throw failure }
            if let stopped = summary.stoppedEpoch {
                try coordinator.truncate(toEpochs: coordinator.plan.epochs.filter { $0 <= stopped }.count)
            }
            try coordinator.source.reader.refresh()
            try coordinator.drain()
            coordinator.stopWorkers(failed: false)
            return "\(collector.planePath): \(coordinator.plan.layers.count) layers × \(coordinator.plan.epochs.count) snapshots, \(coordinator.plan.settings.slices) slices (also \(collector.csvPath))"
        } catch {
            report(error)
            if let coordinator = sink.coordinator { coordinator.stopWorkers(failed: true) } else { try? broadcastStart(Start(error: "\(error)"), comm: comm) }
            throw ReportedFailure()
        }
    }

    // MARK: - Roles and start-up

    /// Rank 0 prints a failure before telling the others, so the line is out before any rank
    /// exits (mpirun tears the job down at the first non-zero exit).
    static func report(_ error: Error) {
        FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    }

    /// A worker rank: wait for the start, receive the evaluation set (inputs, then labels or
    /// targets as the plan says), then compute items until
    /// told to stop. Throws ``ReportedFailure`` when the job failed (rank 0 reported why).
    static func workerRank(_ comm: Communicator) throws -> String? {
        var bytes: [UInt8] = []
        try comm.broadcast(&bytes, root: 0)
        guard let start = try? JSONDecoder().decode(Start.self, from: Data(bytes)) else {
            throw InfoPlaneError("rank \(comm.rank): rank 0 sent a malformed start message: all ranks must run the same infoplane build")
        }
        guard let plan = start.plan else { throw ReportedFailure() }
        var x: [Float] = []
        try comm.broadcast(&x, root: 0)
        let targets = try EvaluationTargets.broadcast(nil, plan: plan, comm: comm)
        let worker = SliceWorker(settings: plan.settings, inputs: x, features: plan.features, targets: targets)
        x = []
        guard try WorkerLoop.run(comm: comm, plan: plan, worker: worker) else { throw ReportedFailure() }
        return nil
    }

    static func broadcastStart(_ start: Start, comm: Communicator) throws {
        var bytes = [UInt8](try JSONEncoder().encode(start))
        try comm.broadcast(&bytes, root: 0)
    }
}

/// The job failed and rank 0 has printed why: every rank meets at a barrier (so that line is
/// out before anyone exits), then exits non-zero without printing more.
public struct ReportedFailure: Error {}

/// Rank 0's sink for the trainer's snapshots during `run`: once the run file has its header it
/// decides the plan and starts the workers; each snapshot is then handed to the coordinator.
final class AnalysisSink: SnapshotSink {
    let comm: Communicator
    let config: ExperimentConfig
    let directory: RunDirectory
    let resume: Bool, force: Bool
    let log: ProgressLog
    /// The analysis, once started.
    private(set) var coordinator: Coordinator?

    init(comm: Communicator, config: ExperimentConfig, directory: RunDirectory, resume: Bool, force: Bool, log: ProgressLog) {
        self.comm = comm
        self.config = config
        self.directory = directory
        self.resume = resume
        self.force = force
        self.log = log
    }

    func started(_ layout: SnapshotLayout) throws {
        let evaluation = layout.evaluation
        let targets = EvaluationTargets(evaluation)
        let prepared = try PreparedAnalysis.run(in: directory, settings: config.analysis, epochs: layout.epochs, widths: layout.hiddenWidths,
                                                inputs: evaluation.inputs.storage, features: evaluation.features, targets: targets,
                                                resume: resume, force: force, ranks: comm.size)
        let plan = prepared.plan
        try PipelineJob.broadcastStart(PipelineJob.Start(plan: plan), comm: comm)
        var x = prepared.inputs
        try comm.broadcast(&x, root: 0)
        _ = try EvaluationTargets.broadcast(targets, plan: plan, comm: comm)
        let c = Coordinator(comm: comm, plan: plan, collector: prepared.collector, source: prepared.activations,
                            progress: AnalysisProgress(log: log), makeLocalWorker: prepared.makeWorker)
        coordinator = c
        // Snapshots already on disk (a resumed run) can be analysed at once.
        for (e, epoch) in plan.epochs.enumerated() where prepared.activations.reader.epochs.contains(epoch) { try c.snapshotAvailable(e) }
        log("analysis: \(plan.layers.count) layers × \(plan.epochs.count) snapshots × \(plan.settings.slices) slices (k = \(plan.settings.k), seed \(plan.settings.seed)) on \(comm.size) rank(s) → \(prepared.collector.planePath)")
    }

    func afterBatch() { coordinator?.serviceQuietly() }

    func snapshot(epoch: Int, activations: [Matrix]) throws {
        guard let c = coordinator, let e = c.plan.epochs.firstIndex(of: epoch) else { return }
        for (index, layer) in activations.enumerated() {
            try RunFileReader.checkFinite(layer.storage, what: "layer \(index + 1) at epoch \(epoch)")
            c.source.remember(epoch: epoch, layer: index + 1, layer.storage)
        }
        if let failure = c.failure { throw failure }
        try c.snapshotAvailable(e)
    }
}
