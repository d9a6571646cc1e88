import Foundation
import Testing

/// Issue 16 item 5: messages that pointed the wrong way, each reproduced and now pointing right.
@Suite(.serialized) struct MessageTests {
    /// A tiny trained run (2 epochs, snapshots 0, 1, 2) in a fresh directory.
    static func tinyRun(_ label: String) throws -> String {
        let dir = try temporaryDirectory(label)
        let result = try runProcess(infoplaneBinary, ["train", KillPointTests.smoke, "--out", "\(dir)/run"] + ExtendRunTests.twoEpochs)
        try #require(result.status == 0, "\(result.stderr)")
        return dir
    }

    @Test("a truncated HDF5 file is called truncated, not locked by another process")
    func truncatedFileIsNamed() throws {
        let dir = try Self.tinyRun("truncated")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/run.h5"))
        try whole.prefix(2000).write(to: URL(fileURLWithPath: "\(dir)/cut.h5"))
        for arguments in [["inspect", "\(dir)/cut.h5"], ["analyze", "\(dir)/cut.h5", "--out", "\(dir)/out/plane.h5"],
                          ["estimate", "--input", "\(dir)/cut.h5", "--x", "a", "--y", "b"]] {
            let result = try runProcess(infoplaneBinary, arguments)
            expectOneLineError(result, ["cut.h5 is truncated", "copy it again, or recreate it"])
            #expect(!result.stderr.contains("another process"), "\(arguments[0]): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/out"))
    }

    @Test("inspect summarises run.h5, plane.h5, plane-binning.h5 and redundancy.h5 as InfoPlane files")
    func inspectKnowsEveryFileWeWrite() throws {
        let dir = try Self.tinyRun("inspect")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = "\(dir)/run/run.h5"
        for arguments in [["analyze", run, "--slices", "8", "--quiet"], ["analyze", run, "--method", "binning", "--quiet"],
                          ["redundancy", run, "--slices", "8", "--quiet"]] {
            let made = try runProcess(infoplaneBinary, arguments)
            try #require(made.status == 0, "\(made.stderr)")
        }
        let expected = [("run.h5", "InfoPlane run file"), ("plane.h5", "InfoPlane plane file"),
                        ("plane-binning.h5", "InfoPlane plane file"), ("redundancy.h5", "InfoPlane redundancy file")]
        for (file, heading) in expected {
            let result = try infoplane("inspect", "\(dir)/run/\(file)")
            #expect(result.status == 0, "\(file): \(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.first?.contains(heading) == true && !result.stdout.contains("not written by InfoPlane"), "\(file): \(result.stdout)")
            #expect(lines.count < 20, "\(file): a summary, not a tree: \(result.stdout)")
        }
        let plane = try infoplane("inspect", "\(dir)/run/plane.h5").stdout
        #expect(plane.contains("3 of 3 planned (complete)") && plane.contains("layer_2 at epoch 2: S1(X;T)") && plane.contains("8 slices"), "\(plane)")
        let binning = try infoplane("inspect", "\(dir)/run/plane-binning.h5").stdout
        #expect(binning.contains("layer_1 at epoch 2: I(X;T)") && !binning.contains("±"), "\(binning)")
        let redundancy = try infoplane("inspect", "\(dir)/run/redundancy.h5").stdout
        #expect(redundancy.contains("layer_1 at epoch 2: Σ I(T_i;Y) / S1(T;Y) = "), "\(redundancy)")
    }

    @Test("--out into folders that do not exist yet creates them for train, analyze --method binning and redundancy")
    func missingOutputFoldersAreCreated() throws {
        let dir = try Self.tinyRun("missing-out")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = "\(dir)/run/run.h5"
        for (arguments, output) in [
            (["train", KillPointTests.smoke, "--out", "\(dir)/a/b/c"] + ExtendRunTests.twoEpochs, "\(dir)/a/b/c/run.h5"),
            (["analyze", run, "--method", "binning", "--out", "\(dir)/d/e/p.h5", "--quiet"], "\(dir)/d/e/p.h5"),
            (["redundancy", run, "--slices", "8", "--out", "\(dir)/f/g/r.h5", "--quiet"], "\(dir)/f/g/r.h5"),
        ] {
            let result = try runProcess(infoplaneBinary, arguments)
            #expect(result.status == 0 && FileManager.default.fileExists(atPath: output), "\(arguments[0]): \(result.stderr)")
        }
    }

    @Test("data fetch mnist from an unreachable mirror fails in one line and leaves no directory behind")
    func offlineFetchLeavesNothing() throws {
        let dir = try temporaryDirectory("fetch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = try runProcess(infoplaneBinary, ["data", "fetch", "mnist", "--dir", "\(dir)/cache/infoplane/mnist"],
                                    environment: ["INFOPLANE_MNIST_MIRROR": "file://\(dir)/no-such-mirror/"])
        #expect(result.status != 0)
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.count == 1 && errors[0].contains("could not download") && errors[0].contains("\(dir)/cache/infoplane/mnist by hand"),
                "\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left.isEmpty, "left behind: \(left)")
    }

    @Test("float64 arrays (numpy's default) are read by redundancy, the classic planes and estimate: no 'read it as a wider type'")
    func float64ArraysAreConvertedEverywhere() throws {
        let dir = try temporaryDirectory("float64")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = """
            import h5py, numpy as np, sys
            rng = np.random.default_rng(4)
            x = rng.normal(size=(300, 12)); y = (x[:, 0] > 0).astype("i8") + 2 * (x[:, 1] > 0)
            with h5py.File(sys.argv[1], "w") as f:
                f["evaluation/inputs"] = x; f["evaluation/labels"] = y
                for epoch in (0, 5):
                    g = f.create_group(f"snapshots/epoch_{epoch}"); g.attrs["epoch"] = epoch
                    g["layer_1"] = np.tanh(x @ rng.normal(size=(12, 5)))
            """
        let made = try runProcess(python, ["-c", script, "\(dir)/acts.h5"])
        try #require(made.status == 0, "\(made.stderr)")
        for arguments in [["redundancy", "\(dir)/acts.h5", "--slices", "8", "--quiet"],
                          ["analyze", "\(dir)/acts.h5", "--method", "binning", "--quiet"],
                          ["analyze", "\(dir)/acts.h5", "--method", "kde", "--quiet"],
                          ["estimate", "--input", "\(dir)/acts.h5", "--x", "snapshots/epoch_5/layer_1", "--y", "evaluation/inputs", "--slices", "8"]] {
            let result = try runProcess(infoplaneBinary, arguments)
            #expect(result.status == 0 && !result.stderr.contains("wider type"), "\(arguments[0]) \(arguments[2]): \(result.stderr)")
        }
    }

    @Test("each command's --help describes its own options, not another command's")
    func helpTextsBelongToTheirCommand() throws {
        let analyze = try infoplane("analyze", "--help").stdout
        #expect(!analyze.lowercased().contains("redundancy"), "\(analyze)")
        let redundancy = try infoplane("redundancy", "--help").stdout
        #expect(redundancy.contains("each half"), "\(redundancy)")
        let estimate = try infoplane("estimate", "--help").stdout
        #expect(estimate.contains("--continuous-y") && !estimate.contains("ross with --discrete-y"), "\(estimate)")
        let inspect = try infoplane("inspect", "--help").stdout
        #expect(inspect.contains("plane.h5") && inspect.contains("redundancy.h5"), "\(inspect)")
    }
}
