import Cluster
import Config
import Estimators
import Experiment
import Files
import Foundation
import Learning
import Storage
import Support

/// What `infoplane analyze` was asked for; nil fields take the run's config (or the defaults).
public struct AnalyzeRequest: Sendable {
    public var runPath: String
    /// The plane file; nil: `plane.h5` beside the run file.
    public var out: String?
    public var slices: Int?
    public var k: Int?
    public var seed: UInt64?
    public var labelEstimator: LabelEstimator?
    public var shuffleBaseline: Bool?
    public var layers: [Int]?
    public var epochs: [Int]?
    public var resume = false
    public var force = false
    public var quiet = false

    public init(runPath: String) { self.runPath = runPath }
}

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
        let prepared: (plan: AnalysisPlan, source: RunFileReader, collector: PlaneCollector, inputs: [Float], targets: EvaluationTargets)
        do {
            prepared = try prepareAnalysis(request, ranks: comm.size, log: log)
        } catch {
            report(error)
            try? broadcastStart(Start(error: "\(error)"), comm: comm)
            throw ReportedFailure()
        }
        let (plan, source, collector, inputs, targets) = prepared
        try broadcastStart(Start(plan: plan), comm: comm)
        var x = inputs
        try comm.broadcast(&x, root: 0)
        _ = try EvaluationTargets.broadcast(targets, plan: plan, comm: comm)
        let progress = AnalysisProgress(log: log)
        log("analyze: \(source.path): \(plan.layers.count) layers × \(plan.epochs.count) snapshots × \(plan.settings.slices) slices "
            + "(k = \(plan.settings.k), seed \(plan.settings.seed)), \(plan.itemCount - collector.completedItems) of \(plan.itemCount) items to do on \(comm.size) rank(s) → \(collector.planePath)")
        let coordinator = Coordinator(comm: comm, plan: plan, collector: collector, source: ActivationCache(reader: source), progress: progress) {
            SliceWorker(plan: plan, inputs: inputs, targets: targets)
        }
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
        var coordinator: Coordinator?
        var collector: PlaneCollector?
        var source: ActivationCache?
        var started = false
        var hooks = TrainingSession.Hooks()
        hooks.started = { evaluation, widths, schedule in
            let runPath = RunDirectory(directory).runFile
            let runSource = try RunFileReader(path: runPath)
            let targets: EvaluationTargets = evaluation.targets.map { .continuous($0.storage.map(Double.init), width: $0.columns) } ?? .labels(evaluation.labels)
            let plan = AnalysisPlan(settings: config.analysis, epochs: schedule, layers: Array(1...widths.count),
                                    widths: widths, samples: evaluation.count, features: evaluation.features,
                                    source: sourceDigest(configText: runSource.configText, dataset: runSource.datasetChecksum),
                                    targetWidth: targets.width)
            try checkRanks(comm.size, plan: plan)
            if let y = evaluation.targets {
                guard y.storage.contains(where: { $0 != y.storage[0] }) else {
                    throw InfoPlaneError("the evaluation targets are all equal: S1(T;Y) is 0 by definition; use a larger dataset.evaluation_size")
                }
            } else if Set(evaluation.labels).count < 2 {
                throw InfoPlaneError("the evaluation set holds a single class: S1(T;Y) is 0 by definition; use a larger dataset.evaluation_size")
            }
            let planePath = RunDirectory(directory).planeFile
            let planeCollector = try PlaneCollector(plan: plan, planePath: planePath, runPath: runPath, resume: resume, force: force)
            try broadcastStart(Start(plan: plan), comm: comm)
            started = true
            var x = evaluation.inputs.storage
            try comm.broadcast(&x, root: 0)
            _ = try EvaluationTargets.broadcast(targets, plan: plan, comm: comm)
            let inputs = evaluation.inputs.storage
            let progress = AnalysisProgress(log: log)
            let cache = ActivationCache(reader: runSource)
            let c = Coordinator(comm: comm, plan: plan, collector: planeCollector, source: cache, progress: progress) {
                SliceWorker(plan: plan, inputs: inputs, targets: targets)
            }
            // Snapshots already on disk (a resumed run) can be analysed at once.
            for (e, epoch) in plan.epochs.enumerated() where runSource.epochs.contains(epoch) { try c.snapshotAvailable(e) }
            log("analysis: \(plan.layers.count) layers × \(plan.epochs.count) snapshots × \(plan.settings.slices) slices (k = \(plan.settings.k), seed \(plan.settings.seed)) on \(comm.size) rank(s) → \(planePath)")
            coordinator = c
            collector = planeCollector
            source = cache
        }
        hooks.afterBatch = { coordinator?.serviceQuietly() }
        hooks.snapshot = { epoch, activations in
            guard let c = coordinator, let source, let e = c.plan.epochs.firstIndex(of: epoch) else { return }
            for (index, layer) in activations.enumerated() {
                try RunFileReader.checkFinite(layer.storage, what: "layer \(index + 1) at epoch \(epoch)")
                source.remember(epoch: epoch, layer: index + 1, layer.storage)
            }
            if let failure = c.failure { throw failure }
            try c.snapshotAvailable(e)
        }
        do {
            let session = TrainingSession(config: config, directory: directory, log: log)
            let summary = try session.run(resume: resume, force: force, hooks: hooks)
            guard let coordinator, let collector else { throw InfoPlaneError("training ended before the analysis started") }
            if let failure = coordinator.failure { throw failure }
            if let stopped = summary.stoppedEpoch {
                try coordinator.truncate(toEpochs: coordinator.plan.epochs.filter { $0 <= stopped }.count)
            }
            try source?.reader.refresh()
            try coordinator.drain()
            coordinator.stopWorkers(failed: false)
            return "\(collector.planePath): \(coordinator.plan.layers.count) layers × \(coordinator.plan.epochs.count) snapshots, \(coordinator.plan.settings.slices) slices (also \(collector.csvPath))"
        } catch {
            report(error)
            if started { coordinator?.stopWorkers(failed: true) } else { try? broadcastStart(Start(error: "\(error)"), comm: comm) }
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
        let worker = SliceWorker(plan: plan, inputs: x, targets: targets)
        x = []
        guard try WorkerLoop.run(comm: comm, worker: worker) else { throw ReportedFailure() }
        return nil
    }

    static func broadcastStart(_ start: Start, comm: Communicator) throws {
        var bytes = [UInt8](try JSONEncoder().encode(start))
        try comm.broadcast(&bytes, root: 0)
    }

    static func checkRanks(_ ranks: Int, plan: AnalysisPlan) throws {
        guard ranks <= max(plan.itemCount, 1) else {
            throw InfoPlaneError("\(ranks) ranks for \(plan.itemCount) work items: ranks beyond that would idle; use at most -np \(plan.itemCount) or more slices")
        }
    }

    /// What the values depend on besides the settings: the run's config and dataset checksum.
    /// (The config's `analysis` section is left out: the plan's settings carry it.)
    static func sourceDigest(configText: String?, dataset: String?) -> String {
        var inAnalysis = false
        let training = (configText ?? "(no config)").split(separator: "\n").filter { line in
            if !line.hasPrefix(" ") { inAnalysis = line == "analysis:" }
            return !inAnalysis
        }
        return SHA256.hex(Array((training.joined(separator: "\n") + "\n" + (dataset ?? "")).utf8))
    }

    private static func prepareAnalysis(_ request: AnalyzeRequest, ranks: Int, log: ProgressLog)
        throws -> (AnalysisPlan, RunFileReader, PlaneCollector, [Float], EvaluationTargets) {
        let source = try openRun(request.runPath, command: "analyze")
        let section = try settings(of: source) { section in
            if let v = request.slices { section.slices = v }
            if let v = request.k { section.k = v }
            if let v = request.seed { section.seed = v }
            if let v = request.labelEstimator { section.labelEstimator = v }
            if let v = request.shuffleBaseline { section.shuffleBaseline = v }
        }

        let evaluation = try source.evaluation()
        guard section.k < evaluation.samples else {
            throw InfoPlaneError("k = \(section.k) needs more samples than neighbours, but the run has \(evaluation.samples): lower --k")
        }
        let (epochs, layers) = try select(source, samples: evaluation.samples, epochs: request.epochs, layers: request.layers)

        let plan = AnalysisPlan(settings: section, epochs: epochs, layers: layers.map(\.layer),
                                widths: layers.map(\.width), samples: evaluation.samples, features: evaluation.features,
                                source: sourceDigest(configText: source.configText, dataset: source.datasetChecksum),
                                targetWidth: evaluation.targets.width)
        try checkRanks(ranks, plan: plan)
        let planePath = request.out ?? RunDirectory.beside(request.runPath, "plane.h5")
        let collector = try PlaneCollector(plan: plan, planePath: planePath, runPath: request.runPath,
                                           resume: request.resume, force: request.force)
        return (plan, source, collector, evaluation.inputs, evaluation.targets)
    }
}

