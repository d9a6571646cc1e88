import Config
import Support

/// A `--resume` that trains an existing run further: the config differs from the stored one
/// only in a raised `training.epochs` (and, with an explicit list, snapshots added after the old
/// last epoch), so the continued run is the run that was trained that long from the start.
///
/// The snapshot schedule up to the old last epoch must be the one the run recorded: a
/// log-spaced schedule (`dense_until`/`count`) is spread over `training.epochs`, so raising the
/// epochs moves its earlier snapshots, and that is refused naming the keys and the way out.
public struct RunExtension: Sendable, Equatable {
    /// The config text the run file was made with.
    public var storedConfigText: String
    /// Its `training.epochs`.
    public var storedEpochs: Int
    /// The config text the run continues under (stored with the next published index).
    public var configText: String

    /// The extension `config` makes of the run whose stored config text is `stored`; nil when
    /// it makes none (the same training config, or a difference a resume refuses anyway, which
    /// the run file's own check then names). Throws, naming the key, when the epochs are lowered
    /// or the snapshots up to the old last epoch would change.
    public static func of(stored: String?, config: ExperimentConfig, path: String) throws -> RunExtension? {
        guard let stored else { return nil }
        let differences = CanonicalText.differences(stored, config.canonicalText).filter { !$0.hasPrefix("analysis.") }
        let keys = Set(differences.map { String($0.prefix { $0 != ":" }) })
        let extendable: Set<String> = ["training.epochs", "snapshots.epochs", "snapshots.dense_until", "snapshots.count"]
        guard keys.contains("training.epochs"), keys.isSubset(of: extendable),
              let old = try? ExperimentConfig.parse(yaml: stored, source: path) else { return nil }
        let epochs = config.training.epochs
        guard epochs > old.training.epochs else {
            throw InfoPlaneError("--resume refused: training.epochs: \(old.training.epochs) ≠ \(epochs): a run can be trained further, not shortened; keep training.epochs ≥ \(old.training.epochs), or --force to train \(epochs) epochs from the start")
        }
        guard config.replicas == 1 else {
            throw InfoPlaneError("--resume refused: training.epochs: \(old.training.epochs) ≠ \(epochs): an ensemble (replicas: \(config.replicas)) cannot be trained further; use --force to train \(epochs) epochs from the start")
        }
        let recorded = try old.snapshotSchedule.epochs(totalEpochs: old.training.epochs)
        let planned = try config.snapshotSchedule.epochs(totalEpochs: epochs)
        let kept = planned.filter { $0 <= old.training.epochs }
        guard kept == recorded else {
            let fix = config.snapshots.epochs == nil
                ? "snapshots.dense_until/count spread the snapshots over training.epochs, so \(epochs) epochs would record \(list(kept)) up to epoch \(old.training.epochs) where this run recorded \(list(recorded)); list snapshots.epochs instead: the recorded ones plus later ones"
                : "snapshots.epochs would record \(list(kept)) up to epoch \(old.training.epochs) where this run recorded \(list(recorded)); keep those and add only later ones"
            throw InfoPlaneError("--resume refused: \(fix), or --force to start over")
        }
        return RunExtension(storedConfigText: stored, storedEpochs: old.training.epochs, configText: config.canonicalText)
    }

    private static func list(_ epochs: [Int]) -> String {
        epochs.count <= 12 ? "[\(epochs.map(String.init).joined(separator: ", "))]"
            : "[\(epochs.prefix(6).map(String.init).joined(separator: ", ")), …, \(epochs.suffix(3).map(String.init).joined(separator: ", "))] (\(epochs.count))"
    }
}
