import Foundation
import Storage
import Testing

/// The allocation counter of Tests/Fixtures/malloccount.c, compiled once per test process:
/// loaded with LD_PRELOAD it counts the malloc-family calls of a process.
enum AllocationCounter {
    static let library: String = {
        let output = NSTemporaryDirectory() + "infoplane-malloccount-\(getpid()).so"
        let result = try? runProcess("/usr/bin/cc", ["-shared", "-fPIC", "-O1", "-o", output,
                                                     "\(packageRoot)/Tests/Fixtures/malloccount.c"])
        precondition(result?.status == 0, "cannot build the allocation counter: \(result?.stderr ?? "cc did not run")")
        return output
    }()

    /// How many allocations `infoplane arguments…` makes.
    static func count(_ arguments: [String]) throws -> Int {
        let file = NSTemporaryDirectory() + "infoplane-malloccount-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: file) }
        // Swift seeds its hashing per process, so a dictionary's growth (and the count) varied
        // by up to ~20 between runs of the same arguments; deterministic hashing makes it exact.
        let result = try runProcess(infoplaneBinary, arguments, environment: ["LD_PRELOAD": library, "MALLOC_COUNT_FILE": file,
                                                                             "SWIFT_DETERMINISTIC_HASHING": "1"])
        precondition(result.status == 0, "the counted run failed: \(result.stderr)")
        return Int((try String(contentsOfFile: file, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

/// `infoplane estimate` allocates nothing per slice: slices 2…32 share one block (one GEMM, one
/// set of prepared buffers), so whatever the run allocates beyond `--slices 2` at `--slices 32`
/// is what 30 slices cost. Workspace buffers grow to the largest slice's needs and the runtime
/// instantiates a type's metadata on first use, so a few allocations are allowed there (release
/// builds make 1–2, debug builds about 5, up to 15 allowed for the counts' noise); one per slice would be 30.
@Suite struct AllocationTests {
    private static func arrays() throws -> String {
        let dir = try temporaryDirectory("alloc")
        let path = "\(dir)/arrays.h5"
        let file = try HDF5File.create(at: path, overwrite: false)
        let n = 3000
        var state: UInt64 = 99
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / 9007199254740992.0
        }
        let x = (0..<(2 * n)).map { _ in uniform() }
        try file.root.write("x", x, shape: [n, 2])
        try file.root.write("y", (0..<(2 * n)).map { x[$0] + 0.3 * uniform() }, shape: [n, 2])
        try file.root.write("labels", (0..<n).map { Int64(x[2 * $0] * 10) }, shape: [n])
        try file.close()
        return path
    }

    @Test("no allocation per slice through estimate", arguments: [["--y", "y"], ["--y", "labels", "--discrete-y"]])
    func estimateAllocatesNothingPerSlice(target: [String]) throws {
        let file = try Self.arrays()
        defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
        let base = ["estimate", "--input", file, "--x", "x", "--threads", "1"] + target
        // Each count is the least of three runs, against any bookkeeping that still varies.
        func least(_ slices: String) throws -> Int { try (0..<3).map { _ in try AllocationCounter.count(base + ["--slices", slices]) }.min()! }
        let two = try least("2")
        let full = try least("32")
        let blocks = try least("320")
        #expect(two > 1000, "the counter counted \(two): is it loaded?")
        #expect(full - two <= 15, "30 more slices in the same block made \(full - two) allocations")
        // Per further block of 32: its directions, results and a few buffers, not per slice.
        #expect(blocks - full <= 9 * 12, "9 more blocks made \(blocks - full) allocations")
    }
}
