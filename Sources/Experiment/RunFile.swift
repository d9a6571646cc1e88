import Config
import Foundation
import Learning
import Storage
import Support

/// The schema of `run.h5`, the file a training run writes (documented in README, "Files").
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
/// ```
/// Snapshot groups are written under a temporary name and renamed when complete, so a group
/// named `epoch_…` is always whole. Checkpoints alternate between two slots, so one complete
/// checkpoint survives a kill during the other's write.
public enum RunFile {
    public static let format = "infoplane-run"
    public static let formatVersion: Int64 = 1
    public static let curveNames = ["train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"]

    /// The snapshot group name of an epoch (zero-padded so names sort by epoch).
    public static func snapshotGroupName(epoch: Int) -> String {
        let digits = String(epoch)
        return "epoch_" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Writes the header, the evaluation set and empty curves into a new file.
    static func writeHeader(_ file: HDF5File, config: ExperimentConfig, dataset: DatasetIdentity, classes: Int,
                            evaluation: Split, hiddenWidths: [Int]) throws {
        let root = file.root
        let attributes: [(String, AttributeValue)] = [
            ("format", .string(format)), ("format_version", .int(formatVersion)),
            ("tool_version", .string(InfoPlaneVersion.string)), ("name", .string(config.name)),
            ("config", .string(config.canonicalText)), ("seed", .int(Int64(bitPattern: config.seed))),
            ("dataset_name", .string(dataset.name)), ("dataset_source", .string(dataset.source)),
            ("dataset_sha256", .string(dataset.sha256)), ("classes", .int(Int64(classes))),
            ("hidden_widths", .ints(hiddenWidths.map { Int64($0) })), ("activation", .string(config.model.activation.rawValue)),
            ("evaluation_split", .string(config.dataset.evaluationSplit.rawValue)),
            ("evaluation_size", .int(Int64(evaluation.count))),
            ("created", .string(ISO8601DateFormatter().string(from: Date()))),
        ]
        for (name, value) in attributes { try root.setAttribute(name, value) }
        let eval = try root.createGroup("evaluation")
        try eval.write("inputs", evaluation.inputs.storage, shape: [evaluation.count, evaluation.features])
        if let targets = evaluation.targets {
            // Regression (classes = 0): the real targets, n × outputs.
            try eval.write("targets", targets.storage, shape: [targets.rows, targets.columns])
        } else {
            try eval.write("labels", evaluation.labels.map { Int64($0) }, shape: [evaluation.count])
        }
        let curves = try root.createGroup("training")
        try curves.createExtendible("epoch", of: Int64.self, chunkRows: 256)
        for name in curveNames { try curves.createExtendible(name, of: Double.self, chunkRows: 256) }
        _ = try root.createGroup("snapshots")
        let checkpoint = try root.createGroup("checkpoint")
        for slot in 0..<2 { try checkpoint.createGroup("slot_\(slot)").setAttribute("complete", .int(0)) }
    }

    /// Appends one epoch's row to the training curves.
    static func appendCurves(_ file: HDF5File, _ metrics: EpochMetrics) throws {
        let curves = try file.root.group("training")
        try curves.append("epoch", [Int64(metrics.epoch)])
        let values = [metrics.trainLoss, metrics.trainAccuracy, metrics.testLoss, metrics.testAccuracy, metrics.seconds]
        for (name, value) in zip(curveNames, values) { try curves.append(name, [value]) }
    }

    /// Writes the hidden activations of one snapshot, published atomically under its final name.
    static func writeSnapshot(_ file: HDF5File, epoch: Int, activations: [Matrix]) throws {
        let snapshots = try file.root.group("snapshots")
        let final = snapshotGroupName(epoch: epoch)
        let temporary = ".partial_" + final
        if snapshots.contains(temporary) { try snapshots.remove(temporary) }
        if snapshots.contains(final) { try snapshots.remove(final) }
        let group = try snapshots.createGroup(temporary)
        try group.setAttribute("epoch", .int(Int64(epoch)))
        for (index, layer) in activations.enumerated() {
            try group.write("layer_\(index + 1)", layer.storage, shape: [layer.rows, layer.columns])
        }
        try snapshots.move(temporary, to: final)
    }

    /// Writes a checkpoint into the slot not holding the newest one; marks it complete last.
    static func writeCheckpoint(_ file: HDF5File, _ checkpoint: TrainingCheckpoint) throws {
        let slots = try file.root.group("checkpoint")
        let slot = try slots.group("slot_\(checkpoint.epoch % 2)")
        try slot.setAttribute("complete", .int(0))
        for tensor in checkpoint.tensors {
            if slot.contains(tensor.name) {
                try slot.overwrite(tensor.name, tensor.values)
            } else {
                try slot.write(tensor.name, tensor.values, shape: [tensor.rows, tensor.columns])
            }
        }
        try slot.setAttribute("tensors", .string(checkpoint.tensors.map(\.name).joined(separator: ",")))
        try slot.setAttribute("epoch", .int(Int64(checkpoint.epoch)))
        try slot.setAttribute("step", .int(Int64(checkpoint.step)))
        try file.flush()
        try slot.setAttribute("complete", .int(1))
    }

    /// The newest complete checkpoint, if any.
    static func latestCheckpoint(_ file: HDF5File) throws -> TrainingCheckpoint? {
        let slots = try file.root.group("checkpoint")
        var best: TrainingCheckpoint?
        for slot in 0..<2 {
            let group = try slots.group("slot_\(slot)")
            guard try group.intAttribute("complete") == 1,
                  let epoch = try group.intAttribute("epoch"), let step = try group.intAttribute("step"),
                  let names = try group.stringAttribute("tensors") else { continue }
            if let best, best.epoch >= Int(epoch) { continue }
            var tensors: [NamedTensor] = []
            for name in names.split(separator: ",").map(String.init) {
                let (values, shape) = try group.read(name, as: Float.self)
                guard shape.count == 2 else { throw StorageError(.shapeMismatch, "checkpoint tensor \(name) is not 2-D: the run file is damaged; start over with --force") }
                tensors.append(NamedTensor(name: name, rows: shape[0], columns: shape[1], values: values))
            }
            best = TrainingCheckpoint(epoch: Int(epoch), step: Int(step), tensors: tensors)
        }
        return best
    }

    /// Epochs of the complete snapshot groups, in order.
    public static func snapshotEpochs(_ file: HDF5File) throws -> [Int] {
        let snapshots = try file.root.group("snapshots")
        return try snapshots.members().compactMap { member -> Int? in
            guard member.name.hasPrefix("epoch_") else { return nil }
            return try snapshots.group(member.name).intAttribute("epoch").map { Int($0) }
        }.sorted()
    }
}
