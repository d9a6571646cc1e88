import Foundation
import Storage
import Testing

/// Issue 16 item 3: `--resume` with a raised `training.epochs` trains a finished run further, to
/// the bit-identical run (and plane) of one trained that long from the start; lowering the
/// epochs, moving a log-spaced schedule, or changing anything else is refused naming the key.
@Suite(.serialized) struct ExtendRunTests {
    static let smoke = KillPointTests.smoke
    /// The tiny smoke run of 2 epochs, snapshots at 0, 1, 2.
    static let short = ["--set", "dataset.train_size=300", "--set", "dataset.test_size=100", "--set", "dataset.evaluation_size=100",
                        "--set", "model.hidden=[6,4]", "--set", "analysis.slices=64"]
    static let twoEpochs = short + ["--set", "training.epochs=2", "--set", "snapshots.epochs=[0,1,2]", "--quiet"]
    /// Four epochs, with progress lines.
    static let fourLoud = short + ["--set", "training.epochs=4", "--set", "snapshots.epochs=[0,1,2,4]"]
    static let fourEpochs = fourLoud + ["--quiet"]

    /// The stored config of the run file at `path`.
    static func storedConfig(_ path: String) throws -> String? {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        return try file.root.stringAttribute("config")
    }

    @Test("train --resume with training.epochs 2 → 4 equals a 4-epoch run, config attribute included")
    func trainExtendsAFinishedRun() throws {
        let base = try temporaryDirectory("extend-train")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let reference = "\(base)/reference", extended = "\(base)/extended"
        #expect(try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", reference] + Self.fourEpochs).status == 0)
        #expect(try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", extended] + Self.twoEpochs).status == 0)
        let resumed = try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", extended, "--resume"] + Self.fourLoud)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming \(extended)/run.h5 after epoch 2 of 4 (training.epochs raised from 2)"), "\(resumed.stderr)")
        try ReliabilityTests.expectIdentical(extended, reference, files: ["run.h5"], "train extended 2 → 4")
        #expect(try Self.storedConfig("\(extended)/run.h5") == Self.storedConfig("\(reference)/run.h5"))
        #expect(try RunFileEpochs.snapshots("\(extended)/run.h5") == [0, 1, 2, 4])
        // The extended run is an ordinary 4-epoch run now: a plain resume finds it complete.
        let again = try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", extended, "--resume"] + Self.fourEpochs)
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
    }

    @Test("run --resume on 2 ranks with training.epochs 2 → 4 gives the run and plane of a 4-epoch run")
    func runExtendsRunAndPlane() throws {
        let base = try temporaryDirectory("extend-run")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let reference = "\(base)/reference", extended = "\(base)/extended"
        #expect(try mpirun(2, ["run", Self.smoke, "--out", reference] + Self.fourEpochs).status == 0)
        #expect(try mpirun(2, ["run", Self.smoke, "--out", extended] + Self.twoEpochs).status == 0)
        let resumed = try mpirun(2, ["run", Self.smoke, "--out", extended, "--resume"] + Self.fourEpochs)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try ReliabilityTests.expectIdentical(extended, reference, files: ["run.h5", "plane.h5"], "run extended 2 → 4")
        let csv = { (dir: String) in try String(contentsOfFile: "\(dir)/plane.csv", encoding: .utf8) }
        #expect(try csv(extended) == csv(reference))
        #expect(!FileManager.default.fileExists(atPath: "\(extended)/plane.journal"))
    }

    @Test("run --resume extending 2 → 4 epochs, killed at every write, resumes to the identical run and plane")
    func extensionKilledAtEveryWriteResumes() throws {
        let short = try temporaryDirectory("extend-kill-short")
        defer { try? FileManager.default.removeItem(atPath: short) }
        #expect(try runProcess(infoplaneBinary, ["run", Self.smoke, "--out", short] + Self.twoEpochs).status == 0)
        let extend = ["run", Self.smoke, "--resume"] + Self.fourEpochs
        let sweep = try KillPointTests.sweep(label: "extend", stride: 2, start: { dir, env in
            // The finished 2-epoch run, copied without the shim; the extension is what is killed.
            try FileManager.default.copyItem(atPath: short, toPath: dir)
            return try runProcess(infoplaneBinary, extend + ["--out", dir], environment: env)
        }, resume: { dir in
            try runProcess(infoplaneBinary, extend + ["--out", dir])
        }, outputs: { ["\($0)/run.h5", "\($0)/plane.h5"] })
        KillPointTests.report("extend", sweep)
    }

    @Test("a run the stopping rule stopped stays stopped when extended, and equals a run of the new length")
    func stoppedRunStaysStopped() throws {
        let base = try temporaryDirectory("extend-stopped")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let config = "\(packageRoot)/configs/stopping-smoke.yaml"
        // dense_until: 12 keeps epochs 0…12 as snapshots for 20 epochs too.
        #expect(try runProcess(infoplaneBinary, ["train", config, "--out", "\(base)/reference", "--quiet", "--set", "training.epochs=20"]).status == 0)
        #expect(try runProcess(infoplaneBinary, ["train", config, "--out", "\(base)/extended", "--quiet"]).status == 0)
        let resumed = try runProcess(infoplaneBinary, ["train", config, "--out", "\(base)/extended", "--resume", "--set", "training.epochs=20"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("already complete (7 epochs, stopped by the rule)"), "\(resumed.stderr)")
        try ReliabilityTests.expectIdentical("\(base)/extended", "\(base)/reference", files: ["run.h5"], "stopped run extended 12 → 20")
        #expect(try Self.storedConfig("\(base)/extended/run.h5") == Self.storedConfig("\(base)/reference/run.h5"))
    }

    @Test("lowering training.epochs, moving log-spaced snapshots, or changing another key on an extension is refused naming the key")
    func extensionsThatChangeTheRunAreRefused() throws {
        let base = try temporaryDirectory("extend-refused")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let dir = "\(base)/run"
        #expect(try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", dir] + Self.twoEpochs).status == 0)
        let before = try digestsPerFile(["\(dir)/run.h5"])
        func resume(_ extra: [String]) throws -> CommandResult {
            try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", dir, "--resume", "--quiet"] + Self.short + extra)
        }
        expectOneLineError(try resume(["--set", "training.epochs=1", "--set", "snapshots.epochs=[0,1]"]),
                           ["--resume refused", "training.epochs: 2 ≠ 1", "--force"])
        // An earlier snapshot added under more epochs would have to be in the past.
        expectOneLineError(try resume(["--set", "training.epochs=4", "--set", "snapshots.epochs=[0,1,4]"]),
                           ["--resume refused", "snapshots.epochs", "[0, 1, 2]", "add only later ones"])
        expectOneLineError(try resume(["--set", "training.epochs=4", "--set", "snapshots.epochs=[0,1,2,4]", "--set", "training.batch_size=32"]),
                           ["--resume refused", "training.batch_size: 64 ≠ 32"])
        #expect(try digestsPerFile(["\(dir)/run.h5"]) == before, "a refused extension changed the run file")

        // An ensemble pools the same snapshots of every copy: it is not extended.
        let ensemble = "\(base)/ensemble"
        #expect(try runProcess(infoplaneBinary, ["run", Self.smoke, "--out", ensemble, "--set", "replicas=2"] + Self.twoEpochs).status == 0)
        expectOneLineError(try runProcess(infoplaneBinary, ["run", Self.smoke, "--out", ensemble, "--resume", "--set", "replicas=2"] + Self.fourEpochs),
                           ["--resume refused", "training.epochs: 2 ≠ 4", "an ensemble (replicas: 2)"])

        // A log-spaced schedule ends at the last epoch, so more epochs move its snapshots.
        let logSpaced = "\(base)/log"
        let spaced = Self.short + ["--set", "training.epochs=3"]
        let config = "\(base)/log.yaml"
        try String(contentsOfFile: Self.smoke, encoding: .utf8)
            .replacingOccurrences(of: "  epochs: [0, 1, 2, 3, 5]", with: "  dense_until: 1\n  count: 3")
            .write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try runProcess(infoplaneBinary, ["train", config, "--out", logSpaced] + spaced).status == 0)
        expectOneLineError(try runProcess(infoplaneBinary, ["train", config, "--out", logSpaced, "--resume", "--quiet"] + Self.short + ["--set", "training.epochs=6"]),
                           ["--resume refused", "snapshots.dense_until/count", "[0, 1, 3]", "list snapshots.epochs"])
    }
}

/// Snapshot epochs of a run file, read with the Storage module.
enum RunFileEpochs {
    static func snapshots(_ path: String) throws -> [Int] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        return try file.root.group("snapshots").members().compactMap { Int($0.name.dropFirst("epoch_".count)) }.sorted()
    }
}
