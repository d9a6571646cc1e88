import Analysis
import Cluster
import Config
import Training
import Foundation
import Files
import Support

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
    /// Directory of copy `r` of the ensemble in `directory`.
    public static func copyDirectory(_ directory: String, _ r: Int) -> String {
        (directory as NSString).appendingPathComponent("replica-\(r)")
    }

    /// Directory of the pooled run and its plane.
    public static func pooledDirectory(_ directory: String) -> String {
        (directory as NSString).appendingPathComponent("pooled")
    }

    /// Runs the ensemble on every rank (each holds the parsed config). Returns rank 0's summary.
    public static func run(config: ExperimentConfig, directory: String, resume: Bool, force: Bool, quiet: Bool,
                           comm: Communicator) throws -> String? {
        let replicas = config.replicas
        let groups = min(comm.size, replicas)
        let color = comm.rank % groups
        let log = ProgressLog(quiet: quiet || comm.rank != 0)
        log("ensemble: \(replicas) copies of \(config.name) (seeds \(config.seed)…\(config.seed &+ UInt64(replicas - 1))) in \(groups) group(s) of ranks → \(directory)")

        // Existing outputs are refused once, by rank 0, before any group starts (otherwise
        // every group would report its own copy).
        var refusal: String?
        if comm.rank == 0, !resume, !force {
            let outputs = (0..<replicas).map { (copyDirectory(directory, $0) as NSString).appendingPathComponent("run.h5") }
                + [(pooledDirectory(directory) as NSString).appendingPathComponent("run.h5")]
            if let existing = outputs.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                refusal = "\(existing) already holds a run of this ensemble: pass --resume to continue it, --force to replace it, or --out to write elsewhere"
                PipelineJob.report(InfoPlaneError(refusal!))
            }
        }
        try agree(refusal == nil, comm: comm)

        // Stage 1: the copies, group by group. A group whose copy failed has reported why (its
        // rank 0 printed the error); every rank then learns it from the verdict below.
        let group = try comm.split(color: color, key: comm.rank)
        var failed = false
        for r in stride(from: color, to: replicas, by: groups) {
            do {
                _ = try PipelineJob.run(config: group.rank == 0 ? config.copy(r) : nil, directory: copyDirectory(directory, r),
                                        resume: resume, force: force, quiet: quiet, comm: group, label: "copy \(r): ")
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

        // Stage 2: the pool, written by rank 0 and measured by all.
        let pooled = pooledDirectory(directory)
        let pooledRun = (pooled as NSString).appendingPathComponent("run.h5")
        var poolError: String?
        if comm.rank == 0 {
            do {
                try FileManager.default.createDirectory(atPath: pooled, withIntermediateDirectories: true)
                let copies = (0..<replicas).map { (copyDirectory(directory, $0) as NSString).appendingPathComponent("run.h5") }
                // A resumed ensemble rewrites the pool only when it is missing (its rows are
                // fixed by the copies, which are complete by now).
                if !(resume && FileManager.default.fileExists(atPath: pooledRun)) {
                    try EnsemblePool.write(copies: copies, to: pooledRun, configText: config.canonicalText, overwrite: true)
                }
                log("ensemble: pooled \(replicas) copies → \(pooledRun)")
            } catch {
                PipelineJob.report(error)
                poolError = "\(error)"
            }
        }
        try agree(poolError == nil, comm: comm)
        var request = AnalyzeRequest(runPath: pooledRun)
        request.resume = resume
        request.force = force || !resume
        request.quiet = quiet
        _ = try PipelineJob.analyze(request, comm: comm)

        guard comm.rank == 0 else { return nil }
        let summary = (directory as NSString).appendingPathComponent("ensemble.csv")
        do {
            try EnsembleSummary.write(copies: (0..<replicas).map { (copyDirectory(directory, $0) as NSString).appendingPathComponent("plane.h5") },
                                      pooled: (pooled as NSString).appendingPathComponent("plane.h5"), to: summary)
        } catch {
            PipelineJob.report(error)
            throw ReportedFailure()
        }
        return "\(directory): \(replicas) copies (replica-0 … replica-\(replicas - 1)), pooled plane \(pooled)/plane.h5, summary \(summary)"
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
