import Foundation
import Testing

/// The YAML limits seen from outside: the alias bomb and 100,000 nested brackets are refused in
/// under a second, and the process never grows beyond a small footprint.
@Suite struct YAMLLimitsCommandTests {
    /// Runs the binary with `arguments` (output discarded) and returns its exit status, wall
    /// time and peak resident memory (wait4 on this child alone, so tests running beside it
    /// do not count).
    private func measured(_ arguments: [String]) throws -> (status: Int32, seconds: Double, peakKB: Int) {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([infoplaneBinary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        let spawned = posix_spawn(&pid, infoplaneBinary, &actions, nil, argv, environ)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        return ((status >> 8) & 0xff, Date().timeIntervalSince(start), usage.ru_maxrss)
    }

    @Test func hostileDocumentsAreRefusedFastAndSmall() throws {
        let fixtures = try BadInputFixtures.directory.get()
        for name in ["bomb.yaml", "deep.yaml", "deep-block.yaml", "chain.yaml", "big.yaml"] {
            let (status, seconds, peakKB) = try measured(["train", "\(fixtures)/\(name)"])
            #expect(status == 1, "\(name)")
            #expect(seconds < 1, "\(name): \(seconds) s")
            #expect(peakKB < 200_000, "\(name): peak \(peakKB) KB")
        }
    }
}
