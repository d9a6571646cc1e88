import Foundation
import Storage
import Testing

private let smoke = "\(packageRoot)/configs/smoke.yaml"
/// Small enough for CI: 3 layers × 5 snapshots × 2 blocks of slices = 30 work items.
private let slices = "64"

/// `mpirun -np P infoplane …` (oversubscribed: CI has 2 cores), allowed as root.
func mpirun(_ ranks: Int, _ arguments: [String], environment: [String: String] = [:],
            timeout: TimeInterval = 1_200) throws -> CommandResult {
    var env = environment
    env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    return try runProcess("/usr/bin/mpirun", ["-np", "\(ranks)", "--oversubscribe", infoplaneBinary] + arguments, environment: env,
                          timeout: timeout)
}

/// A trained smoke run (5 snapshots of 3 layers, 500 samples) in a fresh directory.
func smokeRun(_ label: String) throws -> String {
    let dir = try temporaryDirectory(label)
    let result = try infoplane("train", smoke, "--out", dir, "--quiet")
    #expect(result.status == 0, "\(result.stderr)")
    return dir
}

/// A second, narrower smoke run (2 hidden layers of 10 and 6 units, 3 snapshots), to set beside
/// `smokeRun`'s in figures that compare two runs.
func narrowSmokeRun(_ label: String) throws -> String {
    let dir = try temporaryDirectory(label)
    let result = try infoplane("train", smoke, "--out", dir, "--quiet", "--set", "model.hidden=[10,6]", "--set", "snapshots.epochs=[0,2,5]")
    #expect(result.status == 0, "\(result.stderr)")
    return dir
}

/// Every dataset of a plane file, by path, as bit patterns.
func planeContents(_ path: String) throws -> [String: [UInt64]] {
    let file = try HDF5File.open(at: path, writable: false)
    defer { try? file.close() }
    var contents: [String: [UInt64]] = [:]
    for layer in try file.root.members().map(\.name) {
        let group = try file.root.group(layer)
        for member in try group.members().map(\.name) {
            if member == "epoch" {
                contents["\(layer)/\(member)"] = try group.read(member, as: Int64.self).values.map { UInt64(bitPattern: $0) }
            } else {
                contents["\(layer)/\(member)"] = try group.read(member, as: Double.self).values.map(\.bitPattern)
            }
        }
    }
    return contents
}

func expectSamePlane(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let x = try planeContents(a), y = try planeContents(b)
    #expect(x.keys.sorted() == y.keys.sorted(), sourceLocation: sourceLocation)
    for (name, values) in x {
        #expect(values == y[name], "\(name) differs between \(a) and \(b)", sourceLocation: sourceLocation)
    }
}

