import Foundation
import Storage
import Testing

private let stoppingSmoke = "\(packageRoot)/configs/stopping-smoke.yaml"

/// `/stopping` of a run file: every dataset as bit patterns, and every attribute.
private func stoppingContents(_ runPath: String) throws -> (rows: [String: [UInt64]], attributes: [String: String]) {
    let file = try HDF5File.open(at: runPath, writable: false)
    defer { try? file.close() }
    let group = try file.root.group("stopping")
    var rows: [String: [UInt64]] = ["epoch": try group.read("epoch", as: Int64.self).values.map { UInt64(bitPattern: $0) }]
    for name in ["objective", "sxt", "sxt_se", "sty", "sty_se"] {
        rows[name] = try group.read(name, as: Double.self).values.map(\.bitPattern)
    }
    var attributes: [String: String] = [:]
    for name in try group.attributeNames() { attributes[name] = try group.attribute(name).map { "\($0)" } ?? "?" }
    return (rows, attributes)
}

private func int64s(_ runPath: String, _ dataset: String) throws -> [Int64] {
    let file = try HDF5File.open(at: runPath, writable: false)
    defer { try? file.close() }
    return try file.root.read(dataset, as: Int64.self).values
}

private func doubles(_ path: String, _ dataset: String) throws -> [Double] {
    let file = try HDF5File.open(at: path, writable: false)
    defer { try? file.close() }
    return try file.root.read(dataset, as: Double.self).values
}

private func stoppingAttribute(_ runPath: String, _ name: String) throws -> Int64? {
    let file = try HDF5File.open(at: runPath, writable: false)
    defer { try? file.close() }
    return try file.root.group("stopping").intAttribute(name)
}

@Suite(.serialized) struct StoppingCommandTests {
    /// Training ends at the rule's epoch: curves, snapshots and /stopping all end there, and the
    /// decision is reported on the command line and by `inspect`.
    @Test func trainStopsAtTheRulesEpochAndRecordsIt() throws {
        let dir = try temporaryDirectory("stopping-train")
        let result = try infoplane("train", stoppingSmoke, "--out", dir)
        #expect(result.status == 0, "\(result.stderr)")
        let run = "\(dir)/run.h5"
        let stopped = try #require(try stoppingAttribute(run, "stopped_epoch"))
        let chosen = try #require(try stoppingAttribute(run, "chosen_epoch"))
        #expect(stopped > 0 && stopped < 12, "the rule fires before training.epochs = 12")
        #expect(try int64s(run, "training/epoch") == Array(1...stopped))
        #expect(try int64s(run, "stopping/epoch") == Array(0...stopped), "one objective per snapshot, up to the stop")
        let objectives = try doubles(run, "stopping/objective")
        #expect(objectives[Int(chosen)] == objectives.max(), "the chosen epoch has the best objective")
        #expect(result.stdout.contains("\(stopped) epochs, stopped by the information rule (chosen epoch \(chosen))"))
        #expect(result.stderr.contains("stopping: stopped after epoch \(stopped) of 12; chosen epoch \(chosen)"))
        #expect(result.stderr.components(separatedBy: "stopping: epoch ").count - 1 == Int(stopped) + 1, "a line per snapshot")
        let inspect = try infoplane("inspect", run)
        #expect(inspect.stdout.contains("snapshots:  \(stopped + 1) at epochs"))
        #expect(inspect.stdout.contains("stopping:   J = S1(T;Y) − 0.1·S1(X;T) of layer_3 at \(stopped + 1) snapshots; stopped after epoch \(stopped); chosen epoch \(chosen)"))
    }

