import Foundation
import Testing

/// The fault injector of Tests/Fixtures/killshim.c, compiled once per test process: loaded with
/// LD_PRELOAD it SIGKILLs the process at the N-th call that changes a file below a directory
/// (write, pwrite, writev, ftruncate, rename, unlink), before the call or after half its bytes.
enum KillShim {
    enum Mode: String { case before, torn }

    static let library: String = {
        let output = NSTemporaryDirectory() + "infoplane-killshim-\(getpid()).so"
        let result = try? runProcess("/usr/bin/cc", ["-shared", "-fPIC", "-O1", "-o", output,
                                                     "\(packageRoot)/Tests/Fixtures/killshim.c", "-ldl", "-lpthread"])
        precondition(result?.status == 0, "cannot build the kill shim: \(result?.stderr ?? "cc did not run")")
        return output
    }()

    /// The environment that kills at call `at` below `directory`.
    static func environment(directory: String, at: Int, mode: Mode) -> [String: String] {
        ["LD_PRELOAD": library, "KILLSHIM_DIR": directory, "KILLSHIM_AT": "\(at)", "KILLSHIM_MODE": mode.rawValue]
    }

    /// How many file-changing calls `body` makes below `directory` (summed over processes).
    static func count(directory: String, _ body: ([String: String]) throws -> CommandResult) throws -> Int {
        let file = NSTemporaryDirectory() + "infoplane-killcount-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try body(["LD_PRELOAD": library, "KILLSHIM_DIR": directory, "KILLSHIM_COUNT": file])
        precondition(result.status == 0, "the counting run failed: \(result.stderr)")
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { Int($0) }.reduce(0, +)
    }
}

/// Digests of numeric datasets (analysis/reference/h5digest.py) of many files in one process.
func digestsPerFile(_ paths: [String]) throws -> [String: [String: String]] {
    let result = try runProcess(python, ["\(packageRoot)/analysis/reference/h5digest.py", "--per-file"] + paths)
    precondition(result.status == 0, "h5digest failed: \(result.stderr)")
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: [String: String]]
}

/// Kill at every write, then resume: the issue's proof that nothing is ever lost.
///
/// For each command the sweep counts the file-changing calls of an uninterrupted run, then for
/// every call N (alternately killed before the call and after half of its bytes) starts afresh,
/// kills the process at N, resumes it without the shim, and requires the resumed files to equal
/// the uninterrupted run's, number for number.
@Suite(.serialized) struct KillPointTests {
    static let smoke = "\(packageRoot)/configs/smoke.yaml"
    /// A training of a few dozen milliseconds: 3 epochs, snapshots at 0, 1 and 3, 100 samples.
    static let tiny = ["--set", "dataset.train_size=300", "--set", "dataset.test_size=100", "--set", "dataset.evaluation_size=100",
                       "--set", "model.hidden=[6,4]", "--set", "training.epochs=3", "--set", "snapshots.epochs=[0,1,3]",
                       "--set", "analysis.slices=64", "--quiet"]

    /// A failure found by a sweep: the kill point and what went wrong.
    struct Finding: CustomStringConvertible {
        var point: Int
        var mode: KillShim.Mode
        var problem: String
        var description: String { "kill at call \(point) (\(mode.rawValue)): \(problem)" }
    }

