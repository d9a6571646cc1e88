import Foundation
import Storage
import Testing

private let smoke = "\(packageRoot)/configs/smoke.yaml"

@Suite struct TrainCommandTests {
    @Test func smokeRunWritesTheDocumentedLayout() throws {
        let dir = try temporaryDirectory("smoke")
        let result = try infoplane("train", smoke, "--out", dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("5 snapshots"))
        #expect(result.stderr.contains("epoch 5/5"))

        let file = try HDF5File.open(at: "\(dir)/run.h5", writable: false)
        defer { try? file.close() }
        let root = file.root
        #expect(try root.stringAttribute("format") == "infoplane-run")
        #expect(try root.stringAttribute("dataset_name") == "synthetic")
        #expect(try root.intsAttribute("hidden_widths") == [16, 12, 8])
        #expect(try root.group("evaluation").datasetInfo("inputs").shape == [500, 16])
        #expect(try root.group("training").read("epoch", as: Int64.self).values == [1, 2, 3, 4, 5])
        let snapshots = try root.group("snapshots").members().map(\.name)
        #expect(snapshots == ["epoch_000000", "epoch_000001", "epoch_000002", "epoch_000003", "epoch_000005"])
        let layer2 = try root.group("snapshots/epoch_000003").read("layer_2", as: Float.self)
        #expect(layer2.shape == [500, 12])
        #expect(layer2.values.allSatisfy { $0 >= 0 && $0.isFinite }, "ReLU activations are non-negative")

        // h5dump reads the header, and h5py reads values and string attributes.
        let dump = try runProcess("/usr/bin/h5dump", ["-H", "\(dir)/run.h5"])
        #expect(dump.status == 0)
        for name in ["evaluation", "inputs", "labels", "training", "test_accuracy", "snapshots", "layer_3", "checkpoint"] {
            #expect(dump.stdout.contains(name), "h5dump -H lacks \(name)")
        }
        let script = """
            import h5py, sys
            f = h5py.File(sys.argv[1], "r")
            assert f.attrs["format"] == "infoplane-run", f.attrs["format"]
            assert "dataset:" in f.attrs["config"]
            x = f["snapshots/epoch_000005/layer_1"][...]
            assert x.shape == (500, 16) and x.dtype.name == "float32"
            y = f["evaluation/labels"][...]
            assert y.dtype.kind == "i" and set(y.tolist()) <= {0, 1, 2, 3}
            print(len(f["training/test_accuracy"]), float(f["training/test_accuracy"][-1]))
            """
        let py = try runProcess(python, ["-c", script, "\(dir)/run.h5"])
        #expect(py.status == 0, "h5py check failed: \(py.stderr)")
        let fields = py.stdout.split(separator: " ")
        #expect(fields.first == "5")
        #expect((Double(fields.last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0) > 0.8, "smoke data is learnable")

        let inspect = try infoplane("inspect", "\(dir)/run.h5")
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("5 epochs done"))
        #expect(inspect.stdout.contains("16-16-12-8-4 relu"))
        #expect(inspect.stdout.contains("at epochs 0 1 2 3 5"))
    }

    @Test func existingRunIsRefusedUntouchedWithoutResumeOrForce() throws {
        let dir = try temporaryDirectory("exists")
        #expect(try infoplane("train", smoke, "--out", dir, "--quiet").status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run.h5"))
        let again = try infoplane("train", smoke, "--out", dir)
        expectOneLineError(again, ["already holds a run", "--resume", "--force"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run.h5")) == before)
        // --resume on a finished run does nothing and succeeds; --force replaces it.
        let resumed = try infoplane("train", smoke, "--out", dir, "--resume")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("already complete"))
        #expect(try infoplane("train", smoke, "--out", dir, "--force", "--quiet").status == 0)
    }

    @Test func resumeAfterAKillIsBitIdenticalToAnUninterruptedRun() throws {
        let reference = try temporaryDirectory("ref")
        let interrupted = try temporaryDirectory("killed")
        let overrides = ["--set", "training.epochs=8", "--set", "snapshots.epochs=[0, 2, 4, 6, 8]"]
        let full = try runProcess(infoplaneBinary, ["train", smoke, "--out", reference, "--quiet"] + overrides)
        #expect(full.status == 0, "\(full.stderr)")
        // The fault hook SIGKILLs the process right after epoch 5 is on disk.
        let killed = try runProcess(infoplaneBinary, ["train", smoke, "--out", interrupted, "--quiet"] + overrides,
                                    environment: ["INFOPLANE_FAULT_KILL_AFTER_EPOCH": "5"])
        #expect(killed.status != 0)
        #expect(try runProcess("/usr/bin/h5dump", ["-H", "\(interrupted)/run.h5"]).status == 0, "killed run's file must open")
        let partial = try HDF5File.open(at: "\(interrupted)/run.h5", writable: false)
        #expect(try partial.root.group("training").read("epoch", as: Int64.self).values == [1, 2, 3, 4, 5])
        try partial.close()
        let resume = try runProcess(infoplaneBinary, ["train", smoke, "--out", interrupted, "--resume"] + overrides)
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stderr.contains("resuming"))
        try expectSameRun("\(reference)/run.h5", "\(interrupted)/run.h5")
    }

    @Test func resumeWithADifferentConfigIsRefusedNamingTheDifference() throws {
        let dir = try temporaryDirectory("differ")
        #expect(try infoplane("train", smoke, "--out", dir, "--quiet").status == 0)
        // (Raising training.epochs alone trains the run further: ExtendRunTests.)
        let result = try infoplane("train", smoke, "--out", dir, "--resume", "--quiet", "--set", "training.batch_size=32")
        expectOneLineError(result, ["--resume refused", "training.batch_size: 64 ≠ 32"])
    }

    @Test func badInputGivesOneLineErrorsAndNoFile() throws {
        let dir = try temporaryDirectory("bad")
        let out = "\(dir)/out"
        expectOneLineError(try infoplane("train", "\(dir)/missing.yaml", "--out", out), ["no such config file"])
        expectOneLineError(try infoplane("train", smoke, "--out", out, "--set", "training.epoch=3"),
                           ["unknown key 'training.epoch'", "did you mean 'training.epochs'"])
        expectOneLineError(try infoplane("train", smoke, "--out", out, "--set", "model.hidden=[8, 0]"),
                           ["'model.hidden' = 0 is impossible"])
        expectOneLineError(try infoplane("train", smoke, "--out", out, "--set", "training.epochs=-2"),
                           ["'training.epochs' = -2 is impossible"])
        expectOneLineError(try infoplane("train", smoke, "--out", "/etc/hostname/run"), ["/etc/hostname/run", "--out"])
        let fashion = try imageConfig(in: dir, dataset: "fashion-mnist", path: "\(dir)/nowhere")
        expectOneLineError(try infoplane("train", fashion, "--out", out, "--quiet"), ["\(dir)/nowhere"])
        expectOneLineError(try infoplane("train", smoke, "--out", out, "--quiet", "--set", "dataset.evaluation_size=5000"),
                           ["evaluation_size = 5000 is larger than the test split"])
        #expect(!FileManager.default.fileExists(atPath: "\(out)/run.h5"), "a failed run must not leave run.h5")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        #expect(leftovers.isEmpty, "no partial files: \(leftovers)")
    }

    @Test func corruptIDXFilesAreRejectedWithoutLeavingAFile() throws {
        let dir = try temporaryDirectory("idx")
        let data = "\(dir)/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        // Three images but two labels, and a truncated test image file.
        try writeIDX(data + "/train-images-idx3-ubyte", dims: [3, 28, 28], payload: [UInt8](repeating: 1, count: 3 * 784))
        try writeIDX(data + "/train-labels-idx1-ubyte", dims: [2], payload: [0, 1])
        try writeIDX(data + "/t10k-images-idx3-ubyte", dims: [2, 28, 28], payload: [UInt8](repeating: 1, count: 784))
        try writeIDX(data + "/t10k-labels-idx1-ubyte", dims: [2], payload: [0, 1])
        let out = "\(dir)/out"
        let config = try imageConfig(in: dir, dataset: "mnist", path: data, evaluationSize: 2)
        let result = try infoplane("train", config, "--out", out, "--quiet")
        expectOneLineError(result, ["train-labels-idx1-ubyte", "3", "2"])
        #expect(!FileManager.default.fileExists(atPath: "\(out)/run.h5"))
        // Wrong magic number.
        try Data([0x1F, 0x00, 0x08, 0x01, 0, 0, 0, 2, 0, 1]).write(to: URL(fileURLWithPath: data + "/train-labels-idx1-ubyte"))
        let magic = try infoplane("train", config, "--out", out, "--quiet")
        expectOneLineError(magic, ["is not an IDX file", "starts with bytes 1F 00 08 01"])
    }

    @Test func unknownFilesAndCommandsFailCleanly() throws {
        let dir = try temporaryDirectory("inspect")
        try "not hdf5".write(toFile: "\(dir)/x.h5", atomically: true, encoding: .utf8)
        expectOneLineError(try infoplane("inspect", "\(dir)/x.h5"), ["not an HDF5 file"])
        expectOneLineError(try infoplane("inspect", "\(dir)/missing.h5"), ["missing.h5"])
        let list = try infoplane("data", "list")
        #expect(list.status == 0)
        #expect(list.stdout.contains("fashion-mnist"))
        #expect(list.stdout.contains("mnist"))
    }
}

