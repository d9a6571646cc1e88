import Config
import Files
import Foundation
import Learning
import Storage
import Support
import Testing

/// run.h5 (format 2) as training writes it: an index republished per epoch, parts written once,
/// and `--resume` reading the index, removing debris, and refusing what it cannot continue.
@Suite struct RunFileWriterTests {
    private func checkpoint(_ epoch: Int) -> TrainingCheckpoint {
        TrainingCheckpoint(epoch: epoch, step: epoch * 10, tensors: [NamedTensor(name: "W1", rows: 1, columns: 2, values: [Float(epoch), 1])])
    }

    private func metrics(_ epoch: Int) -> EpochMetrics {
        EpochMetrics(epoch: epoch, trainLoss: 1 / Double(epoch), trainAccuracy: 0.5, testLoss: 1, testAccuracy: 0.5, seconds: 0.1)
    }

    private let config = try! ExperimentConfig.parse(yaml: "model:\n  hidden: [2]\n", source: "inline")
    private let layer = Matrix(rows: 3, columns: 2, storage: [1, 2, 3, 4, 5, 6])

    /// A run of `epochs` epochs in a new directory (snapshots at 0 and from epoch 2 on).
    private func makeRun(epochs: Int) throws -> (RunDirectory, RunFileWriter) {
        let path = NSTemporaryDirectory() + "infoplane-runfile-\(UUID().uuidString.prefix(8))"
        try OutputDirectory.prepare(path)
        let directory = RunDirectory(path)
        let evaluation = Split(inputs: Matrix(rows: 3, columns: 1, storage: [0, 1, 2]), labels: [0, 1, 0])
        let header = RunFileHeader(config: config, dataset: DatasetIdentity(name: "d", source: "s", sha256: "ab"), classes: 2,
                                   evaluation: evaluation, hiddenWidths: [2])
        let writer = try RunFileWriter.create(in: directory, overwrite: false, header: header, stopping: nil, initialSnapshot: [layer],
                                              initialStopping: nil, checkpoint: checkpoint(0))
        for epoch in stride(from: 1, through: epochs, by: 1) {
            try writer.appendEpoch(metrics: metrics(epoch), snapshot: epoch >= 2 ? [layer] : nil, stopping: nil, checkpoint: checkpoint(epoch))
        }
        return (directory, writer)
    }

