import Config
import Foundation
import Learning
import Storage
import Support

extension RunFileWriter {
    /// Prepares `--resume` of the run in `directory`: checks that it is a format-2 run of this
    /// config (its canonical text, the training part; the analysis settings may change) trained
    /// on the same data, that every part its index links is there, and removes the debris of an
    /// epoch whose index was never published. The index is the one source of truth, so nothing
    /// inside any file is rolled back.
    /// - Returns: the writer, and the newest checkpoint to continue from.
    public static func resume(in directory: RunDirectory, canonicalText: String, datasetSHA256: String,
                              hasStopping: Bool) throws -> (writer: RunFileWriter, checkpoint: TrainingCheckpoint) {
        let path = directory.runFile
        try checkReplaceable(path)
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let root = file.root
        guard try RunFile.format.marks(root) else {
            throw InfoPlaneError("\(path) is not an InfoPlane run file: --resume needs one; use --force to replace it")
        }
        let version = try root.intAttribute("format_version") ?? 0
        guard version == RunFile.format.version else {
            throw InfoPlaneError("--resume refused: \(path) is a format-\(version) run file (this infoplane resumes format \(RunFile.format.version)); finish it with the version that made it (\(try root.stringAttribute("tool_version") ?? "?")), or start over with --force")
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
        let index = try RunIndex(reading: file)
        guard (index.stopping != nil) == hasStopping else {
            throw InfoPlaneError("\(path) \(hasStopping ? "has no" : "has a") /stopping group but its config \(hasStopping ? "has" : "has no") stopping section: the file is damaged; use --force to start over")
        }
        guard let newest = index.checkpoints.last, newest == index.completedEpochs else {
            throw InfoPlaneError("\(path) links no checkpoint after its last epoch (\(index.completedEpochs)): the run file is damaged; use --force to start over")
        }
        let parts = RunParts(directory)
        for part in index.linkedParts.sorted() where !HDF5File.isHDF5(parts.path(part)) {
            throw InfoPlaneError("\(path) links \(part), which is missing or unreadable: restore it, or start over with --force")
        }
        try parts.prepare(keeping: index.linkedParts)
        let checkpoint = try readCheckpoint(parts.path(RunFile.checkpointPart(epoch: newest)), epoch: newest)
        return (RunFileWriter(directory: directory, index: index), checkpoint)
    }

    /// The checkpoint part at `path`, checked to be the one of `epoch`.
    static func readCheckpoint(_ path: String, epoch: Int) throws -> TrainingCheckpoint {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let root = file.root
        guard try root.intAttribute("epoch") == Int64(epoch), let step = try root.intAttribute("step"),
              let names = try root.stringAttribute("tensors") else {
            throw InfoPlaneError("\(path) is not the checkpoint after epoch \(epoch): the run is damaged; start over with --force")
        }
        var tensors: [NamedTensor] = []
        for name in names.split(separator: ",").map(String.init) {
            let (values, shape) = try root.read(name, as: Float.self)
            guard shape.count == 2 else { throw InfoPlaneError("checkpoint tensor \(name) in \(path) is not 2-D: the run is damaged; start over with --force") }
            tensors.append(NamedTensor(name: name, rows: shape[0], columns: shape[1], values: values))
        }
        return TrainingCheckpoint(epoch: epoch, step: Int(step), tensors: tensors)
    }
}

extension RunFile {
    /// Epochs of the complete snapshot groups of one of our run files, in order.
    static func snapshotEpochs(_ file: HDF5File) throws -> [Int] {
        let snapshots = try file.root.group(snapshotsGroup)
        return try snapshots.members().compactMap { member -> Int? in
            guard member.name.hasPrefix("epoch_"), member.kind == .group else { return nil }
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

extension RunFileWriter {
    /// The config text the run file was made with (its `config` attribute), read before a resume
    /// decides whether the run is being extended; nil when the file is not one of ours.
    public static func storedConfig(in directory: RunDirectory) -> String? {
        guard HDF5File.isHDF5(directory.runFile), let file = try? HDF5File.open(at: directory.runFile, writable: false) else { return nil }
        defer { try? file.close() }
        return try? file.root.stringAttribute("config")
    }

    /// Stores `text` as the run's config in every index published from now on: a resume that
    /// raised `training.epochs` (checked by the caller) continues under the new config, and the
    /// run file then says what a run trained that long from the start says.
    public func adoptConfig(_ text: String) {
        if let i = index.attributes.firstIndex(where: { $0.0 == "config" }) { index.attributes[i].1 = .string(text) }
    }

    /// Publishes the index as it stands (after ``adoptConfig(_:)`` when no epoch is left to train).
    public func publishIndex() throws {
        try index.publish(to: directory.runFile)
    }
}
