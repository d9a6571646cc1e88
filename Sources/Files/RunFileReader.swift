import Foundation
import Storage
import Support

/// The evaluation set of a run file: inputs (float32, converted on read when stored otherwise)
/// and what S1(T;Y) is measured against.
public struct RunEvaluation: Sendable {
    /// n × d inputs, row-major.
    public var inputs: [Float]
    /// n.
    public var samples: Int
    /// d.
    public var features: Int
    /// Class labels or regression targets.
    public var targets: EvaluationTargets
    /// The stored type of the inputs when it was not float32 ("float64", "uint8"), converted on read.
    public var inputsConvertedFrom: String?
}

/// Reads what the analysis needs from a run file — ours, the Python recorder's, or one written
/// with h5py that follows the documented schema: `/evaluation/inputs` (n × d), `/evaluation/labels`
/// (n integers) or `/evaluation/targets` (n or n × w reals, regression), and one dataset per
/// recorded layer in each `/snapshots/<group>` (n × width, or n × … flattened per sample) with the
/// group's epoch in its `epoch` attribute or its `epoch_NNNNNN` name. Layers are named by the
/// root attribute `layers`; without it, by the `layer_L` datasets (any index base), else by every
/// 2-D dataset of the snapshots (``LayerNaming``). Numbers stored as float64, float16 or integers
/// are converted to float32 on read and reported, so the plane can note it. The file is opened
/// per read and closed again, so the trainer may write it between reads. Nothing is cached here
/// but the layer names (the analysis keeps its own activation cache).
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
    /// The `tool` attribute: the writer when it is not `infoplane train`/`run` (the Python recorder
    /// writes ``RunFile/recorderTool``); nil for the trainer's files and most h5py-written ones.
    public private(set) var tool: String?
    /// The layer names the root attribute `layers` lists, checked; nil without the attribute.
    public private(set) var listedLayers: [String]?
    /// Layer names found in the snapshots of a file without the attribute (found once).
    private var scannedLayers: [String]?

    /// The stored config when it is an InfoPlane experiment config (the trainer's). The Python
    /// recorder stores the user's own config in the same attribute: recorded, never parsed.
    public var experimentConfigText: String? { tool == nil ? configText : nil }

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
        tool = try file.root.stringAttribute(RunFile.toolAttribute)
        listedLayers = try Self.listedLayers(file, path: path)
        scannedLayers = nil
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
        let (inputs, _, stored) = try file.root.readConverting(RunFile.inputs, as: Float.self)
        if let bad = inputs.firstIndex(where: { !$0.isFinite }) {
            throw InfoPlaneError("\(path): /evaluation/inputs holds \(inputs[bad]) at row \(bad / max(d, 1)): replace non-finite values")
        }
        let targets = hasTargets ? try continuousTargets(file, samples: n) : try labels(file, samples: n)
        return RunEvaluation(inputs: inputs, samples: n, features: d, targets: targets,
                             inputsConvertedFrom: stored == HDF5ElementType.float32.description ? nil : stored)
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
              labelInfo.isNumeric, !labelInfo.elementType.hasPrefix("float") else {
            throw InfoPlaneError("\(path): /evaluation/labels must hold \(n) integer class labels (one per input row), but has shape \(labelInfo.shape) of \(labelInfo.elementType)")
        }
        let raw = try file.root.readConverting(RunFile.labels, as: Int64.self).values
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

    /// The recorded layers present in every listed snapshot, in the file's order, with their
    /// widths and stored types (a layer one snapshot lacks after an earlier one had it is an error).
    public func layers(samples n: Int, epochs: [Int]) throws -> [RecordedLayer] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let table = try layerTable(file)
        var common: [RecordedLayer]?
        for epoch in epochs {
            let name = try groupName(epoch)
            let group = try file.root.group("\(RunFile.snapshotsGroup)/\(name)")
            var here: [RecordedLayer] = []
            for (layerName, key) in table {
                guard group.contains(layerName), group.kind(of: layerName) == .dataset else { continue }
                here.append(try recordedLayer(group, layerName, key: key, snapshot: name, samples: n))
            }
            guard !here.isEmpty else {
                throw InfoPlaneError("\(path): /snapshots/\(name) holds no layer datasets (layer_L, or n × width arrays): the snapshot is incomplete; retrain or drop it with --epochs")
            }
            if let previous = common {
                for layer in previous where !here.contains(where: { $0.name == layer.name && $0.width == layer.width }) {
                    throw InfoPlaneError("\(path): /snapshots/\(name) lacks \(layer.name) (or has another width) that other snapshots have: select layers with --layers")
                }
            }
            common = (common ?? here).compactMap { layer in
                guard let twin = here.first(where: { $0.name == layer.name && $0.width == layer.width }) else { return nil }
                var merged = layer
                merged.convertedFrom = Array(Set(layer.convertedFrom + twin.convertedFrom)).sorted()
                return merged
            }
        }
        return common ?? []
    }

    /// The dataset name of the layer keyed `layer` (``RecordedLayer/layer``) in every snapshot.
    public func datasetName(layer: Int) throws -> String {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        return try datasetName(layer: layer, file)
    }

    /// One layer's activations at one epoch (n × width, float32, converted on read from another
    /// number type), checked to be finite.
    public func activations(epoch: Int, layer: Int) throws -> [Float] {
        let name = try groupName(epoch)
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let dataset = "\(RunFile.snapshotsGroup)/\(name)/\(try datasetName(layer: layer, file))"
        guard exists(file, dataset) else {
            throw InfoPlaneError("\(path) has no /\(dataset): the snapshot is incomplete; retrain, or leave it out with --epochs/--layers")
        }
        let values = try file.root.readConverting(dataset, as: Float.self).values
        try Self.checkFinite(values, what: "\(path): /\(dataset)")
        return values
    }

    /// One snapshot's dataset `name` as a layer: checked to hold numbers, n rows and at least one unit.
    private func recordedLayer(_ group: HDF5Group, _ name: String, key: Int, snapshot: String, samples n: Int) throws -> RecordedLayer {
        let info = try group.datasetInfo(name)
        let width = info.shape.dropFirst().reduce(1, *)
        guard info.shape.count >= 2, info.shape[0] == n, width >= 1 else {
            throw InfoPlaneError("\(path): /snapshots/\(snapshot)/\(name) has shape \(info.shape.map(String.init).joined(separator: "×")) but the evaluation set has \(n) samples: activations must be n × width, width ≥ 1")
        }
        guard info.isNumeric else {
            throw InfoPlaneError("\(path): /snapshots/\(snapshot)/\(name) holds \(info.elementType) values: store activations as numbers (float32)")
        }
        let stored = info.elementType == HDF5ElementType.float32.description ? [] : [info.elementType]
        return RecordedLayer(layer: key, name: name, width: width, convertedFrom: stored)
    }

    /// (dataset name, stream key) of every layer the file records, in its order.
    private func layerTable(_ file: HDF5File) throws -> [(name: String, key: Int)] {
        let names: [String]
        if let listed = listedLayers {
            names = listed
        } else if let scanned = scannedLayers {
            names = scanned
        } else {
            names = try scanLayerNames(file)
            scannedLayers = names
        }
        return zip(names, LayerNaming.streamKeys(names)).map { (name: $0.0, key: $0.1) }
    }

    private func datasetName(layer: Int, _ file: HDF5File) throws -> String {
        let table = try layerTable(file)
        guard let entry = table.first(where: { $0.key == layer }) else {
            throw InfoPlaneError("\(path) has no layer \(layer) (it has \(table.map { "\($0.name) (\($0.key))" }.joined(separator: ", "))): choose from those with --layers")
        }
        return entry.name
    }

    /// Without a `layers` attribute: the `layer_L` datasets of the snapshots in order of L, or,
    /// if there are none, every 2-D dataset of the snapshots in name order.
    private func scanLayerNames(_ file: HDF5File) throws -> [String] {
        var numbered: [Int: String] = [:], others = Set<String>()
        for entry in snapshotGroups {
            let group = try file.root.group("\(RunFile.snapshotsGroup)/\(entry.group)")
            for member in try group.members() where member.kind == .dataset {
                if let index = LayerNaming.index(of: member.name) {
                    numbered[index] = member.name
                } else if numbered.isEmpty, try group.datasetInfo(member.name).shape.count == 2 {
                    others.insert(member.name)
                }
            }
        }
        return numbered.isEmpty ? others.sorted() : numbered.sorted { $0.key < $1.key }.map(\.value)
    }

    /// The root attribute `layers`, checked; nil when absent.
    private static func listedLayers(_ file: HDF5File, path: String) throws -> [String]? {
        let names: [String]?
        do {
            names = try file.root.stringsAttribute(LayerNaming.attribute)
        } catch {
            throw InfoPlaneError("\(path): the root attribute 'layers' must list the recorded layers' dataset names as strings: rewrite it (h5py: f.attrs['layers'] = np.array(names, dtype=h5py.string_dtype())), or remove it")
        }
        if let names { try LayerNaming.check(names, file: path) }
        return names
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
