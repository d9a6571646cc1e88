import Analysis
import Files
import Foundation
import Storage
import Support
import Testing

/// The analysis's activation cache over a run file the trainer is still writing.
@Suite struct ActivationCacheTests {
    /// During `run`, rank 0 remembers only the last few layers it produced; a layer it no longer
    /// holds is read back from a snapshot written after the file was opened.
    @Test func anEvictedLayerIsReadBackFromTheFile() throws {
        let path = NSTemporaryDirectory() + "infoplane-cache-\(UUID().uuidString.prefix(8)).h5"
        defer { unlink(path) }
        let file = try HDF5File.create(at: path, overwrite: false)
        try file.root.write("evaluation/inputs", [Float](repeating: 0.5, count: 4 * 3), shape: [4, 3])
        try file.root.write("evaluation/labels", [Int64]([0, 1, 0, 1]), shape: [4])
        for layer in 1...5 { try file.root.write("snapshots/epoch_000000/layer_\(layer)", [Float](repeating: Float(layer), count: 8), shape: [4, 2]) }
        try file.close()
        let cache = ActivationCache(reader: try RunFileReader(path: path))
        let later = try HDF5File.open(at: path, writable: true)
        for layer in 1...5 { try later.root.write("snapshots/epoch_000001/layer_\(layer)", [Float](repeating: Float(10 + layer), count: 8), shape: [4, 2]) }
        try later.close()
        // Remembered values win over the file; five overflow the cache, so layer 1 comes from disk.
        for layer in 1...5 { cache.remember(epoch: 1, layer: layer, [Float](repeating: -Float(layer), count: 8)) }
        #expect(try cache.activations(epoch: 1, layer: 5) == [Float](repeating: -5, count: 8))
        #expect(try cache.activations(epoch: 1, layer: 1) == [Float](repeating: 11, count: 8))
        #expect(cache.reader.epochs == [0, 1])
    }
}
