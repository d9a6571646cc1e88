import Foundation
import Testing

/// A closed or full standard error (`2>&-`, `2>/dev/full`, a Slurm log on a full disk) silences
/// progress but never the work: the job completes with the same files and exit status.
@Suite struct StandardErrorTests {
    private static let smoke = "\(packageRoot)/configs/smoke.yaml"

    /// `sh -c 'exec PROGRAM ARGS… REDIRECTION'`: the program runs with stderr redirected.
    private func withStandardError(_ redirection: String, _ program: String, _ arguments: [String], directory: String? = nil) throws -> CommandResult {
        try runProcess("/bin/sh", ["-c", "exec \"$0\" \"$@\" \(redirection)", program] + arguments,
                       environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"], directory: directory)
    }

    /// The plane of a normal `run` of the smoke config (64 slices), as CSV text.
    private func referencePlane() throws -> String {
        let dir = try temporaryDirectory("stderr-ref")
        let result = try infoplane("run", Self.smoke, "--out", dir, "--set", "analysis.slices=64", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        return try String(contentsOfFile: "\(dir)/plane.csv", encoding: .utf8)
    }

    @Test(arguments: ["2>&-", "2>/dev/full"]) func aRunCompletesWithStandardErrorClosedOrFull(_ redirection: String) throws {
        let dir = try temporaryDirectory("stderr")
        // Not quiet: every progress line is written, and fails.
        let result = try withStandardError(redirection, infoplaneBinary, ["run", Self.smoke, "--out", dir, "--set", "analysis.slices=64"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("plane.h5: 3 layers × 5 snapshots"))
        #expect(try String(contentsOfFile: "\(dir)/plane.csv", encoding: .utf8) == referencePlane())
        let resumed = try withStandardError(redirection, infoplaneBinary, ["train", Self.smoke, "--out", dir, "--resume"])
        #expect(resumed.status == 0)
    }

    @Test func everyRankCompletesWithAFullStandardError() throws {
        let dir = try temporaryDirectory("stderr-mpi")
        let result = try runProcess("/usr/bin/mpirun", ["-np", "2", "--oversubscribe", "/bin/sh", "-c", "exec \"$0\" \"$@\" 2>/dev/full",
                                                        infoplaneBinary, "run", Self.smoke, "--out", dir, "--set", "analysis.slices=64"],
                                    environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: "\(dir)/plane.csv", encoding: .utf8) == referencePlane())
    }

    @Test(arguments: ["2>&-", "2>/dev/full"]) func aFailureStillExitsNonZero(_ redirection: String) throws {
        let dir = try temporaryDirectory("stderr-fail")
        try "".write(toFile: "\(dir)/empty.yaml", atomically: true, encoding: .utf8)
        let result = try withStandardError(redirection, infoplaneBinary, ["train", "\(dir)/empty.yaml"], directory: dir)
        #expect(result.status == 1)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/runs"))
    }
}
