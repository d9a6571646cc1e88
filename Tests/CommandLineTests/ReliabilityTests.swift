import Foundation
import Testing

/// Issue 12's other proofs beside the kill-point sweeps: kills at random moments, a full disk,
/// a second writer, readers during a write, outputs that must never be replaced, and resumes
/// that end in one line instead of looping or truncating.
@Suite(.serialized) struct ReliabilityTests {
    static let smoke = KillPointTests.smoke
    static let tiny = KillPointTests.tiny

    /// A small deterministic generator for the random kill times (SplitMix64).
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    /// The digests of `files` in `dir` equal those of the same files in `reference`.
    static func expectIdentical(_ dir: String, _ reference: String, files: [String], _ what: String,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let all = try digestsPerFile(files.map { "\(dir)/\($0)" } + files.map { "\(reference)/\($0)" })
        for file in files {
            let actual = all["\(dir)/\(file)"], expected = all["\(reference)/\(file)"]
            #expect(actual != nil && actual == expected && expected?["error"] == nil,
                    "\(what): \(file) differs from the uninterrupted run's: \(actual?["error"] ?? "")", sourceLocation: sourceLocation)
        }
    }

    @Test("run on 2 ranks killed at 24 random moments (seeded, either rank) resumes to the identical run and plane")
    func runKilledAtRandomMomentsResumes() throws {
        let base = try temporaryDirectory("random-kill")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let reference = "\(base)/reference"
        let started = Date()
        #expect(try mpirun(2, ["run", Self.smoke, "--out", reference] + Self.tiny).status == 0)
        let span = max(Int(Date().timeIntervalSince(started) * 1_000_000), 200_000)
        var random = SplitMix(state: 12)
        let kills = (0..<24).map { _ in (after: random.below(span), rank: random.below(2)) }
        let results = KillPointTests.Results()
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for (i, kill) in kills.enumerated() where i % 2 == lane {
                let dir = "\(base)/k\(i)"
                do {
                    let environment = ["LD_PRELOAD": KillShim.library, "KILLSHIM_AFTER_US": "\(kill.after)", "KILLSHIM_RANK": "\(kill.rank)"]
                    // A killed rank has left mpirun waiting forever under heavy load: the
                    // watchdog ends it, which is one more kill for the resume to survive.
                    _ = try mpirun(2, ["run", Self.smoke, "--out", dir] + Self.tiny, environment: environment, timeout: 300)
                    let resumed = try mpirun(2, ["run", Self.smoke, "--out", dir, "--resume"] + Self.tiny)
                    if resumed.status == 0 {
                        results.add((i, .before, dir))
                    } else {
                        results.add(KillPointTests.Finding(point: i, mode: .before, problem: "resume after a kill of rank \(kill.rank) at \(kill.after) µs failed: \(resumed.stderr.prefix(300))"))
                    }
                } catch {
                    results.add(KillPointTests.Finding(point: i, mode: .before, problem: "could not run: \(error)"))
                }
            }
        }
        #expect(results.findings.isEmpty, "\(results.findings.prefix(3))")
        for entry in results.resumed {
            try Self.expectIdentical(entry.dir, reference, files: ["run.h5", "plane.h5"], "kill \(entry.point) (\(kills[entry.point]))")
        }
        print("random kills: run on 2 ranks: \(kills.count) kills within \(span / 1000) ms, \(results.resumed.count) resumed (\(kills.filter { $0.rank == 0 }.count) of rank 0)")
    }

    /// A tmpfs of `kilobytes` at `path` (root only).
    static func mountSmallDisk(_ path: String, kilobytes: Int) throws -> Bool {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]).status == 0
    }

    static func unmount(_ path: String) { _ = try? runProcess("/bin/umount", [path]) }

    @Test("a full disk during train, run and analyze gives one line, no crash, and resumes to the identical result once space is freed")
    func fullDiskIsOneLineAndResumes() throws {
        guard getuid() == 0 else {
            print("skipped: the full-disk test mounts a tmpfs, which needs root")
            return
        }
        let base = try temporaryDirectory("full-disk")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let reference = "\(base)/reference"
        #expect(try mpirun(2, ["run", Self.smoke, "--out", reference] + Self.tiny).status == 0)
        let analyzed = "\(base)/analyzed"
        try FileManager.default.createDirectory(atPath: analyzed, withIntermediateDirectories: true)
        #expect(try infoplane("analyze", "\(reference)/run.h5", "--out", "\(analyzed)/plane.h5", "--slices", "64", "--quiet", "--force").status == 0)
        typealias Case = (label: String, files: [String], reference: String, start: (String) throws -> CommandResult, resume: (String) throws -> CommandResult, mpi: Bool)
        let cases: [Case] = [
            ("train", ["run.h5"], reference,
             { try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", "\($0)/out"] + Self.tiny) },
             { try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", "\($0)/out", "--resume"] + Self.tiny) }, false),
            ("run", ["run.h5", "plane.h5"], reference,
             { try mpirun(2, ["run", Self.smoke, "--out", "\($0)/out"] + Self.tiny) },
             { try mpirun(2, ["run", Self.smoke, "--out", "\($0)/out", "--resume"] + Self.tiny) }, true),
            ("analyze", ["plane.h5"], analyzed,
             { try infoplane("analyze", "\(reference)/run.h5", "--out", "\($0)/out/plane.h5", "--slices", "64", "--quiet") },
             { try infoplane("analyze", "\(reference)/run.h5", "--out", "\($0)/out/plane.h5", "--slices", "64", "--quiet", "--resume") }, false),
        ]
        var tried = 0
        var failedAt: Set<String> = []
        for entry in cases {
            // Limits from "nothing fits" to "almost everything fits" hit different writes.
            for kilobytes in [8, 48, 72, 96, 112, 128, 144] {
                let disk = "\(base)/\(entry.label)-\(kilobytes)"
                guard try Self.mountSmallDisk(disk, kilobytes: kilobytes) else {
                    print("skipped: mount -t tmpfs failed (no privilege in this container)")
                    return
                }
                defer { Self.unmount(disk) }
                if entry.label == "analyze" { try FileManager.default.createDirectory(atPath: "\(disk)/out", withIntermediateDirectories: true) }
                let full = try entry.start(disk)
                // A child killed by a signal reports the signal number as its status; Swift's
                // crash handler prints "Program crashed".
                let crashed = full.stderr.contains("crashed") || full.stderr.contains("ignal") || full.stderr.contains("Segmentation")
                    || full.status > 128 || [4, 6, 7, 8, 11].contains(full.status)
                #expect(!crashed, "\(entry.label) on \(kilobytes) KiB crashed: \(full.stderr.prefix(400))")
                if full.status == 0 { continue }  // it all fitted
                tried += 1
                let ours = full.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
                if let line = ours.first, let path = line.split(separator: " ").first(where: { $0.contains("/") }) { failedAt.insert("\(entry.label): \(path.split(separator: "/").suffix(2).joined(separator: "/"))") }
                #expect(ours.count == 1 && ours.first?.contains("free space") == true,
                        "\(entry.label) on \(kilobytes) KiB: expected one line naming free space, got: \(full.stderr.prefix(600))")
                if !entry.mpi {
                    #expect(full.stderr.split(separator: "\n").count == 1, "\(entry.label) on \(kilobytes) KiB printed more than one line: \(full.stderr)")
                }
                #expect(try runProcess("/bin/mount", ["-o", "remount,size=64m", disk]).status == 0)
                let resumed = try entry.resume(disk)
                #expect(resumed.status == 0, "\(entry.label) on \(kilobytes) KiB did not resume: \(resumed.stderr.prefix(400))")
                if resumed.status == 0 {
                    try Self.expectIdentical("\(disk)/out", entry.reference, files: entry.files, "\(entry.label) after a full disk at \(kilobytes) KiB")
                }
            }
        }
        #expect(tried >= 9 && failedAt.count >= 6, "only \(tried) full-disk cases failed, at \(failedAt.sorted()): are the limits right?")
        print("full disk: \(tried) runs stopped by a full tmpfs, each one line and resumed to the identical result; failed writing \(failedAt.sorted().joined(separator: ", "))")
    }

    /// Starts `arguments` in the background; the caller waits for it.
    static func launch(_ arguments: [String], output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: infoplaneBinary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: output) ?? FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `path` exists (at most 20 s).
    static func waitFor(_ path: String) {
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: path), Date() < deadline { usleep(10_000) }
    }

    /// A training of a few seconds, so other processes can meet it.
    static let slow = ["--set", "training.epochs=150", "--quiet"]
    /// A `run` of a few seconds that republishes its index 100 times.
    static let watched = ["--set", "training.epochs=100", "--set", "analysis.slices=32", "--quiet"]

    @Test("a second writer of a run directory or a plane is refused in one line naming the holder, and the first run is unharmed")
    func secondWriterIsRefused() throws {
        let base = try temporaryDirectory("second-writer")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let dir = "\(base)/r"
        let first = try Self.launch(["train", Self.smoke, "--out", dir, "--force"] + Self.slow, output: "/dev/null")
        Self.waitFor("\(dir)/run.h5")
        let again = try infoplane("train", Self.smoke, "--out", dir, "--force", "--quiet")
        expectOneLineError(again, ["\(dir)/run.h5 is being written by process \(first.processIdentifier) on ", "choose another --out"])
        let run = try mpirun(2, ["run", Self.smoke, "--out", dir, "--resume", "--quiet"])
        expectOneLineError(run, ["is being written by process \(first.processIdentifier)"], underMPI: true)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let alone = "\(base)/alone"
        #expect(try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", alone] + Self.slow).status == 0)
        let digests = try digestsPerFile(["\(dir)/run.h5", "\(alone)/run.h5"])
        #expect(digests["\(dir)/run.h5"] == digests["\(alone)/run.h5"], "the first writer's run was disturbed")

        // Two analyses of one output: the second is refused while the first runs.
        let plane = "\(base)/plane.h5"
        let analysis = try Self.launch(["analyze", "\(dir)/run.h5", "--out", plane, "--slices", "64", "--quiet"], output: "/dev/null")
        Self.waitFor("\(base)/plane.journal")
        let second = try infoplane("analyze", "\(dir)/run.h5", "--out", plane, "--slices", "64", "--force", "--quiet")
        expectOneLineError(second, ["\(plane) is being written by process \(analysis.processIdentifier)"])
        analysis.waitUntilExit()
        #expect(analysis.terminationStatus == 0)
    }

    @Test("outputs that are an input, a device, a directory or inside a run's parts are refused before anything is touched")
    func outputsThatMustNeverBeReplaced() throws {
        let base = try temporaryDirectory("outputs")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let run = "\(base)/r"
        #expect(try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", run] + Self.tiny).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(run)/run.h5"))
        try FileManager.default.createSymbolicLink(atPath: "\(base)/link", withDestinationPath: run)
        for out in ["\(run)/run.h5", "\(base)/link/run.h5", "\(run)/../r/run.h5"] {
            expectOneLineError(try infoplane("analyze", "\(run)/run.h5", "--out", out, "--force", "--quiet"), ["is the input", "choose another --out"])
            expectOneLineError(try infoplane("redundancy", "\(run)/run.h5", "--out", out, "--force", "--quiet"), ["is the input"])
            expectOneLineError(try infoplane("analyze", "\(run)/run.h5", "--method", "binning", "--out", out, "--force", "--quiet"), ["is the input"])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(run)/run.h5")) == before)
        expectOneLineError(try infoplane("analyze", "\(run)/run.h5", "--out", "\(run)/parts/plane.h5", "--force", "--quiet"), ["parts directory"])
        expectOneLineError(try infoplane("analyze", "\(run)/run.h5", "--out", "/dev/null", "--force", "--quiet"), ["/dev/null is not a regular file"])
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR, "/dev/null was replaced")
        try FileManager.default.createDirectory(atPath: "\(base)/plane.h5", withIntermediateDirectories: true)
        expectOneLineError(try infoplane("analyze", "\(run)/run.h5", "--out", "\(base)/plane.h5", "--force", "--quiet"), ["is a directory"])
        #expect(!FileManager.default.fileExists(atPath: "\(base)/plane.journal"))
    }

    @Test("h5py holding run.h5 open and inspect in a loop while run writes on 2 ranks do not disturb it")
    func readersNeverBreakTheWriter() throws {
        let base = try temporaryDirectory("readers")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let dir = "\(base)/r", stop = "\(base)/stop"
        // The reader opens run.h5 once and keeps it open, reading through its links, and also
        // reopens the path (HDF5's own locking, as h5py uses it) until told to stop.
        let script = """
        import h5py, os, sys, time
        run, stop = sys.argv[1], sys.argv[2]
        while not os.path.exists(run): time.sleep(0.01)
        held = h5py.File(run, "r")
        reads = 0
        while not os.path.exists(stop):
            try:
                held["training/epoch"][()]
                with h5py.File(run, "r") as f:
                    for name in f["snapshots"]:
                        f["snapshots"][name]["layer_1"][()]
                reads += 1
            except (KeyError, OSError):
                pass  # a link to a part the writer just replaced: readers retry
            time.sleep(0.01)
        print(reads)
        """
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: python)
        reader.arguments = ["-c", script, "\(dir)/run.h5", stop]
        let readerOutput = Pipe()
        reader.standardOutput = readerOutput
        try reader.run()
        let inspector = DispatchGroup()
        nonisolated(unsafe) var inspections: [Int32] = []
        nonisolated(unsafe) var failures: [String] = []
        inspector.enter()
        DispatchQueue.global().async {
            Self.waitFor("\(dir)/run.h5")
            while !FileManager.default.fileExists(atPath: stop) {
                if let result = try? infoplane("inspect", "\(dir)/run.h5") {
                    inspections.append(result.status)
                    if result.status != 0 { failures.append(result.stderr) }
                }
            }
            inspector.leave()
        }
        let result = try mpirun(2, ["run", Self.smoke, "--out", dir] + Self.watched)
        _ = FileManager.default.createFile(atPath: stop, contents: nil)
        inspector.wait()
        reader.waitUntilExit()
        #expect(result.status == 0, "the writer failed with a reader open: \(result.stderr.prefix(400))")
        let reads = Int(String(decoding: readerOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(reads > 0, "the reader never read")
        #expect(!inspections.isEmpty && inspections.allSatisfy { $0 == 0 }, "inspect failed during training: \(failures.prefix(3))")
        let alone = "\(base)/alone"
        #expect(try mpirun(2, ["run", Self.smoke, "--out", alone] + Self.watched).status == 0)
        try Self.expectIdentical(dir, alone, files: ["run.h5", "plane.h5"], "run with readers")
        print("readers: run on 2 ranks with h5py holding run.h5 (\(reads) reads) and \(inspections.count) inspect calls: all succeeded")
    }

    @Test("resume ends in one line instead of looping: a missing snapshot part, duplicate epochs, a format-1 file")
    func resumeNeverLoops() throws {
        let base = try temporaryDirectory("no-loop")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let dir = "\(base)/r"
        #expect(try mpirun(2, ["run", Self.smoke, "--out", dir] + Self.tiny).status == 0)
        unlink("\(dir)/parts/snapshot-000001.h5")
        unlink("\(dir)/plane.h5")
        let again = try mpirun(2, ["run", Self.smoke, "--out", dir, "--resume"] + Self.tiny)
        expectOneLineError(again, ["parts/snapshot-000001.h5, which is missing", "--force"], underMPI: true)
        expectOneLineError(try infoplane("analyze", "\(dir)/run.h5", "--out", "\(base)/p.h5", "--quiet"), ["snapshot-000001.h5, which is missing"])

        // h5py-written files: two groups carrying the same epoch are refused, naming both.
        let twins = "\(base)/twins.h5"
        let script = """
        import h5py, numpy as np, sys
        with h5py.File(sys.argv[1], "w") as f:
            f["evaluation/inputs"] = np.random.default_rng(0).random((50, 3), dtype=np.float32)
            f["evaluation/labels"] = np.arange(50) % 2
            for name in ["a", "b"]:
                g = f.create_group("snapshots/" + name)
                g.attrs["epoch"] = 3
                g["layer_1"] = np.random.default_rng(1).random((50, 2), dtype=np.float32)
        """
        #expect(try runProcess(python, ["-c", script, twins]).status == 0)
        expectOneLineError(try infoplane("analyze", twins, "--quiet"), ["/snapshots/a and /snapshots/b both hold epoch 3"])
        #expect(!FileManager.default.fileExists(atPath: "\(base)/plane.h5"))
    }

    @Test("an interrupted analyze --force resumes under its own seed; dead writers' temporaries are removed")
    func interruptedForceResumes() throws {
        let base = try temporaryDirectory("force-resume")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let run = "\(base)/r"
        #expect(try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", run] + Self.tiny).status == 0)
        let plane = "\(base)/plane.h5"
        #expect(try infoplane("analyze", "\(run)/run.h5", "--out", plane, "--slices", "64", "--seed", "1", "--quiet").status == 0)
        _ = FileManager.default.createFile(atPath: "\(plane).partial-999999", contents: Data("debris".utf8))
        let killed = try infoplane("analyze", "\(run)/run.h5", "--out", plane, "--slices", "64", "--seed", "2", "--force", "--quiet",
                                   environment: ["INFOPLANE_FAULT_KILL_RANK": "0", "INFOPLANE_FAULT_KILL_AFTER_ITEMS": "2"])
        #expect(killed.status != 0)
        #expect(try infoplane("analyze", "\(run)/run.h5", "--out", plane, "--slices", "64", "--seed", "2", "--resume", "--quiet").status == 0)
        let fresh = "\(base)/fresh.h5"
        #expect(try infoplane("analyze", "\(run)/run.h5", "--out", fresh, "--slices", "64", "--seed", "2", "--quiet").status == 0)
        let digests = try digestsPerFile([plane, fresh])
        #expect(digests[plane] != nil && digests[plane] == digests[fresh])
        #expect(!FileManager.default.fileExists(atPath: "\(plane).partial-999999"))
    }
}
