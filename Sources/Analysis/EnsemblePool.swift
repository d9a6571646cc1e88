import Files
import Foundation
import Support

/// The pooled run of an ensemble: the copies' evaluation set with, at each snapshot and layer,
/// evaluation sample `i`'s activations taken from copy `i mod R`.
///
/// That is an i.i.d. sample of the ensemble's stochastic map x ↦ T_ρ(x), ρ uniform over the
/// copies, on the same n inputs. Stacking all n·R rows instead would repeat every input R times,
/// and KSG's marginal counts cannot handle such atoms in X (each point's R − 1 twins always fall
/// within its radius, biasing S1(X;T) down). The pooled file has the run-file schema
/// (``PooledRunFile``), so `infoplane analyze` (or h5py) reads it like any run.
public enum EnsemblePool {
    /// Row `i` of the pool comes from copy `i mod R`: `layers[c]` is copy c's n × width matrix.
    public static func pool(_ layers: [[Float]], samples n: Int, width: Int) -> [Float] {
        var pooled = [Float](repeating: 0, count: n * width)
        pooled.withUnsafeMutableBufferPointer { target in
            for i in 0..<n {
                layers[i % layers.count].withUnsafeBufferPointer { source in
                    for j in 0..<width { target[i * width + j] = source[i * width + j] }
                }
            }
        }
        return pooled
    }

    /// Writes `path` (atomically) from the copies' run files, which must share their evaluation
    /// set, snapshot epochs and layer widths.
    /// - Parameter configText: the ensemble's canonical config, recorded as the file's config.
    public static func write(copies: [String], to path: String, configText: String, overwrite: Bool) throws {
        guard let first = copies.first else { throw InfoPlaneError("an ensemble needs at least one copy") }
        let readers = try copies.map { try RunFileReader(path: $0) }
        let evaluation = try readers[0].evaluation()
        let epochs = readers[0].epochs
        let layers = try readers[0].layers(samples: evaluation.samples, epochs: epochs)
        for reader in readers.dropFirst() {
            guard reader.epochs == epochs else {
                throw InfoPlaneError("\(reader.path) has snapshots \(reader.epochs) but \(first) has \(epochs): the copies must finish training before pooling (rerun with --resume)")
            }
            guard reader.datasetChecksum == readers[0].datasetChecksum, try reader.evaluation().inputs == evaluation.inputs else {
                throw InfoPlaneError("\(reader.path) has another evaluation set than \(first): copies of an ensemble must share their data")
            }
            guard try reader.layers(samples: evaluation.samples, epochs: epochs).elementsEqual(layers, by: { $0 == $1 }) else {
                throw InfoPlaneError("\(reader.path) has other hidden layers than \(first): copies of an ensemble must share their architecture")
            }
        }
        try PooledRunFile.write(to: path, template: first, configText: configText, copies: copies.count,
                                pooling: "row i from copy i mod \(copies.count)", epochs: epochs, layers: layers,
                                samples: evaluation.samples, overwrite: overwrite) { epoch, layer in
            let width = layers.first { $0.layer == layer }!.width
            return pool(try readers.map { try $0.activations(epoch: epoch, layer: layer) }, samples: evaluation.samples, width: width)
        }
    }
}
