import Foundation
import Storage
import Support

/// The evaluation set of a run file: inputs (float32 as stored) and what S1(T;Y) is measured
/// against.
public struct RunEvaluation: Sendable {
    /// n × d inputs, row-major.
    public var inputs: [Float]
    /// n.
    public var samples: Int
    /// d.
    public var features: Int
    /// Class labels or regression targets.
    public var targets: EvaluationTargets
}

/// Reads what the analysis needs from a run file — ours, or one written with h5py that follows
/// the documented schema: `/evaluation/inputs` (n × d), `/evaluation/labels` (n integers) or
/// `/evaluation/targets` (n or n × w reals, regression), and
/// `/snapshots/<group>/layer_L` (n × width) with the group's epoch in its `epoch` attribute or
/// its `epoch_NNNNNN` name. The file is opened per read and closed again, so the trainer may
/// write it between reads. Nothing is cached here (the analysis keeps its own activation cache).
public final class RunFileReader {
    /// The file.
    public let path: String
    /// Snapshot epochs present, ascending, with their group names.
    public private(set) var snapshotGroups: [(epoch: Int, group: String)] = []
    /// The run's stored config text (nil for a file written by other tools).
    public private(set) var configText: String?
    /// The `dataset_sha256` attribute (nil for a file written by other tools).
    public private(set) var datasetChecksum: String?
    /// The `activation` attribute: the hidden layers' nonlinearity (nil for other tools' files).
    public private(set) var activation: String?

    /// Opens (and closes) the file to list its snapshots.
    public init(path: String) throws {
        self.path = path
        try refresh()
    }

