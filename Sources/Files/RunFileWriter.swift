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
    /// Widths of the recorded layers (conv maps flattened `C·H·W`).
    public var hiddenWidths: [Int]
    /// The recorded layers' dataset names, in order (the `layers` attribute).
    public var layerNames: [String]
    /// The training labels' noise (`dataset.label_noise`), recorded as `/label_noise`; nil without.
    public var labelNoise: NoisyLabels?

    /// A header from its parts; `layerNames` nil: `layer_1`, `layer_2`, … (an MLP's).
    public init(config: ExperimentConfig, dataset: DatasetIdentity, classes: Int, evaluation: Split, hiddenWidths: [Int],
                layerNames: [String]? = nil, labelNoise: NoisyLabels? = nil) {
        self.labelNoise = labelNoise
        self.config = config
        self.dataset = dataset
        self.classes = classes
        self.evaluation = evaluation
        self.hiddenWidths = hiddenWidths
        self.layerNames = layerNames ?? hiddenWidths.indices.map { RunFile.layerName($0 + 1) }
    }
}

/// Writes a run (schema: ``RunFile``) for the trainer, never modifying a published file: each
/// snapshot and checkpoint is a new part, published (written beside, synced, renamed) before the
/// index that links it, and the index is republished after every epoch. A process killed at any
/// instant therefore leaves the previous index and everything it links intact, and readers
/// (h5py, h5dump, `inspect`, `analyze`) holding the files open cannot disturb the writer.
///
/// The caller holds the run directory's ``OutputLock``.
public final class RunFileWriter {
    /// The run directory.
    public let directory: RunDirectory
    var index: RunIndex

    init(directory: RunDirectory, index: RunIndex) {
        self.directory = directory
        self.index = index
    }

    /// Starts a new run in `directory`: removes an old run (only with `overwrite`; its index
    /// first, so a kill meanwhile leaves no index linking a mix) and any debris of parts, then
    /// publishes the evaluation set, the epoch-0 snapshot when given, the initial checkpoint, and
    /// the first index with `/stopping` (and its epoch-0 row) when the rule is on.
    public static func create(in directory: RunDirectory, overwrite: Bool, header: RunFileHeader, stopping: StoppingSection?,
                              initialSnapshot: [Matrix]?, initialProjections: StoredProjections.Snapshot? = nil,
                              initialStopping: StoppingRow?, checkpoint: TrainingCheckpoint) throws -> RunFileWriter {
        let runPath = directory.runFile
        if try checkReplaceable(runPath) {
            guard overwrite else {
                throw InfoPlaneError("\(runPath) already holds a run: pass --resume to continue it, --force to replace it, or --out to write elsewhere")
            }
            guard unlink(runPath) == 0 else { throw InfoPlaneError("cannot remove \(runPath) (\(String(cString: strerror(errno)))): check the directory's permissions") }
            syncDirectory(of: runPath)
        }
        try RunParts(directory).prepare(keeping: [])
        var table = stopping.map { StoppingTable(settings: $0) }
        if let initialStopping { table?.append(initialStopping) }
        let writer = RunFileWriter(directory: directory, index: RunIndex(attributes: headerAttributes(header), stopping: table))
        try writer.publishPart(RunFile.evaluationPart) { try writeEvaluation($0.root, header.evaluation) }
        if let noise = header.labelNoise {
            try writer.publishPart(LabelNoiseGroup.part) { try LabelNoiseGroup.write($0.root, noise) }
            writer.index.labelNoise = true
        }
        if let initialProjections {
            try writer.publishPart(RunFile.snapshotPart(epoch: 0)) { try writeSnapshot($0.root, epoch: 0, projections: initialProjections) }
            writer.index.snapshots = [0]
        } else if let initialSnapshot {
            try writer.publishPart(RunFile.snapshotPart(epoch: 0)) {
                try writeSnapshot($0.root, epoch: 0, activations: initialSnapshot, names: header.layerNames)
            }
            writer.index.snapshots = [0]
        }
        try writer.publishPart(RunFile.checkpointPart(epoch: checkpoint.epoch), inMemory: true) { try writeCheckpoint($0.root, checkpoint) }
        writer.index.checkpoints = [checkpoint.epoch]
        try writer.index.publish(to: runPath)
        return writer
    }

    /// Records one epoch: its snapshot part (at snapshot epochs) and checkpoint part, then the
    /// index with its curve row and stopping row, and last the checkpoint two epochs old, which
    /// the new index no longer links.
    /// - Parameter projections: the snapshot as projections only (`snapshots.store:
    ///   projections`), written instead of `snapshot`'s activations.
    public func appendEpoch(metrics: EpochMetrics, snapshot: [Matrix]?, projections: StoredProjections.Snapshot? = nil,
                            stopping: StoppingRow?, checkpoint: TrainingCheckpoint) throws {
        if let projections {
            try publishPart(RunFile.snapshotPart(epoch: metrics.epoch)) { try Self.writeSnapshot($0.root, epoch: metrics.epoch, projections: projections) }
        } else if let snapshot {
            let names = layerNames(count: snapshot.count)
            try publishPart(RunFile.snapshotPart(epoch: metrics.epoch)) {
                try Self.writeSnapshot($0.root, epoch: metrics.epoch, activations: snapshot, names: names)
            }
        }
        try publishPart(RunFile.checkpointPart(epoch: checkpoint.epoch), inMemory: true) { try Self.writeCheckpoint($0.root, checkpoint) }
        var next = index
        next.append(metrics)
        if snapshot != nil || projections != nil { next.snapshots.append(metrics.epoch) }
        if let stopping { next.stopping?.append(stopping) }
        next.checkpoints = Array((next.checkpoints.filter { $0 != checkpoint.epoch } + [checkpoint.epoch]).suffix(2))
        try next.publish(to: directory.runFile)
        let dropped = index.linkedParts.subtracting(next.linkedParts)
        index = next
        RunParts(directory).remove(dropped)
    }

