import Config
import Foundation
import Learning
import Storage
import Support

/// What a new run file starts with: the header attributes, the evaluation set and the widths.
public struct RunFileHeader {
    /// The run's config (its canonical text is stored; resume compares it).
    public var config: ExperimentConfig
    /// Where the data came from.
    public var dataset: DatasetIdentity
    /// Classes (0 for regression).
    public var classes: Int
    /// The evaluation samples whose activations are recorded.
    public var evaluation: Split
    /// Hidden widths of the network.
    public var hiddenWidths: [Int]

    /// A header from its parts.
    public init(config: ExperimentConfig, dataset: DatasetIdentity, classes: Int, evaluation: Split, hiddenWidths: [Int]) {
        self.config = config
        self.dataset = dataset
        self.classes = classes
        self.evaluation = evaluation
        self.hiddenWidths = hiddenWidths
    }
}

/// Writes `run.h5` for the trainer (schema: ``RunFile``). The file is opened only to append an
/// epoch's results and closed again, so a process killed while training leaves a file that h5py
/// and h5dump open, with every completed epoch in it.
public enum RunFileWriter {
    /// Creates the file atomically (replacing one only with `overwrite`): header, evaluation set,
    /// empty curves, the `/stopping` group with `stopping`, the epoch-0 snapshot and stopping row
    /// when given, and the initial checkpoint.
    public static func create(at path: String, overwrite: Bool, header: RunFileHeader, stopping: StoppingSection?,
                              initialSnapshot: [Matrix]?, initialStopping: StoppingRow?, checkpoint: TrainingCheckpoint) throws {
        try writeAtomically(to: path, overwrite: overwrite) { file in
            try writeHeader(file, header)
            if let stopping { try StoppingGroup.create(file, settings: stopping) }
            if let initialSnapshot { try writeSnapshot(file, epoch: 0, activations: initialSnapshot) }
            if let initialStopping { try StoppingGroup.append(file, initialStopping) }
            try writeCheckpoint(file, checkpoint)
        }
    }

    /// Appends one epoch in one opening of the file: its curve row, its snapshot (at snapshot
    /// epochs), the stopping rule's row, and the checkpoint written last.
    public static func appendEpoch(at path: String, metrics: EpochMetrics, snapshot: [Matrix]?, stopping: StoppingRow?,
                                   checkpoint: TrainingCheckpoint) throws {
        let file = try HDF5File.open(at: path, writable: true)
        try appendCurves(file, metrics)
        if let snapshot { try writeSnapshot(file, epoch: metrics.epoch, activations: snapshot) }
        if let stopping { try StoppingGroup.append(file, stopping) }
        try writeCheckpoint(file, checkpoint)
        try file.close()
    }

    /// Writes the header, the evaluation set and empty curves into a new file.
    static func writeHeader(_ file: HDF5File, _ header: RunFileHeader) throws {
        let root = file.root
        let config = header.config, dataset = header.dataset, evaluation = header.evaluation
        let attributes: [(String, AttributeValue)] = RunFile.format.attributes + [
            ("tool_version", .string(InfoPlaneVersion.string)), ("name", .string(config.name)),
            ("config", .string(config.canonicalText)), ("seed", .int(Int64(bitPattern: config.seed))),
            ("dataset_name", .string(dataset.name)), ("dataset_source", .string(dataset.source)),
            ("dataset_sha256", .string(dataset.sha256)), ("classes", .int(Int64(header.classes))),
            ("hidden_widths", .ints(header.hiddenWidths.map { Int64($0) })), ("activation", .string(config.model.activation.rawValue)),
            ("evaluation_split", .string(config.dataset.evaluationSplit.rawValue)),
            ("evaluation_size", .int(Int64(evaluation.count))),
            ("created", .string(ISO8601DateFormatter().string(from: Date()))),
        ]
        for (name, value) in attributes { try root.setAttribute(name, value) }
        let eval = try root.createGroup(RunFile.evaluationGroup)
        try eval.write("inputs", evaluation.inputs.storage, shape: [evaluation.count, evaluation.features])
        if let targets = evaluation.targets {
            // Regression (classes = 0): the real targets, n × outputs.
            try eval.write("targets", targets.storage, shape: [targets.rows, targets.columns])
        } else {
            try eval.write("labels", evaluation.labels.map { Int64($0) }, shape: [evaluation.count])
        }
        let curves = try root.createGroup(RunFile.curvesGroup)
        try curves.createExtendible("epoch", of: Int64.self, chunkRows: 256)
        for name in RunFile.curveNames { try curves.createExtendible(name, of: Double.self, chunkRows: 256) }
        _ = try root.createGroup(RunFile.snapshotsGroup)
        let checkpoint = try root.createGroup(RunFile.checkpointGroup)
        for slot in 0..<2 { try checkpoint.createGroup(RunFile.slotName(slot)).setAttribute("complete", .int(0)) }
    }

    /// Appends one epoch's row to the training curves.
    static func appendCurves(_ file: HDF5File, _ metrics: EpochMetrics) throws {
        let curves = try file.root.group(RunFile.curvesGroup)
        try curves.append("epoch", [Int64(metrics.epoch)])
        let values = [metrics.trainLoss, metrics.trainAccuracy, metrics.testLoss, metrics.testAccuracy, metrics.seconds]
        for (name, value) in zip(RunFile.curveNames, values) { try curves.append(name, [value]) }
    }

    /// Writes the hidden activations of one snapshot, published atomically under its final name.
    static func writeSnapshot(_ file: HDF5File, epoch: Int, activations: [Matrix]) throws {
        let snapshots = try file.root.group(RunFile.snapshotsGroup)
        let final = RunFile.snapshotGroupName(epoch: epoch)
        let temporary = ".partial_" + final
        if snapshots.contains(temporary) { try snapshots.remove(temporary) }
        if snapshots.contains(final) { try snapshots.remove(final) }
        let group = try snapshots.createGroup(temporary)
        try group.setAttribute("epoch", .int(Int64(epoch)))
        for (index, layer) in activations.enumerated() {
            try group.write(RunFile.layerName(index + 1), layer.storage, shape: [layer.rows, layer.columns])
        }
        try snapshots.move(temporary, to: final)
    }

    /// Writes a checkpoint into the slot not holding the newest one; marks it complete last.
    static func writeCheckpoint(_ file: HDF5File, _ checkpoint: TrainingCheckpoint) throws {
        let slots = try file.root.group(RunFile.checkpointGroup)
        let slot = try slots.group(RunFile.slotName(checkpoint.epoch % 2))
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
}