    /// A run killed before the stop resumes to the identical objectives and decision; a stopped
    /// run stays stopped; a changed rule is refused.
    @Test func resumeReproducesTheDecisionAndAStoppedRunStaysStopped() throws {
        let whole = try temporaryDirectory("stopping-whole")
        #expect(try infoplane("train", stoppingSmoke, "--out", whole, "--quiet").status == 0)
        let dir = try temporaryDirectory("stopping-killed")
        let killed = try infoplane("train", stoppingSmoke, "--out", dir, "--quiet", environment: ["INFOPLANE_FAULT_KILL_AFTER_EPOCH": "3"])
        #expect(killed.status != 0)
        let resumed = try infoplane("train", stoppingSmoke, "--out", dir, "--resume")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming \(dir)/run.h5 after epoch 3"))
        let (a, b) = (try stoppingContents("\(whole)/run.h5"), try stoppingContents("\(dir)/run.h5"))
        #expect(a.rows == b.rows)
        #expect(a.attributes == b.attributes)

        let again = try infoplane("train", stoppingSmoke, "--out", dir, "--resume")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("is already complete") && again.stderr.contains("stopped by the rule"))
        #expect(try stoppingContents("\(dir)/run.h5").rows == a.rows)
        #expect(try int64s("\(dir)/run.h5", "training/epoch") == int64s("\(whole)/run.h5", "training/epoch"))

