import Foundation
import Testing

/// The YAML limits seen from outside: the alias bomb and 100,000 nested brackets are refused in
/// under a second, and the process never grows beyond a small footprint.
@Suite struct YAMLLimitsCommandTests {
    /// Runs the binary with `arguments` under GNU time and returns its exit status, wall time and
    /// peak resident memory. (wait4 on a child spawned from this process would not do: posix_spawn
    /// shares this process's memory until exec, and Linux carries that high-water mark into the
    /// child's ru_maxrss, so a busy test process's own size would be counted.)
    private func measured(_ arguments: [String]) throws -> (status: Int32, seconds: Double, peakKB: Int) {
        let report = NSTemporaryDirectory() + "infoplane-time-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let start = Date()
        let result = try runProcess("/usr/bin/time", ["-o", report, "-f", "%M", infoplaneBinary] + arguments)
        let seconds = Date().timeIntervalSince(start)
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        let peak = text.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.last ?? Int.max
        return (result.status, seconds, peak)
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