    /// Runs the sweep. `start(dir, env)` runs the command to be killed; `resume(dir)` finishes it;
    /// `outputs(dir)` names the files to compare with the reference's.
    static func sweep(label: String, stride step: Int = 1,
                      start: @escaping @Sendable (String, [String: String]) throws -> CommandResult,
                      resume: @escaping @Sendable (String) throws -> CommandResult,
                      outputs: (String) -> [String]) throws -> (points: Int, tried: Int, findings: [Finding]) {
        let base = try temporaryDirectory("kill-\(label)")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let reference = "\(base)/reference"
        let count = try KillShim.count(directory: reference) { try start(reference, $0) }
        // Two kill points at a time (a 2-core machine); each has its own directory.
        let points = Array(Swift.stride(from: 1, through: count, by: step))
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for point in points.enumerated().filter({ $0.offset % 2 == lane }).map(\.element) {
                let mode: KillShim.Mode = point % 2 == 0 ? .torn : .before
                let dir = "\(base)/k\(point)"
                do {
                    _ = try start(dir, KillShim.environment(directory: dir, at: point, mode: mode))
                    let result = try resume(dir)
                    if result.status != 0 {
                        results.add(Finding(point: point, mode: mode, problem: "resume failed: \(result.stderr.prefix(300))"))
                    } else {
                        results.add((point, mode, dir))
                    }
                } catch {
                    results.add(Finding(point: point, mode: mode, problem: "could not run: \(error)"))
                }
            }
        }
        var findings = results.findings
        let resumed = results.resumed.sorted { $0.point < $1.point }
        let expected = try digestsPerFile(outputs(reference))
        let actual = try digestsPerFile(resumed.flatMap { outputs($0.dir) })
        for entry in resumed {
            for (file, referenceFile) in zip(outputs(entry.dir), outputs(reference)) where actual[file] != expected[referenceFile] {
                let problem = actual[file]?["error"] ?? "\((file as NSString).lastPathComponent) differs from the uninterrupted run's"
                findings.append(Finding(point: entry.point, mode: entry.mode, problem: problem))
            }
        }
        return (count, points.count, findings)
    }

    /// What the parallel lanes of a sweep found, gathered under a lock.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var findings: [Finding] = []
        private(set) var resumed: [(point: Int, mode: KillShim.Mode, dir: String)] = []
        func add(_ finding: Finding) { lock.lock(); findings.append(finding); lock.unlock() }
        func add(_ entry: (Int, KillShim.Mode, String)) { lock.lock(); resumed.append((entry.0, entry.1, entry.2)); lock.unlock() }
    }

    static func report(_ label: String, _ sweep: (points: Int, tried: Int, findings: [Finding]),
                       sourceLocation: SourceLocation = #_sourceLocation) {
        print("kill points: \(label): \(sweep.tried) of \(sweep.points) tried, \(sweep.tried - Set(sweep.findings.map(\.point)).count) resumed to the identical result")
        #expect(sweep.points > 20, "\(label): only \(sweep.points) kill points: is the shim loaded?", sourceLocation: sourceLocation)
        #expect(sweep.findings.isEmpty,
                "\(label): \(sweep.findings.count) of \(sweep.tried) kill points lost data; first: \(sweep.findings.prefix(5).map(\.description))",
                sourceLocation: sourceLocation)
    }

    @Test("train killed at every write resumes to the bit-identical run file")
    func trainKilledAtEveryWrite() throws {
        let sweep = try Self.sweep(label: "train", start: { dir, env in
            try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", dir] + Self.tiny, environment: env)
        }, resume: { dir in
            try runProcess(infoplaneBinary, ["train", Self.smoke, "--out", dir, "--resume"] + Self.tiny)
        }, outputs: { ["\($0)/run.h5"] })
        Self.report("train", sweep)
    }

    @Test("analyze killed at every write resumes to the bit-identical plane")
    func analyzeKilledAtEveryWrite() throws {
        let run = try temporaryDirectory("kill-analyze-run")
        defer { try? FileManager.default.removeItem(atPath: run) }
        #expect(try infoplane("train", Self.smoke, "--out", run, "--quiet", "--set", "dataset.evaluation_size=100",
                              "--set", "snapshots.epochs=[0,2,5]").status == 0)
        let sweep = try Self.sweep(label: "analyze", start: { dir, env in
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return try runProcess(infoplaneBinary, ["analyze", "\(run)/run.h5", "--out", "\(dir)/plane.h5", "--slices", "64", "--quiet"],
                                  environment: env)
        }, resume: { dir in
            try runProcess(infoplaneBinary, ["analyze", "\(run)/run.h5", "--out", "\(dir)/plane.h5", "--slices", "64", "--resume", "--quiet"])
        }, outputs: { ["\($0)/plane.h5"] })
        Self.report("analyze", sweep)
    }

    @Test("run on 2 ranks killed at every third write resumes to the bit-identical run and plane")
    func runKilledAtWrites() throws {
        let sweep = try Self.sweep(label: "run", stride: 3, start: { dir, env in
            try mpirun(2, ["run", Self.smoke, "--out", dir] + Self.tiny, environment: env)
        }, resume: { dir in
            try mpirun(2, ["run", Self.smoke, "--out", dir, "--resume"] + Self.tiny)
        }, outputs: { ["\($0)/run.h5", "\($0)/plane.h5"] })
        Self.report("run", sweep)
    }
}
