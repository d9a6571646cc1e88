import Experiment
import Foundation
import Storage
import Support

/// The pooled run file of an ensemble: the copies' evaluation set with, at each snapshot and
/// layer, evaluation sample `i`'s activations taken from copy `i mod R`.
///
/// That is an i.i.d. sample of the ensemble's stochastic map x ↦ T_ρ(x), ρ uniform over the
/// copies, on the same n inputs. Stacking all n·R rows instead would repeat every input R times,
/// and KSG's marginal counts cannot handle such atoms in X (each point's R − 1 twins always fall
/// within its radius, biasing S1(X;T) down). The pooled file has the run-file schema, so
/// `infoplane analyze` (or h5py) reads it like any run.
public enum EnsemblePool {
    /// Writes `path` (atomically) from the copies' run files, which must share their evaluation
    /// set, snapshot epochs and layer widths.
    /// - Parameter configText: the ensemble's canonical config, recorded as the file's config.
    public static func write(copies: [String], to path: String, configText: String, overwrite: Bool) throws {
        guard let first = copies.first else { throw InfoPlaneError("an ensemble needs at least one copy") }
        let sources = try copies.map { try RunSource(path: $0) }
        let evaluation = try sources[0].evaluation()
        let epochs = sources[0].epochs
        let layers = try sources[0].layers(samples: evaluation.samples, epochs: epochs)
        for source in sources.dropFirst() {
            guard source.epochs == epochs else {
                throw InfoPlaneError("\(source.path) has snapshots \(source.epochs) but \(first) has \(epochs): the copies must finish training before pooling (rerun with --resume)")
            }
            guard source.datasetChecksum == sources[0].datasetChecksum, try source.evaluation().inputs == evaluation.inputs else {
                throw InfoPlaneError("\(source.path) has another evaluation set than \(first): copies of an ensemble must share their data")
            }
            guard try source.layers(samples: evaluation.samples, epochs: epochs).elementsEqual(layers, by: { $0 == $1 }) else {
                throw InfoPlaneError("\(source.path) has other hidden layers than \(first): copies of an ensemble must share their architecture")
            }
        }
        let template = try HDF5File.open(at: first, writable: false)
        defer { try? template.close() }
        try writeAtomically(to: path, overwrite: overwrite) { file in
            let root = file.root
            for name in try template.root.attributeNames() {
                if let value = try template.root.attribute(name) { try root.setAttribute(name, value) }
            }
            try root.setAttribute("config", .string(configText))
            try root.setAttribute("pooled_copies", .int(Int64(copies.count)))
            try root.setAttribute("pooling", .string("row i from copy i mod \(copies.count)"))
            try root.setAttribute("created", .string(ISO8601DateFormatter().string(from: Date())))
            let group = try root.createGroup("evaluation")
            for member in try template.root.group("evaluation").members() where member.kind == .dataset {
                let info = try template.root.datasetInfo("evaluation/\(member.name)")
                if info.scalarType?.isFloatingPoint == true {
                    try group.write(member.name, try template.root.read("evaluation/\(member.name)", as: Float.self).values, shape: info.shape)
                } else {
                    try group.write(member.name, try template.root.read("evaluation/\(member.name)", as: Int64.self).values, shape: info.shape)
                }
            }
            let snapshots = try root.createGroup("snapshots")
            let n = evaluation.samples
            for epoch in epochs {
                let snapshot = try snapshots.createGroup(RunFile.snapshotGroupName(epoch: epoch))
                try snapshot.setAttribute("epoch", .int(Int64(epoch)))
                for (layer, width) in layers {
                    let values = try sources.map { try $0.activations(epoch: epoch, layer: layer) }
                    var pooled = [Float](repeating: 0, count: n * width)
                    for i in 0..<n {
                        let copy = i % values.count
                        pooled.withUnsafeMutableBufferPointer { target in
                            values[copy].withUnsafeBufferPointer { source in
                                for j in 0..<width { target[i * width + j] = source[i * width + j] }
                            }
                        }
                    }
                    try snapshot.write("layer_\(layer)", pooled, shape: [n, width])
                }
            }
        }
    }
}