    /// Publishes one part (a new file; a leftover of the same name from a killed epoch is
    /// replaced); `inMemory` for the small ones (checkpoints), written in one go.
    private func publishPart(_ part: String, inMemory: Bool = false, _ body: (HDF5File) throws -> Void) throws {
        try writeAtomically(to: RunParts(directory).path(part), overwrite: true, inMemory: inMemory, body)
    }

    /// The root attributes of a new run.
    static func headerAttributes(_ header: RunFileHeader) -> [(String, AttributeValue)] {
        let config = header.config, dataset = header.dataset, evaluation = header.evaluation
        return RunFile.format.attributes + [
            ("tool_version", .string(InfoPlaneVersion.string)), ("name", .string(config.name)),
            ("config", .string(config.canonicalText)), ("seed", .int(Int64(bitPattern: config.seed))),
            ("dataset_name", .string(dataset.name)), ("dataset_source", .string(dataset.source)),
            ("dataset_sha256", .string(dataset.sha256)), ("classes", .int(Int64(header.classes))),
            ("hidden_widths", .ints(header.hiddenWidths.map { Int64($0) })),
            (LayerNaming.attribute, .strings(header.layerNames)),
            ("activation", .string(config.model.activation.rawValue)),
            ("evaluation_split", .string(config.dataset.evaluationSplit.rawValue)),
            ("evaluation_size", .int(Int64(evaluation.count))),
            ("created", .string(ISO8601DateFormatter().string(from: Date()))),
        ]
    }

    /// The evaluation part: inputs (compressed like activations) and labels or targets.
    static func writeEvaluation(_ root: HDF5Group, _ evaluation: Split) throws {
        try root.write("inputs", evaluation.inputs.storage, shape: [evaluation.count, evaluation.features],
                       compressionLevel: RunFile.compressionLevel, shuffle: true)
        if let targets = evaluation.targets {
            // Regression (classes = 0): the real targets, n × outputs.
            try root.write("targets", targets.storage, shape: [targets.rows, targets.columns])
        } else {
            try root.write("labels", evaluation.labels.map { Int64($0) }, shape: [evaluation.count])
        }
    }

    /// The recorded layers' dataset names: the index's `layers` attribute (written at creation),
    /// else `layer_1…layer_count` (a run file from before layer names).
    func layerNames(count: Int) -> [String] {
        if case .strings(let names)? = index.attributes.first(where: { $0.0 == LayerNaming.attribute })?.1, names.count == count {
            return names
        }
        return (0..<count).map { RunFile.layerName($0 + 1) }
    }

    /// A snapshot part: the `epoch` attribute and one n × width dataset per recorded layer, named
    /// `names`: layers of at least ``RunFile/compressionThreshold`` bytes in chunks of whole rows
    /// (about 1 MiB), deflated, shuffled first when that pays (``shufflesBeforeDeflate(_:)``);
    /// smaller ones contiguous and unfiltered.
    static func writeSnapshot(_ root: HDF5Group, epoch: Int, activations: [Matrix], names: [String]) throws {
        try root.setAttribute("epoch", .int(Int64(epoch)))
        for (name, layer) in zip(names, activations) {
            let compresses = layer.storage.count * MemoryLayout<Float>.size >= RunFile.compressionThreshold
            // Raw layers are contiguous: chunks of whole rows would pad the last one.
            try root.write(name, layer.storage, shape: [layer.rows, layer.columns], chunked: compresses,
                           compressionLevel: compresses ? RunFile.compressionLevel : nil,
                           shuffle: compresses && shufflesBeforeDeflate(layer.storage))
        }
    }

    /// Whether a layer's values are byte-shuffled before deflate: unless at least a quarter of
    /// them are exact zeros. Deflate finds a ReLU map's runs of zero floats better unshuffled:
    /// on the CNN's maps (42–62 % zeros) level 1 keeps 44 % of the bytes against 49 % shuffled,
    /// in 13 % less CPU time to write and 20 % less to read; on a tanh layer (no zeros) shuffling
    /// keeps 84 % against 91 % (docs/files.md). Either way the values read back are the same.
    static func shufflesBeforeDeflate(_ values: [Float]) -> Bool {
        var zeros = 0
        for value in values where value == 0 { zeros += 1 }
        return zeros * 4 < values.count
    }

    /// A snapshot part holding projections only: the `epoch` attribute and `projections_L` per
    /// recorded layer (``StoredProjections``).
    static func writeSnapshot(_ root: HDF5Group, epoch: Int, projections: StoredProjections.Snapshot) throws {
        try root.setAttribute("epoch", .int(Int64(epoch)))
        for (index, values) in projections.layers.enumerated() {
            try StoredProjections.write(root, layer: index + 1, projections: values, samples: projections.samples,
                                        slices: projections.slices, width: projections.widths[index], seed: projections.seed)
        }
    }

    /// A checkpoint part: every tensor, the tensor list, epoch and step, and `complete` = 1 (a
    /// part is whole by construction; readers of format 1 looked for the flag).
    static func writeCheckpoint(_ root: HDF5Group, _ checkpoint: TrainingCheckpoint) throws {
        for tensor in checkpoint.tensors {
            try root.write(tensor.name, tensor.values, shape: [tensor.rows, tensor.columns])
        }
        try root.setAttribute("tensors", .string(checkpoint.tensors.map(\.name).joined(separator: ",")))
        try root.setAttribute("epoch", .int(Int64(checkpoint.epoch)))
        try root.setAttribute("step", .int(Int64(checkpoint.step)))
        try root.setAttribute("complete", .int(1))
    }
}
