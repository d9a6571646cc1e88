/// The schema of `run.h5`, the file a training run writes (documented in docs/files.md).
///
/// Format 2: `run.h5` is a small **index**, republished whole (written beside, synced, renamed
/// over) after every epoch; the bulky data lives in **parts** under `parts/`, each written once
/// and published by rename before the index that links it. Readers see one file: the index
/// reaches the parts through HDF5 external links, which h5py, h5dump and our reader follow.
///
/// ```
/// /                      attributes: format, format_version (2), tool_version, name, config, seed,
///                        dataset_name, dataset_source, dataset_sha256, classes, hidden_widths,
///                        layers (the recorded layers' dataset names, in order), activation,
///                        evaluation_split, evaluation_size, created
/// /evaluation            → parts/evaluation.h5:/ (written before the first index)
/// /evaluation/inputs     n × d float32, pixels in [0, 1]
/// /evaluation/labels     n int64 (classification), or
/// /evaluation/targets    n × outputs float32 (regression, classes = 0)
/// /training/<curve>      one row per completed epoch: epoch (int64), train_loss, train_accuracy,
///                        test_loss, test_accuracy, seconds (float64)
/// /snapshots/epoch_NNNNNN → parts/snapshot-NNNNNN.h5:/ (attribute `epoch`)
/// /snapshots/epoch_NNNNNN/layer_L   n × width_L float32 hidden activations (after the
///                        nonlinearity), chunked by whole rows, shuffled and deflated; the
///                        Python recorder names them as its user does (``LayerNaming``)
/// /checkpoint/slot_0|1   → parts/checkpoint-NNNNNN.h5:/, the two newest checkpoints (slot =
///                        epoch mod 2): weights and optimizer state; attributes epoch, step,
///                        tensors, complete (always 1)
/// /stopping              the stopping rule's record, with a `stopping:` section (StoppingGroup.swift)
/// /label_noise           → parts/label-noise.h5:/, with `dataset.label_noise` (LabelNoiseGroup.swift)
/// ```
/// The index is the one source of truth: a part it does not link is debris of an epoch whose
/// index was never published (resume deletes it), and the run holds exactly the epochs of the
/// index's curves, whose last is its newest checkpoint.
///
/// Who touches it: ``RunFileWriter`` (training: create, append an epoch, resume),
/// ``RunFileReader`` (analysis, our files or h5py's), ``PooledRunFile`` (an ensemble's pool, one
/// file), ``FileSummary`` (`inspect`).
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

    /// The root attribute naming a writer other than `infoplane train`/`run`.
    public static let toolAttribute = "tool"
    /// The `tool` of files written by the Python package's recorder (`infoplane.Recorder`).
    public static let recorderTool = "infoplane.Recorder"

    /// The directory of the parts, beside run.h5 (links name parts relative to the index).
    public static let partsDirectory = "parts"
    /// The evaluation set's part.
    static let evaluationPart = "parts/evaluation.h5"
    /// The part of the snapshot at `epoch`.
    static func snapshotPart(epoch: Int) -> String { "parts/snapshot-\(padded(epoch)).h5" }
    /// The part of the checkpoint after `epoch`.
    static func checkpointPart(epoch: Int) -> String { "parts/checkpoint-\(padded(epoch)).h5" }
    /// Deflate level of activations and evaluation inputs (after the shuffle filter). Every
    /// snapshot is written while training waits, and on fashion-h64's activations level 1 keeps
    /// 60 % of the bytes against level 4's 58 % for about a fifth less time (docs/files.md).
    static let compressionLevel = 1
    /// Snapshot layers of fewer bytes than this (32 MiB: at 10,000 samples, under 839 float32
    /// units) are written without deflate. Deflating them saves little disk (fashion-h64's 64-wide
    /// layers kept 62 % of their bytes, 2.6 MB a snapshot) for CPU that training waits for, about
    /// 6 % of the whole h64 plane's time on 2 ranks (docs/files.md); wide layers keep it (a CNN
    /// snapshot is 946 MB raw, 413 MB deflated).
    static let compressionThreshold = 32 << 20

    /// The snapshot group name of an epoch (zero-padded so names sort by epoch).
    public static func snapshotGroupName(epoch: Int) -> String { "epoch_" + padded(epoch) }

    /// `epoch` as at least six digits.
    static func padded(_ epoch: Int) -> String {
        let digits = String(epoch)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The dataset of hidden layer `layer` (1-based) in a snapshot group.
    static func layerName(_ layer: Int) -> String { "layer_\(layer)" }

    /// The checkpoint slot of an epoch's checkpoint (the other holds the previous one).
    static func slotName(_ slot: Int) -> String { "slot_\(slot)" }
}
