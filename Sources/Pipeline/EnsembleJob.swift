import Analysis
import Cluster
import Config
import Files
import Foundation
import Support
import Training

/// `infoplane run` of a config with `replicas: R > 1`: R copies of the network, trained from
/// seeds `seed + r` on the same data, each measured like a single run; then the pooled
/// activations (see ``EnsemblePool``) are measured with every rank, and `ensemble.csv`
/// summarises the pooled values against the copies' mean and spread.
///
/// The P ranks split into G = min(P, R) groups (rank mod G); group g runs copies g, g + G, …
/// one after another, each with the ordinary `run` pipeline on the group's ranks. Every value
/// is the same for any P: a copy's plane does not depend on how many ranks computed it, and the
/// pool depends only on the copies' activations.
///
/// ```
/// runs/<name>/replica-<r>/run.h5, plane.h5, plane.csv    each copy
/// runs/<name>/pooled/run.h5, plane.h5, plane.csv         the pool (run-file schema)
/// runs/<name>/ensemble.csv                               per layer and epoch: pooled and copies
/// ```
public enum EnsembleJob {
    /// Runs the ensemble on every rank (each holds the config). Returns rank 0's summary.
    public static func run(config: ExperimentConfig, directory: RunDirectory, resume: Bool, force: Bool, quiet: Bool,
                           comm: Communicator) throws -> String? {
        let replicas = config.replicas
        let groups = min(comm.size, replicas)
        // Existing outputs and bad input (data, memory, labels: the same for every copy) are
        // refused once, by rank 0, before any group starts (otherwise every group would report
        // its own copy) and before the first progress line.
        _ = try RankZero.decide(comm) {
            let refused = try refuseExisting(directory, replicas: replicas, resume: resume, force: force)
            try TrainingSession(config: config.copy(0), directory: directory.copy(0).path, log: ProgressLog(quiet: true))
                .check(analysis: config.analysis)
            return refused
        }
        ProgressLog(quiet: quiet || comm.rank != 0)(
            "ensemble: \(replicas) copies of \(config.name) (seeds \(config.seed)…\(config.seed &+ UInt64(replicas - 1))) in \(groups) group(s) of ranks → \(directory.path)")
        try trainCopies(config, in: directory, groups: groups, resume: resume, force: force, quiet: quiet, comm: comm)
        _ = try RankZero.decide(comm) { try writePool(config, in: directory, resume: resume, quiet: quiet) }
        var request = AnalyzeRequest(runPath: directory.pooled.runFile)
        request.resume = resume
        request.force = force || !resume
        request.quiet = quiet
        _ = try AnalyzeJob.run(request, comm: comm)
        guard comm.rank == 0 else { return nil }
        do {
            try EnsembleSummary.write(copies: (0..<replicas).map { directory.copy($0).planeFile }, pooled: directory.pooled.planeFile,
                                      to: directory.ensembleSummary)
        } catch {
            RankZero.report(error)
            throw ReportedFailure()
        }
        return "\(directory.path): \(replicas) copies (replica-0 … replica-\(replicas - 1)), pooled plane \(directory.pooled.path)/plane.h5, summary \(directory.ensembleSummary)"
    }

    /// Without `--resume` or `--force`, any copy's or the pool's run file is an error.
    private static func refuseExisting(_ directory: RunDirectory, replicas: Int, resume: Bool, force: Bool) throws -> Bool {
        guard !resume, !force else { return true }
        let outputs = (0..<replicas).map { directory.copy($0).runFile } + [directory.pooled.runFile]
        if let existing = outputs.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw InfoPlaneError("\(existing) already holds a run of this ensemble: pass --resume to continue it, --force to replace it, or --out to write elsewhere")
        }
        return true
    }

    /// Stage 1: the copies, group by group. A group whose copy failed has reported why (its
    /// rank 0 printed the error); every rank then learns it from the verdict.
    private static func trainCopies(_ config: ExperimentConfig, in directory: RunDirectory, groups: Int, resume: Bool, force: Bool,
                                    quiet: Bool, comm: Communicator) throws {
        let color = comm.rank % groups
        let group = try comm.split(color: color, key: comm.rank)
        var failed = false
        for r in stride(from: color, to: config.replicas, by: groups) {
            do {
                _ = try RunJob.trainAndAnalyse(config.copy(r), in: directory.copy(r), resume: resume, force: force, quiet: quiet,
                                               comm: group, label: "copy \(r): ")
            } catch is ReportedFailure {
                failed = true
                break
            }
            // Any other error (a failed MPI call, a rank's own error) leaves the process, as in a
            // single run: mpirun then ends the job, whereas waiting for the others' verdict could
            // hang, since this rank's group leader may be waiting for this rank's results.
        }
        group.finalize()
        try agree(!failed, comm: comm)
    }

    /// Stage 2 (rank 0): the pooled run file. A resumed ensemble rewrites it only when it is
    /// missing (its rows are fixed by the copies, which are complete by now).
    private static func writePool(_ config: ExperimentConfig, in directory: RunDirectory, resume: Bool, quiet: Bool) throws -> Bool {
        let pooled = directory.pooled
        try FileManager.default.createDirectory(atPath: pooled.path, withIntermediateDirectories: true)
        if !(resume && FileManager.default.fileExists(atPath: pooled.runFile)) {
            try EnsemblePool.write(copies: (0..<config.replicas).map { directory.copy($0).runFile }, to: pooled.runFile,
                                   configText: config.canonicalText, overwrite: true)
        }
        ProgressLog(quiet: quiet)("ensemble: pooled \(config.replicas) copies → \(pooled.runFile)")
        return true
    }

    /// Every rank says whether its part succeeded; all continue only if all did (otherwise all
    /// throw ``ReportedFailure``: the rank that failed has printed why).
    static func agree(_ ok: Bool, comm: Communicator) throws {
        let statuses = try comm.gather([Int32(ok ? 0 : 1)], root: 0)
        var verdict: [Int32] = comm.rank == 0 ? [statuses!.contains { $0 != [0] } ? 1 : 0] : []
        try comm.broadcast(&verdict, root: 0)
        if verdict != [0] { throw ReportedFailure() }
    }
}
