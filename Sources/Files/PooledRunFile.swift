import Foundation
import Storage

/// Writes the pooled run file of an ensemble (`pooled/run.h5`), in the run-file schema so
/// `analyze` and h5py read it like any run: the first copy's root attributes and evaluation set,
/// the ensemble's config, `pooled_copies` and `pooling`, and one snapshot group per epoch whose
/// layers the caller pools (Analysis's `EnsemblePool` decides which copy gives which row).
public enum PooledRunFile {
    /// Writes `path` atomically.
    /// - Parameters:
    ///   - template: the first copy's run file (attributes and evaluation set are copied).
    ///   - configText: the ensemble's canonical config, recorded as the file's config.
    ///   - pooling: how rows were taken from the copies, recorded as `pooling`.
    ///   - layers: the copies' layers (names and widths; the pool keeps their names).
    ///   - pooledLayer: the pooled n × width activations of a layer (by its key) at an epoch.
    ///   - countName: the attribute that records `copies` (`pooled_epochs` for a pool over epochs).
    public static func write(to path: String, template: String, configText: String, copies: Int, pooling: String,
                             epochs: [Int], layers: [RecordedLayer], samples n: Int, overwrite: Bool,
                             countName: String = "pooled_copies", pooledLayer: (_ epoch: Int, _ layer: Int) throws -> [Float]) throws {
        let source = try HDF5File.open(at: template, writable: false)
        defer { try? source.close() }
        try writeAtomically(to: path, overwrite: overwrite) { file in
            let root = file.root
            for name in try source.root.attributeNames() {
                if let value = try source.root.attribute(name) { try root.setAttribute(name, value) }
            }
            try root.setAttribute("config", .string(configText))
            try root.setAttribute(countName, .int(Int64(copies)))
            try root.setAttribute("pooling", .string(pooling))
            try root.setAttribute("created", .string(ISO8601DateFormatter().string(from: Date())))
            try copyEvaluation(from: source, to: root)
            let snapshots = try root.createGroup(RunFile.snapshotsGroup)
            for epoch in epochs {
                let snapshot = try snapshots.createGroup(RunFile.snapshotGroupName(epoch: epoch))
                try snapshot.setAttribute("epoch", .int(Int64(epoch)))
                for layer in layers {
                    try snapshot.write(layer.name, try pooledLayer(epoch, layer.layer), shape: [n, layer.width])
                }
            }
        }
    }

    /// The evaluation group as stored (floats as float32, integers as int64).
    private static func copyEvaluation(from source: HDF5File, to root: HDF5Group) throws {
        let group = try root.createGroup(RunFile.evaluationGroup)
        for member in try source.root.group(RunFile.evaluationGroup).members() where member.kind == .dataset {
            let name = "\(RunFile.evaluationGroup)/\(member.name)"
            let info = try source.root.datasetInfo(name)
            if info.scalarType?.isFloatingPoint == true {
                try group.write(member.name, try source.root.read(name, as: Float.self).values, shape: info.shape)
            } else {
                try group.write(member.name, try source.root.read(name, as: Int64.self).values, shape: info.shape)
            }
        }
    }
}