extension PipelineJob {
    /// The run file at `path`, after checking that it exists and is HDF5.
    static func openRun(_ path: String, command: String) throws -> RunFileReader {
        try RunFileReader.open(path, command: command)
    }

    /// The run's analysis settings (its config's `analysis` section; seed 0 for a file without
    /// a config) after `override` applies the command's options, checked.
    static func settings(of source: RunFileReader, override: (inout AnalysisSettings) throws -> Void) throws -> AnalysisSettings {
        var section = try ExperimentConfig.parse(yaml: source.configText ?? "", source: source.path).analysis
        if source.configText == nil { section.seed = 0 }
        try override(&section)
        guard section.slices >= 1 else { throw InfoPlaneError("--slices \(section.slices) is impossible: use at least 1 (1000 is usual)") }
        guard section.k >= 1 else { throw InfoPlaneError("--k \(section.k) is impossible: use at least 1 neighbour (5 is usual)") }
        return section
    }

    /// The snapshot epochs and hidden layers to analyse (all, or those asked for, each checked to
    /// exist), with every selected activation read once so bad data stops the job before any output.
    static func select(_ source: RunFileReader, samples: Int, epochs wantedEpochs: [Int]?, layers wantedLayers: [Int]?)
        throws -> (epochs: [Int], layers: [(layer: Int, width: Int)]) {
        var epochs = source.epochs
        guard !epochs.isEmpty else { throw InfoPlaneError("\(source.path) holds no snapshots: train first, or check /snapshots") }
        if let wanted = wantedEpochs {
            if let missing = wanted.first(where: { !epochs.contains($0) }) {
                throw InfoPlaneError("\(source.path) has no snapshot at epoch \(missing) (it has \(epochs.map(String.init).joined(separator: ", "))): choose from those with --epochs")
            }
            epochs = epochs.filter { wanted.contains($0) }
        }
        var layers = try source.layers(samples: samples, epochs: epochs)
        if let wanted = wantedLayers {
            if let missing = wanted.first(where: { w in !layers.contains { $0.layer == w } }) {
                throw InfoPlaneError("\(source.path) has no layer_\(missing) in every selected snapshot (it has \(layers.map { String($0.layer) }.joined(separator: ", "))): choose from those with --layers")
            }
            layers = layers.filter { wanted.contains($0.layer) }
        }
        guard !layers.isEmpty else { throw InfoPlaneError("\(source.path): no hidden layer is present in every selected snapshot") }
        for epoch in epochs { for layer in layers { _ = try source.activations(epoch: epoch, layer: layer.layer) } }
        return (epochs, layers)
    }
}

/// The job failed and rank 0 has printed why: every rank meets at a barrier (so that line is
/// out before anyone exits), then exits non-zero without printing more.
public struct ReportedFailure: Error {}
