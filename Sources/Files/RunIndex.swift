import Learning
import Storage
import Support

/// The writer's copy of everything `run.h5` (format 2, ``RunFile``) holds itself: the root
/// attributes, the curves, `/stopping`, and which parts it links. Every change builds a whole
/// new index from it; ``publish(to:)`` writes it beside the old one and renames it over.
struct RunIndex {
    /// Root attributes, `format` first.
    var attributes: [(String, AttributeValue)]
    /// The `epoch` curve: 1, 2, … up to the newest checkpoint.
    var curveEpochs: [Int64] = []
    /// The curves besides `epoch`, in ``RunFile/curveNames`` order.
    var curves: [[Double]] = RunFile.curveNames.map { _ in [] }
    /// `/stopping`, when the config has a stopping rule.
    var stopping: StoppingTable?
    /// Snapshot epochs linked, ascending.
    var snapshots: [Int] = []
    /// Checkpoint epochs linked, ascending: the newest two at most.
    var checkpoints: [Int] = []
    /// Whether `/label_noise` is linked (a run with `dataset.label_noise`).
    var labelNoise = false

    /// The epochs completed: the last curve row's epoch (0 before the first epoch).
    var completedEpochs: Int { curveEpochs.last.map { Int($0) } ?? 0 }

    /// Every part the index links, as paths relative to the run directory.
    var linkedParts: Set<String> {
        Set([RunFile.evaluationPart] + snapshots.map { RunFile.snapshotPart(epoch: $0) }
            + checkpoints.map { RunFile.checkpointPart(epoch: $0) } + (labelNoise ? [LabelNoiseGroup.part] : []))
    }

    /// Appends one epoch's curve row.
    mutating func append(_ metrics: EpochMetrics) {
        curveEpochs.append(Int64(metrics.epoch))
        let values = [metrics.trainLoss, metrics.trainAccuracy, metrics.testLoss, metrics.testAccuracy, metrics.seconds]
        for (c, value) in values.enumerated() { curves[c].append(value) }
    }

    /// Writes the index to `path` atomically (the parts it links must already be published).
    func publish(to path: String) throws {
        try writeAtomically(to: path, overwrite: true, inMemory: true) { file in
            let root = file.root
            for (name, value) in attributes { try root.setAttribute(name, value) }
            try root.linkExternal(RunFile.evaluationGroup, toFile: RunFile.evaluationPart)
            if labelNoise { try root.linkExternal(LabelNoiseGroup.name, toFile: LabelNoiseGroup.part) }
            let training = try root.createGroup(RunFile.curvesGroup)
            try training.createExtendible("epoch", of: Int64.self, chunkRows: 256)
            if !curveEpochs.isEmpty { try training.append("epoch", curveEpochs) }
            for (name, column) in zip(RunFile.curveNames, curves) {
                try training.createExtendible(name, of: Double.self, chunkRows: 256)
                if !column.isEmpty { try training.append(name, column) }
            }
            let snapshotGroup = try root.createGroup(RunFile.snapshotsGroup)
            for epoch in snapshots {
                try snapshotGroup.linkExternal(RunFile.snapshotGroupName(epoch: epoch), toFile: RunFile.snapshotPart(epoch: epoch))
            }
            let checkpointGroup = try root.createGroup(RunFile.checkpointGroup)
            for epoch in checkpoints {
                try checkpointGroup.linkExternal(RunFile.slotName(epoch % 2), toFile: RunFile.checkpointPart(epoch: epoch))
            }
            try stopping?.write(to: root)
        }
    }

    /// The index stored in the format-2 run file `file` (the caller checked the format). Links
    /// are read, not followed: whether the parts exist is the caller's question.
    init(reading file: HDF5File) throws {
        let root = file.root
        attributes = try root.attributeNames().compactMap { name in try root.attribute(name).map { (name, $0) } }
        let training = try root.group(RunFile.curvesGroup)
        curveEpochs = try training.read("epoch", as: Int64.self).values
        curves = try RunFile.curveNames.map { try training.read($0, as: Double.self).values }
        guard curves.allSatisfy({ $0.count == curveEpochs.count }),
              curveEpochs.enumerated().allSatisfy({ $0.element == Int64($0.offset + 1) }) else {
            throw InfoPlaneError("\(file.path): /training has curves of different lengths or epochs out of order: the run file is damaged; use --force to start over")
        }
        stopping = root.contains(StoppingGroup.name) ? try StoppingTable(reading: file) : nil
        labelNoise = try root.externalLink(LabelNoiseGroup.name) != nil
        snapshots = try Self.linkedEpochs(root, group: RunFile.snapshotsGroup, file: file) { RunFile.snapshotPart(epoch: $0) }
        checkpoints = try Self.linkedEpochs(root, group: RunFile.checkpointGroup, file: file) { RunFile.checkpointPart(epoch: $0) }
    }

    /// A new index from its attributes (nothing linked but the evaluation set).
    init(attributes: [(String, AttributeValue)], stopping: StoppingTable?) {
        self.attributes = attributes
        self.stopping = stopping
    }

    /// The epochs of the parts linked from `group`, checked to be the parts our writer names.
    private static func linkedEpochs(_ root: HDF5Group, group name: String, file: HDF5File,
                                     part: (Int) -> String) throws -> [Int] {
        let group = try root.group(name)
        var epochs: [Int] = []
        for member in try group.members() {
            guard let link = try group.externalLink(member.name), link.object == "/",
                  let stem = link.file.split(separator: "-").last?.split(separator: ".").first, let epoch = Int(stem),
                  part(epoch) == link.file else {
                throw InfoPlaneError("\(file.path): /\(name)/\(member.name) is not a link to one of its parts: the run file was changed by another tool; use --force to start over")
            }
            epochs.append(epoch)
        }
        return epochs.sorted()
    }
}