    /// The run file at `path`, after checking that it exists and is HDF5 (`command` is named in
    /// the error: what needs a run file).
    public static func open(_ path: String, command: String) throws -> RunFileReader {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InfoPlaneError("no such run file: \(path) (train one with infoplane train CONFIG)")
        }
        guard HDF5File.isHDF5(path) else {
            throw InfoPlaneError("\(path) is not an HDF5 file: \(command) needs a run file (infoplane train writes one; see docs/files.md for h5py)")
        }
        return try RunFileReader(path: path)
    }

    /// Rereads the list of snapshots (after the trainer added one).
    public func refresh() throws {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        configText = try file.root.stringAttribute("config")
        datasetChecksum = try file.root.stringAttribute("dataset_sha256")
        activation = try file.root.stringAttribute("activation")
        guard file.root.contains(RunFile.snapshotsGroup), file.root.kind(of: RunFile.snapshotsGroup) == .group else {
            throw InfoPlaneError("\(path) has no /snapshots group: it is not a run file (train one with infoplane train, or see the schema in docs/files.md for h5py)")
        }
        let snapshots = try file.root.group(RunFile.snapshotsGroup)
        var found: [(Int, String)] = []
        for member in try snapshots.members() where member.kind == .other {
            if let link = try snapshots.externalLink(member.name) {
                throw InfoPlaneError("\(path): /snapshots/\(member.name) links \(link.file), which is missing or unreadable: restore it, or retrain with --force")
            }
        }
        for member in try snapshots.members() where member.kind == .group && !member.name.hasPrefix(".") {
            let group = try snapshots.group(member.name)
            if let epoch = try group.intAttribute("epoch") {
                guard epoch >= 0 else {
                    throw InfoPlaneError("\(path): snapshot group /snapshots/\(member.name) has epoch \(epoch): epochs count from 0; fix its 'epoch' attribute")
                }
                found.append((Int(epoch), member.name))
            } else if member.name.hasPrefix("epoch_"), let epoch = Int(member.name.dropFirst(6)) {
                found.append((epoch, member.name))
            } else {
                throw InfoPlaneError("\(path): snapshot group /snapshots/\(member.name) has no 'epoch' attribute and is not named epoch_N: add the attribute (see docs/files.md)")
            }
        }
        let sorted = found.sorted { $0.0 < $1.0 }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.0 == b.0 {
            throw InfoPlaneError("\(path): /snapshots/\(a.1) and /snapshots/\(b.1) both hold epoch \(a.0): remove or renumber one (its `epoch` attribute)")
        }
        snapshotGroups = sorted.map { (epoch: $0.0, group: $0.1) }
    }

    /// Snapshot epochs present, ascending.
    public var epochs: [Int] { snapshotGroups.map(\.epoch) }

    /// The evaluation inputs (n × d) and what S1(T;Y) is measured against — integer class labels
    /// (`/evaluation/labels`) or real targets (`/evaluation/targets`, n or n × w, regression) —
    /// checked for shape and finiteness.
    public func evaluation() throws -> RunEvaluation {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let hasLabels = exists(file, RunFile.labels), hasTargets = exists(file, RunFile.targets)
        guard exists(file, RunFile.inputs), hasLabels || hasTargets else {
            let missing = exists(file, RunFile.inputs) ? "evaluation/labels (or /evaluation/targets)" : "evaluation/inputs"
            throw InfoPlaneError("\(path) has no /\(missing): the analysis needs the evaluation inputs and labels or regression targets (see the run file schema in docs/files.md)")
        }
        guard !(hasLabels && hasTargets) else {
            throw InfoPlaneError("\(path) holds both /evaluation/labels and /evaluation/targets: keep the labels (classification) or the targets (regression), not both")
        }
        let (n, d) = try inputShape(file)
        let inputs = try file.root.read(RunFile.inputs, as: Float.self).values
        if let bad = inputs.firstIndex(where: { !$0.isFinite }) {
            throw InfoPlaneError("\(path): /evaluation/inputs holds \(inputs[bad]) at row \(bad / max(d, 1)): replace non-finite values")
        }
        let targets = hasTargets ? try continuousTargets(file, samples: n) : try labels(file, samples: n)
        return RunEvaluation(inputs: inputs, samples: n, features: d, targets: targets)
    }

    /// Samples n and features d of `/evaluation/inputs` (trailing dimensions flattened), read
    /// from its shape alone, so the analysis can check its memory before reading anything.
    public func inputShape() throws -> (samples: Int, features: Int) {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        guard exists(file, RunFile.inputs) else {
            throw InfoPlaneError("\(path) has no /evaluation/inputs: the analysis needs the evaluation inputs (see the run file schema in docs/files.md)")
        }
        return try inputShape(file)
    }

    private func inputShape(_ file: HDF5File) throws -> (samples: Int, features: Int) {
        let info = try file.root.datasetInfo(RunFile.inputs)
        guard info.shape.count >= 1, info.shape[0] >= 2 else {
            throw InfoPlaneError("\(path): /evaluation/inputs has shape \(info.shape): it needs one row per sample and at least 2 samples")
        }
        let d = info.shape.dropFirst().reduce(1, *)
        guard d >= 1 else {
            throw InfoPlaneError("\(path): /evaluation/inputs has shape \(info.shape): it has no features (zero columns); write n × d inputs with d ≥ 1")
        }
        return (info.shape[0], d)
    }

    private func labels(_ file: HDF5File, samples n: Int) throws -> EvaluationTargets {
        let labelInfo = try file.root.datasetInfo(RunFile.labels)
        guard labelInfo.shape.first == n, labelInfo.shape.dropFirst().allSatisfy({ $0 == 1 }),
              let type = labelInfo.scalarType, !type.isFloatingPoint else {
            throw InfoPlaneError("\(path): /evaluation/labels must hold \(n) integer class labels (one per input row), but has shape \(labelInfo.shape) of \(labelInfo.elementType)")
        }
        let raw = try file.root.read(RunFile.labels, as: Int64.self).values
        guard let low = raw.min(), let high = raw.max(), low >= Int64(Int32.min), high <= Int64(Int32.max) else {
            throw InfoPlaneError("\(path): /evaluation/labels are outside the 32-bit range: relabel the classes 0..<C")
        }
        guard low != high else {
            throw InfoPlaneError("\(path): /evaluation/labels hold a single class: S1(T;Y) is 0 by definition; check the labels")
        }
        return .labels(raw.map { Int32($0) })
    }

    /// Regression targets: n values or n × w of float32 or float64, finite, not constant.
    private func continuousTargets(_ file: HDF5File, samples n: Int) throws -> EvaluationTargets {
        let info = try file.root.datasetInfo(RunFile.targets)
        let width = info.shape.dropFirst().reduce(1, *)
        guard info.shape.first == n, (1...2).contains(info.shape.count), width >= 1, info.scalarType?.isFloatingPoint == true else {
            throw InfoPlaneError("\(path): /evaluation/targets must hold \(n) rows of float32 or float64 targets (n or n × w, one row per input row), but has shape \(info.shape) of \(info.elementType)")
        }
        let values = try file.root.read(RunFile.targets, as: Double.self).values
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw InfoPlaneError("\(path): /evaluation/targets holds \(values[bad]) at row \(bad / width): replace non-finite targets")
        }
        guard values.contains(where: { $0 != values[0] }) else {
            throw InfoPlaneError("\(path): /evaluation/targets are all \(values[0]): a constant target carries no information (S1(T;Y) = 0); check the targets")
        }
        return .continuous(values, width: width)
    }

    /// Hidden layers present in every listed snapshot (1-based, ascending) and their widths.
    public func layers(samples n: Int, epochs: [Int]) throws -> [(layer: Int, width: Int)] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        var common: [Int: Int]?
        for epoch in epochs {
            let name = try groupName(epoch)
            let group = try file.root.group("\(RunFile.snapshotsGroup)/\(name)")
            var here: [Int: Int] = [:]
            for member in try group.members() where member.kind == .dataset && member.name.hasPrefix("layer_") {
                guard let layer = Int(member.name.dropFirst(6)), layer >= 1 else { continue }
                let shape = try group.datasetInfo(member.name).shape
                guard shape.count == 2, shape[0] == n, shape[1] >= 1 else {
                    throw InfoPlaneError("\(path): /snapshots/\(name)/\(member.name) has shape \(shape.map(String.init).joined(separator: "×")) but the evaluation set has \(n) samples: activations must be n × width, width ≥ 1")
                }
                here[layer] = shape[1]
            }
            let projected = try group.members().contains { $0.name.hasPrefix("projections_") }
            guard !here.isEmpty || projected else { throw InfoPlaneError("\(path): /snapshots/\(name) holds no layer_L datasets: the snapshot is incomplete; retrain or drop it with --epochs") }
            if let previous = common {
                for (layer, width) in previous where here[layer] != width {
                    throw InfoPlaneError("\(path): /snapshots/\(name) lacks layer_\(layer) (or has another width) that other snapshots have: select layers with --layers")
                }
            }
            common = (common ?? here).filter { here[$0.key] == $0.value }
        }
        return (common ?? [:]).sorted { $0.key < $1.key }.map { (layer: $0.key, width: $0.value) }
    }

    /// One layer's activations at one epoch (n × width, float32), checked to be finite.
    public func activations(epoch: Int, layer: Int) throws -> [Float] {
        let name = try groupName(epoch)
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let dataset = "\(RunFile.snapshotsGroup)/\(name)/\(RunFile.layerName(layer))"
        guard exists(file, dataset) else {
            throw InfoPlaneError("\(path) has no /\(dataset): the snapshot is incomplete; retrain, or leave it out with --epochs/--layers")
        }
        let values = try file.root.read(dataset, as: Float.self).values
        try Self.checkFinite(values, what: "\(path): /\(dataset)")
        return values
    }

    /// Refuses non-finite activations (`what` names them in the message).
    public static func checkFinite(_ values: [Float], what: String) throws {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw InfoPlaneError("\(what) holds \(values[bad]) at element \(bad): the activations are not finite (diverged training?); retrain with a lower learning rate")
        }
    }

    private func groupName(_ epoch: Int) throws -> String {
        // During `run` the trainer adds snapshots after the last refresh; a recent one the
        // analysis no longer holds is read back from the file.
        if !snapshotGroups.contains(where: { $0.epoch == epoch }) { try refresh() }
        guard let entry = snapshotGroups.first(where: { $0.epoch == epoch }) else {
            throw InfoPlaneError("\(path) has no snapshot at epoch \(epoch) (it has \(epochs.map(String.init).joined(separator: ", "))): choose epochs it has with --epochs")
        }
        return entry.group
    }

    private func exists(_ file: HDF5File, _ path: String) -> Bool {
        var group = file.root
        let parts = path.split(separator: "/").map(String.init)
        for part in parts.dropLast() {
            guard group.contains(part), let next = try? group.group(part) else { return false }
            group = next
        }
        return group.contains(parts.last!)
    }
}
