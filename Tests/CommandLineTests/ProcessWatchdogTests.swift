import Foundation
import Testing

/// The tests' process runner never hangs the suite: a program past its timeout is killed with
/// everything it started.
@Suite struct ProcessWatchdogTests {
    @Test func aProgramPastItsTimeoutIsKilledWithItsChildren() throws {
        let started = Date()
        // bash starts a child sleep and waits for it: both must go.
        let result = try runProcess("/bin/bash", ["-c", "sleep 60 & echo $! ; wait"], timeout: 1)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(result.status == SIGKILL)
        #expect(result.stderr.contains("killed after 1 s"))
        let child = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // SIGKILL is delivered asynchronously: give the kernel a moment to end the child (a
        // survivor would still run after 5 s: its sleep lasts 60).
        let killed = Date()
        while !child.isEmpty && Self.alive(child) && Date().timeIntervalSince(killed) < 5 { usleep(10_000) }
        #expect(!child.isEmpty && !Self.alive(child), "the child sleep \(child) outlived the watchdog")
    }

    /// Whether process `pid` still runs (not gone, not a zombie waiting for init to reap it).
    static func alive(_ pid: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let state = stat.split(separator: ")").last?.split(separator: " ").first else { return false }
        return state != "Z" && state != "X"
    }

    @Test func aProgramWithinItsTimeoutIsLeftAlone() throws {
        let result = try runProcess("/bin/sh", ["-c", "echo done"], timeout: 30)
        #expect(result.status == 0 && result.stdout == "done\n" && !result.stderr.contains("killed"))
    }
}