/// A small config over an image dataset at `path`; returns its file path.
func imageConfig(in directory: String, dataset: String, path: String, evaluationSize: Int = 100) throws -> String {
    let file = "\(directory)/\(dataset)-test.yaml"
    try """
        dataset:
          name: \(dataset)
          path: \(path)
          evaluation_size: \(evaluationSize)
        model:
          hidden: [8, 8]
        training:
          epochs: 1
        snapshots:
          epochs: [0, 1]
        """.write(toFile: file, atomically: true, encoding: .utf8)
    return file
}

/// Writes an IDX file of unsigned bytes.
func writeIDX(_ path: String, dims: [Int], payload: [UInt8]) throws {
    var bytes: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
    for d in dims { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    try Data(bytes + payload).write(to: URL(fileURLWithPath: path))
}

/// Every curve value, snapshot and checkpoint tensor of two run files is bit-identical.
func expectSameRun(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let fa = try HDF5File.open(at: a, writable: false), fb = try HDF5File.open(at: b, writable: false)
    defer { try? fa.close(); try? fb.close() }
    for name in ["epoch"] {
        #expect(try fa.root.group("training").read(name, as: Int64.self).values
                == fb.root.group("training").read(name, as: Int64.self).values, sourceLocation: sourceLocation)
    }
    for name in ["train_loss", "train_accuracy", "test_loss", "test_accuracy"] {
        let x = try fa.root.group("training").read(name, as: Double.self).values
        let y = try fb.root.group("training").read(name, as: Double.self).values
        #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "curve \(name) differs", sourceLocation: sourceLocation)
    }
    let snapshotsA = try fa.root.group("snapshots").members().map(\.name)
    #expect(snapshotsA == (try fb.root.group("snapshots").members().map(\.name)), sourceLocation: sourceLocation)
    for snapshot in snapshotsA {
        for layer in try fa.root.group("snapshots/\(snapshot)").members().map(\.name) {
            let x = try fa.root.group("snapshots/\(snapshot)").read(layer, as: Float.self).values
            let y = try fb.root.group("snapshots/\(snapshot)").read(layer, as: Float.self).values
            #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "\(snapshot)/\(layer) differs", sourceLocation: sourceLocation)
        }
    }
}