@Suite(.serialized) struct PipelineCommandTests {
    @Test(arguments: [1, 2, 3])
    func clusterCheckPassesUnderMpirun(ranks: Int) throws {
        let result = try mpirun(ranks, ["cluster-check"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("cluster-check: \(ranks) rank(s)"))
        let checks = ranks > 1 ? ["broadcast", "gather", "send/receive", "isend/ireceive/test/wait", "headers/probe/iprobe", "errors", "pieces",
                                  "split", "shared window"]
                               : ["broadcast", "gather", "split", "shared window"]
        for check in checks { #expect(result.stdout.contains("\(check): ok"), "\(check) missing: \(result.stdout)") }
        #expect(result.stdout.hasSuffix("ok\n"))
    }

    @Test func clusterAbortEndsEveryRank() throws {
        let result = try mpirun(3, ["cluster-check", "--abort-from", "2"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("rank 2 aborts the job"))
    }

    @Test func planeIsBitIdenticalForAnyRankCountAndForRunVersusTrainThenAnalyze() throws {
        let dir = try smokeRun("determinism")
        let alone = try infoplane("analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/p1.h5")
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.stderr.contains("30 of 30 items to do on 1 rank(s)"))
        #expect(alone.stderr.contains("analysis: 5/5 snapshots"))
        for ranks in [2, 3, 4] {
            let result = try mpirun(ranks, ["analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/p\(ranks).h5", "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            try expectSamePlane("\(dir)/p1.h5", "\(dir)/p\(ranks).h5")
            #expect(try String(contentsOfFile: "\(dir)/p1.csv", encoding: .utf8) == String(contentsOfFile: "\(dir)/p\(ranks).csv", encoding: .utf8))
        }
        // Repeating a run gives the same file.
        let again = try infoplane("analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/p1.h5", "--force", "--quiet")
        #expect(again.status == 0, "\(again.stderr)")
        try expectSamePlane("\(dir)/p1.h5", "\(dir)/p2.h5")

        // Train and analyse at once, on 2 ranks: the same plane as train followed by analyze.
        let runDir = try temporaryDirectory("run")
        let run = try mpirun(2, ["run", smoke, "--out", runDir, "--set", "analysis.slices=\(slices)"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("epoch 5/5") && run.stderr.contains("analysis: 5/5 snapshots"))
        try expectSamePlane("\(dir)/p1.h5", "\(runDir)/plane.h5")
        try expectSameRun("\(dir)/run.h5", "\(runDir)/run.h5")
        #expect(!FileManager.default.fileExists(atPath: "\(runDir)/plane.journal"), "the journal is dropped once the plane is complete")

        // The documented schema, read with h5py; the CSV has one row per layer and snapshot.
        let script = """
            import h5py, sys
            f = h5py.File(sys.argv[1], "r")
            assert f.attrs["format"] == "infoplane-plane" and f.attrs["complete"] == 1
            assert int(f.attrs["k"]) == 5 and int(f.attrs["slices"]) == 64 and f.attrs["label_estimator"] == "ross"
            for L in (1, 2, 3):
                g = f[f"layer_{L}"]
                assert list(g["epoch"][...]) == [0, 1, 2, 3, 5]
                assert g["sxt_values"].shape == (5, 64) and g["sty_values"].shape == (5, 64)
                assert abs(g["sty"][-1] - g["sty_values"][-1].mean()) < 1e-12
            print("ok")
            """
        let py = try runProcess(python, ["-c", script, "\(runDir)/plane.h5"])
        #expect(py.status == 0 && py.stdout.contains("ok"), "\(py.stderr)")
        let csv = try String(contentsOfFile: "\(runDir)/plane.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "layer,epoch,sxt,sxt_se,sty,sty_se")
        #expect(csv.count == 1 + 3 * 5)
    }

    /// The README's recipe for PyTorch users: a run file written from scratch with h5py.
    @Test func aRunFileWrittenWithH5pyIsAnalysed() throws {
        let dir = try temporaryDirectory("h5py")
        let script = """
            import h5py, numpy as np, sys
            rng = np.random.default_rng(0)
            x = rng.normal(size=(400, 20)).astype("f4")
            y = (x[:, 0] > 0).astype("i8") + 2 * (x[:, 1] > 0)
            with h5py.File(sys.argv[1], "w") as f:
                f["evaluation/inputs"] = x
                f["evaluation/labels"] = y
                for epoch in (0, 10):
                    g = f.create_group(f"snapshots/epoch_{epoch}")
                    g.attrs["epoch"] = epoch
                    w = rng.normal(size=(20, 8)).astype("f4")
                    g["layer_1"] = np.maximum(x @ w, 0)
                    g["layer_2"] = np.tanh(x[:, :4] * (1 + epoch))
            """
        let made = try runProcess(python, ["-c", script, "\(dir)/acts.h5"])
        #expect(made.status == 0, "\(made.stderr)")
        let result = try mpirun(2, ["analyze", "\(dir)/acts.h5", "--slices", "64", "--seed", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        let contents = try planeContents("\(dir)/plane.h5")
        #expect(contents["layer_1/epoch"]?.map { Int64(bitPattern: $0) } == [0, 10])
        #expect(contents["layer_2/sty_values"]?.count == 2 * 64)
    }

    @Test func shuffleBaselineSitsNearZeroBelowTheSignal() throws {
        let dir = try smokeRun("baseline")
        let result = try mpirun(2, ["analyze", "\(dir)/run.h5", "--slices", "96", "--shuffle-baseline", "--epochs", "0,5", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let script = """
            import h5py, sys
            f = h5py.File(sys.argv[1], "r")
            assert f.attrs["shuffle_baseline"] == 1
            for L in (1, 2, 3):
                g = f[f"layer_{L}"]
                for q in ("sxt", "sty"):
                    assert g[q + "_baseline_values"].shape == (2, 96)
                    signal, base, se = g[q][-1], g[q + "_baseline"][-1], g[q + "_baseline_se"][-1]
                    # Independent pairings: the estimate is near zero (KSG's bias is small) and far below the signal.
                    assert abs(base) < 0.05 and abs(base) < 4 * se + 0.02, (L, q, base, se)
                    assert signal > base + 0.1, (L, q, signal, base)
            print("ok")
            """
        let py = try runProcess(python, ["-c", script, "\(dir)/plane.h5"])
        #expect(py.status == 0 && py.stdout.contains("ok"), "\(py.stdout)\(py.stderr)")
        let header = try String(contentsOfFile: "\(dir)/plane.csv", encoding: .utf8).split(separator: "\n").first
        #expect(header == "layer,epoch,sxt,sxt_se,sty,sty_se,sxt_baseline,sxt_baseline_se,sty_baseline,sty_baseline_se")
    }

    @Test func killedWorkerThenResumeFinishesWithoutRedoingItemsAndIsBitIdentical() throws {
        let dir = try smokeRun("kill")
        let reference = try infoplane("analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/reference.h5", "--quiet")
        #expect(reference.status == 0, "\(reference.stderr)")

        // Rank 1 is handed two items before rank 0 computes any, so it always reaches its second.
        let killed = try mpirun(2, ["analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/plane.h5", "--quiet"],
                                environment: ["INFOPLANE_FAULT_KILL_RANK": "1", "INFOPLANE_FAULT_KILL_AFTER_ITEMS": "2"])
        #expect(killed.status != 0, "a killed worker must end the job")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/plane.journal"))
        if FileManager.default.fileExists(atPath: "\(dir)/plane.h5") {
            #expect(try runProcess("/usr/bin/h5dump", ["-H", "\(dir)/plane.h5"]).status == 0, "a plane file left by a kill opens")
        }
        let refused = try infoplane("analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/plane.h5")
        expectOneLineError(refused, ["already holds an analysis", "--resume"])

        let journal = (try? String(contentsOfFile: "\(dir)/plane.journal", encoding: .utf8)) ?? ""
        // A line torn by the kill (no newline yet) is dropped on resume, so it does not count.
        let lines = journal.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let journalled = lines.filter { $0.hasPrefix("item ") }.count
        let resumed = try mpirun(2, ["analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/plane.h5", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let toDo = resumed.stderr.firstMatch(of: /(\d+) of 30 items to do/).flatMap { Int($0.1) }
        #expect(toDo == 30 - journalled, "journalled items (\(journalled)) are not recomputed: \(resumed.stderr)")
        try expectSamePlane("\(dir)/reference.h5", "\(dir)/plane.h5")

        // One process, killed after 4 items of its own, then resumed.
        let alone = try infoplane("analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/alone.h5", "--quiet",
                                  environment: ["INFOPLANE_FAULT_KILL_RANK": "0", "INFOPLANE_FAULT_KILL_AFTER_ITEMS": "4"])
        #expect(alone.status != 0)
        let finished = try infoplane("analyze", "\(dir)/run.h5", "--slices", slices, "--out", "\(dir)/alone.h5", "--resume")
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr.contains("26 of 30 items to do"), "\(finished.stderr)")
        try expectSamePlane("\(dir)/reference.h5", "\(dir)/alone.h5")
    }

    @Test func killedRunResumesToTheSamePlane() throws {
        let reference = try smokeRun("run-reference")
        #expect(try infoplane("analyze", "\(reference)/run.h5", "--slices", slices, "--quiet").status == 0)

        let dir = try temporaryDirectory("run-kill")
        let killed = try mpirun(2, ["run", smoke, "--out", dir, "--set", "analysis.slices=\(slices)", "--quiet"],
                                environment: ["INFOPLANE_FAULT_KILL_RANK": "1", "INFOPLANE_FAULT_KILL_AFTER_ITEMS": "5"])
        #expect(killed.status != 0)
        let resumed = try mpirun(2, ["run", smoke, "--out", dir, "--set", "analysis.slices=\(slices)", "--resume", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try expectSamePlane("\(reference)/plane.h5", "\(dir)/plane.h5")
        try expectSameRun("\(reference)/run.h5", "\(dir)/run.h5")

        let otherSeed = try mpirun(2, ["run", smoke, "--out", dir, "--set", "analysis.slices=\(slices)", "--set", "analysis.seed=99", "--resume"])
        #expect(otherSeed.status != 0)
        #expect(otherSeed.stderr.contains("--resume refused") && otherSeed.stderr.contains("seed: 7 ≠ 99"), "\(otherSeed.stderr)")
    }

    /// More ranks than work items (a fixed allocation): not refused; the extra ranks idle after
    /// one note, and the plane file is the one of a single process, digest for digest.
    @Test func moreRanksThanWorkItemsIdleWithOneNote() throws {
        let dir = try smokeRun("idle-ranks")
        let run = "\(dir)/run.h5"
        let selection = ["--layers", "1", "--epochs", "0,1", "--slices", "10", "--quiet"]
        let alone = try runProcess(infoplaneBinary, ["analyze", run, "--out", "\(dir)/alone.h5"] + selection)
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(!alone.stderr.contains("note:"), "\(alone.stderr)")
        let four = try mpirun(4, ["analyze", run, "--out", "\(dir)/four.h5"] + selection)
        #expect(four.status == 0, "\(four.stderr)")
        let notes = four.stderr.split(separator: "\n").filter { $0.hasPrefix("note: 4 ranks for 2 work items") }
        #expect(notes.count == 1, "one note: \(four.stderr)")
        let digests = try digestsPerFile(["\(dir)/alone.h5", "\(dir)/four.h5"])
        #expect(digests["\(dir)/alone.h5"]?.isEmpty == false)
        #expect(digests["\(dir)/alone.h5"] == digests["\(dir)/four.h5"], "plane.h5 of P = 4 differs from P = 1")

        // `run` too: 3 ranks for the 2 items of one layer at two snapshots.
        let tiny = ["--set", "analysis.slices=8", "--set", "model.hidden=[8]", "--set", "snapshots.epochs=[0,1]", "--set", "training.epochs=1", "--quiet"]
        let one = try runProcess(infoplaneBinary, ["run", smoke, "--out", "\(dir)/run1"] + tiny)
        #expect(one.status == 0, "\(one.stderr)")
        let three = try mpirun(3, ["run", smoke, "--out", "\(dir)/run3"] + tiny)
        #expect(three.status == 0, "\(three.stderr)")
        #expect(three.stderr.split(separator: "\n").filter { $0.hasPrefix("note: 3 ranks for 2 work items") }.count == 1, "\(three.stderr)")
        let runs = try digestsPerFile(["\(dir)/run1/plane.h5", "\(dir)/run3/plane.h5"])
        #expect(runs["\(dir)/run1/plane.h5"]?.isEmpty == false)
        #expect(runs["\(dir)/run1/plane.h5"] == runs["\(dir)/run3/plane.h5"])
    }

    @Test func badInputGivesOneLineErrorsOnEveryRankAndNoOutput() throws {
        let dir = try smokeRun("bad")
        let run = "\(dir)/run.h5"
        func refused(_ arguments: [String], _ fragments: [String], ranks: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let result = ranks == 1 ? try runProcess(infoplaneBinary, arguments) : try mpirun(ranks, arguments)
            if ranks == 1 {
                expectOneLineError(result, fragments, sourceLocation: sourceLocation)
            } else {
                #expect(result.status != 0, sourceLocation: sourceLocation)
                let ours = result.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
                #expect(ours.count == 1, "one error line from rank 0: \(result.stderr)", sourceLocation: sourceLocation)
                for fragment in fragments { #expect(result.stderr.contains(fragment), "\(result.stderr)", sourceLocation: sourceLocation) }
            }
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/plane.h5"), "no plane file after an error", sourceLocation: sourceLocation)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/plane.journal"), sourceLocation: sourceLocation)
        }
        try refused(["analyze", "\(dir)/missing.h5"], ["no such run file"])
        try refused(["analyze", smoke], ["not an HDF5 file"])
        try refused(["analyze", run, "--epochs", "4"], ["no snapshot at epoch 4", "--epochs"], ranks: 2)
        try refused(["analyze", run, "--layers", "7"], ["no layer 7", "--layers"], ranks: 3)
        try refused(["analyze", run, "--k", "500"], ["lower --k"])
        try refused(["analyze", run, "--slices", "0"], ["--slices 0"])

        // Files written with h5py: activations of the wrong length, NaN, a snapshot lacking a layer.
        let script = """
            import h5py, numpy as np, sys
            src, kind, dst = sys.argv[1], sys.argv[2], sys.argv[3]
            # A self-contained copy: run.h5 links its parts, which editing must not touch.
            with h5py.File(src, "r") as s, h5py.File(dst, "w") as d:
                d.attrs.update(s.attrs)
                for name in s:
                    s.copy(s[name], d, name=name, expand_external=True)
            with h5py.File(dst, "r+") as f:
                g = f["snapshots/epoch_000002"]
                if kind == "rows":
                    del g["layer_2"]; g["layer_2"] = np.zeros((499, 12), np.float32)
                elif kind == "nan":
                    x = g["layer_1"][...]; x[10, 3] = np.nan; g["layer_1"][...] = x
                elif kind == "layer":
                    del g["layer_3"]
            """
        for (kind, fragments) in [("rows", ["499×12", "n × width"]), ("nan", ["nan", "not finite"]), ("layer", ["lacks layer_3", "--layers"])] {
            let bad = "\(dir)/\(kind).h5"
            let made = try runProcess(python, ["-c", script, run, kind, bad])
            #expect(made.status == 0, "\(made.stderr)")
            try refused(["analyze", bad, "--out", "\(dir)/plane.h5"], fragments, ranks: 2)
        }

        // An existing plane is kept byte-identical when refused.
        #expect(try infoplane("analyze", run, "--slices", "32", "--quiet").status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/plane.h5"))
        let again = try infoplane("analyze", run, "--slices", "32")
        expectOneLineError(again, ["already holds an analysis"])
        let differentSeed = try infoplane("analyze", run, "--slices", "32", "--seed", "3", "--resume")
        expectOneLineError(differentSeed, ["--resume refused", "seed: 7 ≠ 3"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/plane.h5")) == before)
    }
}
