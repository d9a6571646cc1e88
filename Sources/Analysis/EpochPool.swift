import Files
import Foundation
import Support

/// The run "as if random" over epochs (`analyze --pool-epochs W`): at each snapshot j from the
/// W-th on, evaluation sample `i`'s activations are taken from snapshot j − W + 1 + (i mod W) of
/// the W consecutive snapshots ending at j, and the point is plotted at j's epoch (the last of
/// its window). The weights of those W snapshots act as W draws of a random network, as the
/// copies of an ensemble do (``EnsemblePool``, whose row rule this reuses): stacking all n·W rows
/// would repeat every input W times, atoms in X that KSG's marginal counts cannot handle.
///
/// The pooled file has the run-file schema (``PooledRunFile``), with one snapshot per window, so
/// the ordinary sliced analysis measures it on every rank; W = 1 is the run itself.
public enum EpochPool {
    /// How rows are pooled, recorded in the pooled run file and the plane.
    public static func pooling(window: Int) -> String {
        "row i from snapshot j - \(window) + 1 + (i mod \(window)) of the \(window) consecutive snapshots ending at snapshot j, plotted at j's epoch"
    }

    /// The plan's identity line of a plane pooled over `window` snapshots.
    static func identityLine(window: Int) -> String { "pool_epochs: \(window) (\(pooling(window: window)))" }

    /// The windows of `epochs` (snapshot epochs in order): each plotted epoch with the W
    /// snapshot epochs it pools, oldest first.
    public static func windows(_ epochs: [Int], window: Int) -> [(epoch: Int, sources: [Int])] {
        guard window >= 1, window <= epochs.count else { return [] }
        return (window - 1..<epochs.count).map { j in (epochs[j], Array(epochs[(j - window + 1)...j])) }
    }

    /// Checks the window against the run file's snapshots: 1 ≤ W ≤ their count.
    public static func check(window: Int, snapshots: Int, run: String) throws {
        guard window >= 1 else { throw InfoPlaneError("--pool-epochs \(window) is impossible: pool at least 1 snapshot (1 is the run itself)") }
        guard window <= snapshots else {
            throw InfoPlaneError("--pool-epochs \(window) exceeds the \(snapshots) snapshot(s) of \(run): choose 1 to \(snapshots)")
        }
    }

    /// Writes the pooled run file `path` (atomically) from the run file `run`.
    public static func write(run: String, to path: String, window: Int, overwrite: Bool) throws {
        let reader = try RunFileReader.open(run, command: "analyze")
        try check(window: window, snapshots: reader.epochs.count, run: run)
        let evaluation = try reader.evaluation()
        let layers = try reader.layers(samples: evaluation.samples, epochs: reader.epochs)
        let sources = Dictionary(uniqueKeysWithValues: windows(reader.epochs, window: window).map { ($0.epoch, $0.sources) })
        try PooledRunFile.write(to: path, template: run, configText: reader.configText ?? "", copies: window,
                                pooling: pooling(window: window), epochs: windows(reader.epochs, window: window).map(\.epoch),
                                layers: layers, samples: evaluation.samples, overwrite: overwrite, countName: "pooled_epochs") { epoch, layer in
            let width = layers.first { $0.layer == layer }!.width
            return EnsemblePool.pool(try sources[epoch]!.map { try reader.activations(epoch: $0, layer: layer) },
                                     samples: evaluation.samples, width: width)
        }
    }

    /// Rank 0 of `analyze --pool-epochs W`, before the plan: the pooled run file beside the plane
    /// (`run-pool<W>.h5`), written unless a resumed analysis finds it already; returns its path.
    /// Existing plane outputs are refused here, without `--resume` or `--force`, before anything is written.
    public static func prepare(_ request: AnalyzeRequest, window: Int) throws -> String {
        let planePath = request.planePath
        let pooledPath = RunDirectory.beside(planePath, "run-pool\(window).h5")
        guard (pooledPath as NSString).standardizingPath != (request.runPath as NSString).standardizingPath else {
            throw InfoPlaneError("\(request.runPath) is itself the pooled file --pool-epochs \(window) would write: analyse the original run file")
        }
        let outputs = [planePath, PlaneFile.csvPath(for: planePath)]
        if !request.resume && !request.force, let existing = outputs.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw InfoPlaneError("\(existing) already holds an analysis: pass --resume to continue it, --force to replace it, or --out to write elsewhere")
        }
        if request.resume && FileManager.default.fileExists(atPath: planePath) {
            // A plane pooled over another window (or none) is refused before its run file is written.
            let stored = try PlaneFile.storedIdentity(planePath).first { $0.hasPrefix("pool_epochs: ") }
            guard stored == identityLine(window: window) else {
                throw InfoPlaneError("\(planePath) was analysed \(stored.map { "with --pool-epochs \($0.dropFirst("pool_epochs: ".count).prefix { $0 != " " })" } ?? "without --pool-epochs"), not with --pool-epochs \(window): use --force to replace it, or --out to write elsewhere")
            }
        }
        if !(request.resume && FileManager.default.fileExists(atPath: pooledPath)) {
            try OutputDirectory.prepare(forFile: pooledPath)
            try write(run: request.runPath, to: pooledPath, window: window, overwrite: true)
        }
        return pooledPath
    }
}
