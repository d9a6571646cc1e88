/// The schema of `run.h5`, the file a training run writes (documented in docs/, "Files").
///
/// ```
/// /                      attributes: format, format_version, tool_version, name, config, seed,
///                        dataset_name, dataset_source, dataset_sha256, classes, hidden_widths,
///                        activation, evaluation_split, evaluation_size, created
/// /evaluation/inputs     n × d float32, pixels in [0, 1]
/// /evaluation/labels     n int64 (classification), or
/// /evaluation/targets    n × outputs float32 (regression, classes = 0)
/// /training/<curve>      one row per completed epoch: epoch (int64), train_loss, train_accuracy,
///                        test_loss, test_accuracy, seconds (float64)
/// /snapshots/epoch_NNNNNN/layer_L   n × width_L float32 hidden activations (after the
///                        nonlinearity); the group's attribute `epoch` gives the epoch
/// /checkpoint/slot_0|1   weights and optimizer state; attributes epoch, step, complete
/// /stopping              the stopping rule's record, with a `stopping:` section (StoppingGroup.swift)
/// ```
/// Snapshot groups are written under a temporary name and renamed when complete, so a group
/// named `epoch_…` is always whole. Checkpoints alternate between two slots, so one complete
/// checkpoint survives a kill during the other's write.
///
/// Who touches it: ``RunFileWriter`` (training), ``RunFileReader`` (analysis, our files or h5py's),
/// ``RunFile/rollBack(_:canonicalText:datasetSHA256:hasStopping:)`` (resume), ``PooledRunFile``
/// (an ensemble's pool), ``FileSummary`` (`inspect`).
public enum RunFile {
    /// The file's format (``FileFormat/run``).
    public static let format = FileFormat.run
    /// The per-epoch curves besides `epoch`, in column order.
    public static let curveNames = ["train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"]

    static let evaluationGroup = "evaluation"
    static let inputs = "evaluation/inputs"
    static let labels = "evaluation/labels"
    static let targets = "evaluation/targets"
    static let curvesGroup = "training"
    static let snapshotsGroup = "snapshots"
    static let checkpointGroup = "checkpoint"

    /// The snapshot group name of an epoch (zero-padded so names sort by epoch).
    public static func snapshotGroupName(epoch: Int) -> String {
        let digits = String(epoch)
        return "epoch_" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The dataset of hidden layer `layer` (1-based) in a snapshot group.
    static func layerName(_ layer: Int) -> String { "layer_\(layer)" }

    /// The checkpoint slot an epoch's checkpoint goes to (the other keeps the previous one).
    static func slotName(_ slot: Int) -> String { "slot_\(slot)" }
}