    private func parts(_ directory: RunDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path + "/parts").sorted()
    }

    @Test func theIndexLinksEachPartAndKeepsTheTwoNewestCheckpoints() throws {
        let (directory, _) = try makeRun(epochs: 3)
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        #expect(try RunFile.snapshotEpochs(path: directory.runFile) == [0, 2, 3])
        #expect(try parts(directory) == ["checkpoint-000002.h5", "checkpoint-000003.h5", "evaluation.h5",
                                         "snapshot-000000.h5", "snapshot-000002.h5", "snapshot-000003.h5"])
        let file = try HDF5File.open(at: directory.runFile, writable: false)
        defer { try? file.close() }
        // Readers see one file: the links are followed.
        #expect(try file.root.read("snapshots/epoch_000002/layer_1", as: Float.self).values == layer.storage)
        #expect(try file.root.group("checkpoint/slot_1").intAttribute("epoch") == 3)
        #expect(try file.root.group("checkpoint/slot_0").intAttribute("epoch") == 2)
        #expect(try file.root.read("evaluation/labels", as: Int64.self).values == [0, 1, 0])
        #expect(try file.root.read("training/epoch", as: Int64.self).values == [1, 2, 3])
        #expect(try file.root.intAttribute("format_version") == 2)
    }

    @Test func smallSnapshotLayersAreStoredRawAndLargeOnesDeflated() throws {
        let path = NSTemporaryDirectory() + "infoplane-runfile-\(UUID().uuidString.prefix(8))"
        try OutputDirectory.prepare(path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let directory = RunDirectory(path)
        // 32 MiB of float32 (the threshold) against one row fewer.
        let wide = Matrix(rows: 2048, columns: 4096, storage: (0..<(2048 * 4096)).map { Float($0 % 7) })
        let narrow = Matrix(rows: 2047, columns: 4096, storage: Array(wide.storage.prefix(2047 * 4096)))
        let evaluation = Split(inputs: Matrix(rows: 3, columns: 1, storage: [0, 1, 2]), labels: [0, 1, 0])
        let header = RunFileHeader(config: config, dataset: DatasetIdentity(name: "d", source: "s", sha256: "ab"), classes: 2,
                                   evaluation: evaluation, hiddenWidths: [4096, 4096])
        _ = try RunFileWriter.create(in: directory, overwrite: false, header: header, stopping: nil, initialSnapshot: [wide, narrow],
                                     initialStopping: nil, checkpoint: checkpoint(0))
        let file = try HDF5File.open(at: directory.runFile, writable: false)
        defer { try? file.close() }
        let snapshot = try file.root.group("snapshots/epoch_000000")
        #expect(try snapshot.datasetInfo("layer_1").filters == ["shuffle", "deflate"])
        #expect(try snapshot.datasetInfo("layer_2").filters == [])
        #expect(try snapshot.datasetInfo("layer_2").chunkShape == nil)
        #expect(try snapshot.read("layer_1", as: Float.self).values == wide.storage)
        #expect(try snapshot.read("layer_2", as: Float.self).values == narrow.storage)
    }

    @Test func resumeContinuesFromTheIndexAndRemovesDebris() throws {
        let (directory, _) = try makeRun(epochs: 3)
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        // A kill after epoch 4's parts were published but before its index: debris, and a
        // temporary of a dead writer.
        for name in ["snapshot-000004.h5", "checkpoint-000004.h5", "checkpoint-000001.h5", "snapshot-000004.h5.partial-999999"] {
            #expect(FileManager.default.createFile(atPath: directory.path + "/parts/" + name, contents: Data("x".utf8)))
        }
        #expect(FileManager.default.createFile(atPath: directory.runFile + ".partial-999999", contents: Data("x".utf8)))
        let (writer, restored) = try RunFileWriter.resume(in: directory, canonicalText: config.canonicalText, datasetSHA256: "ab", hasStopping: false)
        #expect(restored == checkpoint(3))
        #expect(try parts(directory) == ["checkpoint-000002.h5", "checkpoint-000003.h5", "evaluation.h5",
                                         "snapshot-000000.h5", "snapshot-000002.h5", "snapshot-000003.h5"])
        #expect(!FileManager.default.fileExists(atPath: directory.runFile + ".partial-999999"))
        try writer.appendEpoch(metrics: metrics(4), snapshot: [layer], stopping: nil, checkpoint: checkpoint(4))
        #expect(try RunFile.snapshotEpochs(path: directory.runFile) == [0, 2, 3, 4])
        #expect(try parts(directory).filter { $0.hasPrefix("checkpoint") } == ["checkpoint-000003.h5", "checkpoint-000004.h5"])
    }

    @Test func resumeRefusesAnotherConfigOtherDataAMissingPartAndFormatOne() throws {
        let (directory, _) = try makeRun(epochs: 2)
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        var other = config
        other.training.epochs = 3
        #expect(throws: InfoPlaneError.self) {
            try RunFileWriter.resume(in: directory, canonicalText: other.canonicalText, datasetSHA256: "ab", hasStopping: false)
        }
        #expect(throws: InfoPlaneError.self) {
            try RunFileWriter.resume(in: directory, canonicalText: self.config.canonicalText, datasetSHA256: "cd", hasStopping: false)
        }
        // A linked part deleted by hand: one line naming it, never a loop of resumes.
        unlink(directory.path + "/parts/snapshot-000002.h5")
        let missing = #expect(throws: InfoPlaneError.self) {
            try RunFileWriter.resume(in: directory, canonicalText: self.config.canonicalText, datasetSHA256: "ab", hasStopping: false)
        }
        #expect(missing?.description.contains("parts/snapshot-000002.h5, which is missing") == true)
        #expect(throws: InfoPlaneError.self) { try RunFileReader(path: directory.runFile) }
        // A format-1 file (one file written in place) is refused, naming both ways out.
        let v1 = directory.path + "/v1"
        try OutputDirectory.prepare(v1)
        try writeAtomically(to: RunDirectory(v1).runFile, overwrite: false) { file in
            try file.root.setAttribute("format", .string("infoplane-run"))
            try file.root.setAttribute("format_version", .int(1))
        }
        let refused = #expect(throws: InfoPlaneError.self) {
            try RunFileWriter.resume(in: RunDirectory(v1), canonicalText: self.config.canonicalText, datasetSHA256: "ab", hasStopping: false)
        }
        #expect(refused?.description.contains("format-1") == true && refused?.description.contains("--force") == true)
    }

    @Test func createRefusesAnExistingRunWithoutOverwriteAndReplacesItWith() throws {
        let (directory, _) = try makeRun(epochs: 3)
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let evaluation = Split(inputs: Matrix(rows: 3, columns: 1, storage: [0, 1, 2]), labels: [0, 1, 0])
        let header = RunFileHeader(config: config, dataset: DatasetIdentity(name: "d", source: "s", sha256: "ab"), classes: 2,
                                   evaluation: evaluation, hiddenWidths: [2])
        #expect(throws: InfoPlaneError.self) {
            try RunFileWriter.create(in: directory, overwrite: false, header: header, stopping: nil, initialSnapshot: nil,
                                     initialStopping: nil, checkpoint: self.checkpoint(0))
        }
        _ = try RunFileWriter.create(in: directory, overwrite: true, header: header, stopping: nil, initialSnapshot: nil,
                                     initialStopping: nil, checkpoint: checkpoint(0))
        #expect(try parts(directory) == ["checkpoint-000000.h5", "evaluation.h5"])
        #expect(try RunFile.snapshotEpochs(path: directory.runFile) == [])
    }
}
