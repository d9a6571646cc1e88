import Foundation
import Testing

/// The checkout this test binary was built from.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The `infoplane` binary next to the test bundle (built by `swift build --build-tests`), or
/// `$INFOPLANE_BIN`.
let infoplaneBinary: String = {
    if let path = ProcessInfo.processInfo.environment["INFOPLANE_BIN"] { return path }
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = testBinary.deletingLastPathComponent()
    // The runner may sit inside an .xctest bundle directory.
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("infoplane").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return "\(packageRoot)/.build/debug/infoplane"
}()

/// Python with numpy and h5py: `$INFOPLANE_PYTHON` (set by the Makefile to the project's .venv).
let python: String = ProcessInfo.processInfo.environment["INFOPLANE_PYTHON"]
    ?? (FileManager.default.isExecutableFile(atPath: "\(packageRoot)/.venv/bin/python") ? "\(packageRoot)/.venv/bin/python" : "/usr/bin/python3")

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion and collects its output.
/// - Parameter timeout: seconds after which the program and every process below it are killed
///   (status 137, and stderr says so). A test must never hang the suite: under heavy load Open
///   MPI's mpirun has been seen to wait forever on a rank that a test killed.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                directory: String? = nil, timeout: TimeInterval = 1_200) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["OPENBLAS_NUM_THREADS"] = "1"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    nonisolated(unsafe) var timedOut = false
    let pid = process.processIdentifier
    let watchdog = DispatchWorkItem { timedOut = true; killTree(pid) }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
    defer { watchdog.cancel() }
    // Read both pipes concurrently so a chatty child cannot block on a full pipe.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self)
                             + (timedOut ? "\n[test: killed after \(Int(timeout)) s]" : ""))
}

/// SIGKILLs `pid` and all its descendants: the tree is found from every process's parent in
/// /proc/*/stat and stopped (SIGSTOP) until no new member appears, so nothing forks or is
/// re-parented away while it is being killed.
private func killTree(_ pid: Int32) {
    var tree: Set<Int32> = [pid]
    kill(pid, SIGSTOP)
    for _ in 0..<10 {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 1,
                  let parent = Int32(fields[1]) else { continue }
            parents[child] = parent
        }
        var grew = false
        var changed = true
        while changed {
            changed = false
            for (child, parent) in parents where tree.contains(parent) && !tree.contains(child) {
                tree.insert(child); kill(child, SIGSTOP); changed = true; grew = true
            }
        }
        if !grew { break }
    }
    for member in tree { kill(member, SIGKILL) }
}

func infoplane(_ arguments: String..., directory: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
    try runProcess(infoplaneBinary, arguments, environment: environment, directory: directory)
}

/// A fresh temporary directory.
func temporaryDirectory(_ label: String = "cli") throws -> String {
    let path = NSTemporaryDirectory() + "infoplane-\(label)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Expects a failed command whose error is one line naming every fragment.
/// - Parameter underMPI: the command ran under mpirun, which adds its own banner after our
///   line: then exactly one line must be ours (`Error: …`).
func expectOneLineError(_ result: CommandResult, _ fragments: [String], underMPI: Bool = false,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status != 0, "expected failure, got success: \(result.stdout)", sourceLocation: sourceLocation)
    let lines = result.stderr.split(separator: "\n").filter { underMPI ? $0.hasPrefix("Error:") : !$0.isEmpty }
    #expect(lines.count == 1, "expected one error line, got: \(result.stderr)", sourceLocation: sourceLocation)
    #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(result.stderr.contains(fragment), "stderr lacks '\(fragment)': \(result.stderr)", sourceLocation: sourceLocation)
    }
}
