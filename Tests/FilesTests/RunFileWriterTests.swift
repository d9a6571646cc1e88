import Config
import Files
import Foundation
import Learning
import Storage
import Support
import Testing

/// run.h5 as training writes it, and the rollback `--resume` does.
@Suite struct RunFileWriterTests {
    private func checkpoint(_ epoch: Int) -> TrainingCheckpoint {
        TrainingCheckpoint(epoch: epoch, step: epoch * 10, tensors: [NamedTensor(name: "W1", rows: 1, columns: 2, values: [Float(epoch), 1])])
    }

    private func metrics(_ epoch: Int) -> EpochMetrics {
        EpochMetrics(epoch: epoch, trainLoss: 1 / Double(epoch), trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, seconds: 0.1)
    }

    @Test func resumeRollsBackToTheNewestCompleteCheckpoint() throws {
        let directory = NSTemporaryDirectory() + "infoplane-runfile-\(UUID().uuidString.prefix(8))"
        try OutputDirectory.prepare(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = RunDirectory(directory).runFile
        let config = try ExperimentConfig.parse(yaml: "model:\n  hidden: [2]\n", source: "inline")
        let evaluation = Split(inputs: Matrix(rows: 3, columns: 1, storage: [0, 1, 2]), labels: [0, 1, 0])
        let header = RunFileHeader(config: config, dataset: DatasetIdentity(name: "d", source: "s", sha256: "ab"), classes: 2,
                                   evaluation: evaluation, hiddenWidths: [2])
        let layer = Matrix(rows: 3, columns: 2, storage: [1, 2, 3, 4, 5, 6])
        try RunFileWriter.create(at: path, overwrite: false, header: header, stopping: nil, initialSnapshot: [layer],
                                 initialStopping: nil, checkpoint: checkpoint(0))
        for epoch in 1...3 {
            try RunFileWriter.appendEpoch(at: path, metrics: metrics(epoch), snapshot: epoch >= 2 ? [layer] : nil, stopping: nil,
                                          checkpoint: checkpoint(epoch))
        }
        #expect(try RunFile.snapshotEpochs(path: path) == [0, 2, 3])
        // A kill while epoch 3's checkpoint was written: its slot is incomplete.
        let file = try HDF5File.open(at: path, writable: true)
        try file.root.group("checkpoint/slot_1").setAttribute("complete", .int(0))
        try file.close()

        let restored = try RunFile.rollBack(path, canonicalText: config.canonicalText, datasetSHA256: "ab", hasStopping: false)
        #expect(restored == checkpoint(2))
        #expect(try RunFile.snapshotEpochs(path: path) == [0, 2])
        let reread = try HDF5File.open(at: path, writable: false)
        #expect(try reread.root.read("training/epoch", as: Int64.self).values == [1, 2])
        try reread.close()

        // Another config or other data is refused, naming the difference.
        var other = config
        other.training.epochs = 3
        #expect(throws: InfoPlaneError.self) {
            try RunFile.rollBack(path, canonicalText: other.canonicalText, datasetSHA256: "ab", hasStopping: false)
        }
        #expect(throws: InfoPlaneError.self) {
            try RunFile.rollBack(path, canonicalText: config.canonicalText, datasetSHA256: "cd", hasStopping: false)
        }
    }
}
