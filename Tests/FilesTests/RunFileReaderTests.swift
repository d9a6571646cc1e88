import Files
import Foundation
import Storage
import Support
import Testing

/// A run file with snapshots of epochs `epochs`, five 4 × 2 layers each valued `epoch·10 + layer`.
func writeRunFile(_ path: String, epochs: [Int]) throws {
    let file = try HDF5File.create(at: path, overwrite: false)
    try file.root.write("evaluation/inputs", [Float](repeating: 0.5, count: 4 * 3), shape: [4, 3])
    try file.root.write("evaluation/labels", [Int64]([0, 1, 0, 1]), shape: [4])
    for epoch in epochs { try addSnapshot(epoch, file) }
    try file.close()
}

func addSnapshot(_ epoch: Int, _ file: HDF5File) throws {
    let group = try file.root.createGroup("snapshots/epoch_\(String(format: "%06d", epoch))")
    for layer in 1...5 {
        try group.write("layer_\(layer)", [Float](repeating: Float(epoch * 10 + layer), count: 4 * 2), shape: [4, 2])
    }
}

/// `RunFileReader` follows a run file that the trainer is still writing.
@Suite struct RunFileReaderTests {
    @Test func readsSnapshotsWrittenAfterItWasOpened() throws {
        let path = NSTemporaryDirectory() + "infoplane-reader-\(UUID().uuidString.prefix(8)).h5"
        defer { unlink(path) }
        try writeRunFile(path, epochs: [0])
        let reader = try RunFileReader(path: path)
        #expect(reader.epochs == [0])
        let later = try HDF5File.open(at: path, writable: true)
        try addSnapshot(1, later)
        try later.close()
        #expect(try reader.activations(epoch: 1, layer: 1) == [Float](repeating: 11, count: 8))
        #expect(reader.epochs == [0, 1])
        #expect(throws: InfoPlaneError.self) { try reader.activations(epoch: 2, layer: 1) }
        let evaluation = try reader.evaluation()
        #expect(evaluation.samples == 4 && evaluation.features == 3 && evaluation.targets == .labels([0, 1, 0, 1]))
    }
}
