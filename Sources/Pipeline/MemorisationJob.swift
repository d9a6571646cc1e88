import Analysis
import Cluster
import Files
import Foundation
import Support

/// `infoplane memorisation`: rank 0 checks the request and announces the plan (or the error that
/// stops everyone); every rank reads the run file and computes items i ≡ rank (mod P); rank 0
/// gathers the values, writes the outputs and returns the summary. Each item's values depend
/// only on the plan, so the files are bit-identical for any P and any thread count.
public enum MemorisationJob {
    /// Runs on every rank; returns rank 0's summary (nil elsewhere).
    public static func run(_ request: MemorisationRequest, comm: Communicator) throws -> String? {
        let plan = try RankZero.decide(comm) { try MemorisationPlan.prepare(request) }
        let log = ProgressLog(quiet: request.quiet || comm.rank != 0)
        let threads = request.threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / comm.size)
        log("memorisation: \(plan.header.runPath): \(plan.header.layers.count) layers × \(plan.header.epochs.count) snapshots, \(plan.header.settings.slices) slices "
            + "(k = \(plan.header.settings.k), seed \(plan.header.settings.seed), \(plan.curves.count) curves) on \(comm.size) rank(s) → \(plan.outPath)")
        return try GatheredJob.run(comm: comm) {
            try plan.compute(plan.items(ofRank: comm.rank, ranks: comm.size), threads: threads, log: log)
        } finish: { gathered in
            let results = try plan.results(from: gathered)
            try MemorisationFile.write(results, header: plan.header, to: plan.outPath, overwrite: request.force)
            return plan.summary(results)
        }
    }
}
