import Foundation
@testable import Pipeline
import Storage
import Support
import Testing

/// `RunSource` follows a run file that the trainer is still writing.
@Suite struct RunSourceTests {
    /// During `run`, rank 0 remembers only the last few layers it produced; a layer it no longer
    /// holds is read back from a snapshot written after the source was opened.
    @Test func readsSnapshotsWrittenAfterItWasOpened() throws {
        let path = NSTemporaryDirectory() + "infoplane-runsource-\(UUID().uuidString.prefix(8)).h5"
        defer { unlink(path) }
        func addSnapshot(_ epoch: Int, _ file: HDF5File) throws {
            let group = try file.root.createGroup("snapshots/epoch_\(String(format: "%06d", epoch))")
            for layer in 1...5 {
                try group.write("layer_\(layer)", [Float](repeating: Float(epoch * 10 + layer), count: 4 * 2), shape: [4, 2])
            }
        }
        let file = try HDF5File.create(at: path, overwrite: false)
        try file.root.write("evaluation/inputs", [Float](repeating: 0.5, count: 4 * 3), shape: [4, 3])
        try file.root.write("evaluation/labels", [Int64]([0, 1, 0, 1]), shape: [4])
        try addSnapshot(0, file)
        try file.close()

        let source = try RunSource(path: path)
        #expect(source.epochs == [0])
        let later = try HDF5File.open(at: path, writable: true)
        try addSnapshot(1, later)
        try later.close()
        // Five remembered layers overflow the cache, so layer 1 must come from the file.
        for layer in 1...5 { source.remember(epoch: 1, layer: layer, [Float](repeating: Float(10 + layer), count: 8)) }
        #expect(try source.activations(epoch: 1, layer: 1) == [Float](repeating: 11, count: 8))
        #expect(source.epochs == [0, 1])
        #expect(throws: InfoPlaneError.self) { try source.activations(epoch: 2, layer: 1) }
    }
}