        expectOneLineError(try infoplane("train", stoppingSmoke, "--out", dir, "--resume", "--quiet", "--set", "stopping.window=3"),
                           ["--resume refused", "stopping.window: 2 ≠ 3"])
    }

    /// `run` under the rule: the plane ends at the stop, is bit-identical for 1 and 2 ranks, and its
    /// last layer's first m slices are the rule's parts; resuming the stopped run keeps it.
    @Test func runCutsThePlaneAtTheStopForAnyRankCount() throws {
        let one = try temporaryDirectory("stopping-run1")
        let alone = try infoplane("run", stoppingSmoke, "--out", one, "--quiet")
        #expect(alone.status == 0, "\(alone.stderr)")
        let two = try temporaryDirectory("stopping-run2")
        let pair = try mpirun(2, ["run", stoppingSmoke, "--out", two, "--quiet"])
        #expect(pair.status == 0, "\(pair.stderr)")
        try expectSamePlane("\(one)/plane.h5", "\(two)/plane.h5")
        #expect(try stoppingContents("\(one)/run.h5").rows == stoppingContents("\(two)/run.h5").rows)

        let run = "\(one)/run.h5", plane = "\(one)/plane.h5"
        #expect(try int64s(plane, "layer_3/epoch") == int64s(run, "stopping/epoch"), "the plane is complete up to the stop")
        // The config's analysis and rule share slices, k and seed, so the plane's workers recompute the rule's parts.
        #expect(try doubles(plane, "layer_3/sxt") == doubles(run, "stopping/sxt"))
        #expect(try doubles(plane, "layer_3/sty") == doubles(run, "stopping/sty"))
        #expect(!FileManager.default.fileExists(atPath: "\(one)/plane.journal"))

        let resumed = try infoplane("run", stoppingSmoke, "--out", one, "--resume", "--quiet")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try expectSamePlane(plane, "\(two)/plane.h5")

        // Killed while analysing after the stop (rank 0 computes items only once training is
        // over): the journal already names the cut plan, so the resume finishes the same plane.
        let killedDir = try temporaryDirectory("stopping-run-killed")
        let killed = try infoplane("run", stoppingSmoke, "--out", killedDir, "--quiet",
                                   environment: ["INFOPLANE_FAULT_KILL_RANK": "0", "INFOPLANE_FAULT_KILL_AFTER_ITEMS": "20"])
        #expect(killed.status != 0)
        #expect(FileManager.default.fileExists(atPath: "\(killedDir)/plane.journal"))
        let finished = try infoplane("run", stoppingSmoke, "--out", killedDir, "--resume", "--quiet")
        #expect(finished.status == 0, "\(finished.stderr)")
        try expectSamePlane("\(killedDir)/plane.h5", "\(two)/plane.h5")

        // Killed right after the stopped epoch is on disk, before the plan was cut: the journal
        // (and, on 2 ranks, plane.h5) still name the uncut plan; the resume accepts that plan's
        // prefix, rewrites them under the cut one and finishes the same plane.
        let stopped = try #require(try stoppingAttribute(run, "stopped_epoch"))
        for ranks in [1, 2] {
            let dir = try temporaryDirectory("stopping-run-killed-at-stop")
            let environment = ["INFOPLANE_FAULT_KILL_AFTER_EPOCH": "\(stopped)"]
            let arguments = ["run", stoppingSmoke, "--out", dir, "--quiet"]
            let atStop = ranks == 1 ? try runProcess(infoplaneBinary, arguments, environment: environment)
                                    : try mpirun(ranks, arguments, environment: environment)
            #expect(atStop.status != 0)
            #expect(FileManager.default.fileExists(atPath: "\(dir)/plane.journal"))
            let again = ranks == 1 ? try runProcess(infoplaneBinary, arguments + ["--resume"]) : try mpirun(ranks, arguments + ["--resume"])
            #expect(again.status == 0, "P = \(ranks): \(again.stderr)")
            try expectSamePlane("\(dir)/plane.h5", "\(two)/plane.h5")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/plane.journal"))
        }
    }

    @Test func impossibleStoppingSettingsAreOneLineErrorsWithoutOutput() throws {
        let dir = try temporaryDirectory("stopping-bad")
        let cases: [(String, [String])] = [
            ("stopping.window=0", ["'stopping.window' = 0 is impossible"]),
            ("stopping.layer=4", ["'stopping.layer' = 4 is impossible", "a hidden layer"]),
            ("stopping.beta=nan", ["'stopping.beta' must be a finite number"]),
            ("stopping.patience=3", ["unknown key 'stopping.patience'"]),
            ("stopping.window=13", ["stopping.window = 13 snapshots, but the schedule has only 13", "lower stopping.window"]),
        ]
        for (setting, fragments) in cases {
            expectOneLineError(try infoplane("train", stoppingSmoke, "--out", dir, "--quiet", "--set", setting), fragments)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/run.h5"), "\(setting) wrote a run file")
        }
    }

    /// The figure holds the objective with its parts, both test curves, and the two epochs marked.
    @Test func stoppingFigureMarksTheChosenAndStoppedEpochs() throws {
        let dir = try temporaryDirectory("stopping-plot")
        #expect(try infoplane("train", stoppingSmoke, "--out", dir, "--quiet").status == 0)
        let stopped = try #require(try stoppingAttribute("\(dir)/run.h5", "stopped_epoch"))
        let chosen = try #require(try stoppingAttribute("\(dir)/run.h5", "chosen_epoch"))
        let result = try runProcess(python, ["-m", "infoplane.plots", "stopping", dir], environment: ["MPLBACKEND": "Agg"])
        #expect(result.status == 0, "\(result.stderr)")
        let figure = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(figure["figure"] as? String == "stopping")
        let curves = (figure["panels"] as? [[String: Any]] ?? []).map { $0["curves"] as? [String] ?? [] }
        let marks = ["chosen epoch \(chosen)", "stopped after epoch \(stopped)"]
        #expect(curves == [["S1(T;Y)", "S1(X;T)", "J = S1(T;Y) − 0.1·S1(X;T)"] + marks, ["test loss"] + marks, ["test accuracy"] + marks])
        #expect(FileManager.default.fileExists(atPath: "\(dir)/stopping.png") && FileManager.default.fileExists(atPath: "\(dir)/stopping.svg"))

        // The replay of the rule on the recorded parts, at the run's own β, makes the run's decision.
        let replay = try runProcess(python, ["-m", "infoplane.plots", "stopping-replay", dir, "--betas", "0.1"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("\"stopped\": \(stopped), \"chosen\": \(chosen)"), "\(replay.stdout)")
        let smoke = try smokeRun("stopping-plot-none")
        let missing = try runProcess(python, ["-m", "infoplane.plots", "stopping", smoke])
        #expect(missing.status != 0 && missing.stderr.contains("has no /stopping group"))
    }
}
