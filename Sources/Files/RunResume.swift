import Config
import Learning
import Storage
import Support

extension RunFile {
    /// Prepares `--resume`: checks that the run at `path` is this config's (its canonical text,
    /// the training part; the analysis settings may change) and was trained on the same data, and
    /// rolls it back to its newest complete checkpoint: curve rows, `/stopping` rows and
    /// snapshots after it are removed (training recomputes them identically).
    /// - Returns: the checkpoint to continue from.
    public static func rollBack(_ path: String, canonicalText: String, datasetSHA256: String,
                                hasStopping: Bool) throws -> TrainingCheckpoint {
        let file = try HDF5File.open(at: path, writable: true)
        defer { try? file.close() }
        let root = file.root
        guard try format.marks(root) else {
            throw InfoPlaneError("\(path) is not an InfoPlane run file: --resume needs one; use --force to replace it")
        }
        let stored = try root.stringAttribute("config") ?? ""
        // Analysis settings do not change training, so a run may be resumed under new ones.
        let differences = CanonicalText.differences(stored, canonicalText).filter { !$0.hasPrefix("analysis.") }
        if !differences.isEmpty {
            throw InfoPlaneError("--resume refused: \(path) was made with a different config (\(differences.joined(separator: "; "))); use the same config, or --force to start over")
        }
        if let sha = try root.stringAttribute("dataset_sha256"), sha != datasetSHA256 {
            throw InfoPlaneError("--resume refused: the dataset's checksum differs from the one \(path) was trained on (\(sha.prefix(12))… ≠ \(datasetSHA256.prefix(12))…)")
        }
        guard let checkpoint = try latestCheckpoint(file) else {
            throw InfoPlaneError("\(path) holds no complete checkpoint to resume from: use --force to start over")
        }
        try dropEpochs(after: checkpoint.epoch, in: file, hasStopping: hasStopping)
        return checkpoint
    }

    /// Removes curve rows, `/stopping` rows and snapshot groups of epochs after `epoch` (and any
    /// half-written snapshot group).
    private static func dropEpochs(after epoch: Int, in file: HDF5File, hasStopping: Bool) throws {
        let curves = try file.root.group(curvesGroup)
        try curves.resize("epoch", rows: epoch)
        for name in curveNames { try curves.resize(name, rows: epoch) }
        if hasStopping { try StoppingGroup.rollBack(file, toEpoch: epoch) }
        let snapshots = try file.root.group(snapshotsGroup)
        for member in try snapshots.members() {
            let snapshotEpoch = member.name.hasPrefix("epoch_") ? try snapshots.group(member.name).intAttribute("epoch") : nil
            if snapshotEpoch == nil || Int(snapshotEpoch!) > epoch { try snapshots.remove(member.name) }
        }
    }

    /// The newest complete checkpoint, if any.
    static func latestCheckpoint(_ file: HDF5File) throws -> TrainingCheckpoint? {
        let slots = try file.root.group(checkpointGroup)
        var best: TrainingCheckpoint?
        for slot in 0..<2 {
            let group = try slots.group(slotName(slot))
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

    /// Epochs of the complete snapshot groups of one of our run files, in order.
    static func snapshotEpochs(_ file: HDF5File) throws -> [Int] {
        let snapshots = try file.root.group(snapshotsGroup)
        return try snapshots.members().compactMap { member -> Int? in
            guard member.name.hasPrefix("epoch_") else { return nil }
            return try snapshots.group(member.name).intAttribute("epoch").map { Int($0) }
        }.sorted()
    }

    /// Epochs of the complete snapshot groups of the run file at `path`, in order.
    public static func snapshotEpochs(path: String) throws -> [Int] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        return try snapshotEpochs(file)
    }
}
