@testable import Config
import Foundation
import Support
import Testing

/// The config reader's limits: documents larger, deeper or expanding to more values than a
/// config ever needs are refused in one line, fast and before Yams builds anything, while
/// documents just inside the limits (aliases included) still parse.
@Suite struct YAMLLimitsTests {
    /// 9 levels of 9 aliases: 342 bytes that expand to 9⁹ ≈ 387 million values.
    static let bomb: String = {
        var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    /// Refused by `check` within `seconds`, with a message holding every fragment.
    private func expectRefused(_ text: String, _ fragments: [String], within seconds: Double = 1,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let start = Date()
        do {
            _ = try ConfigTree.parse(yaml: text, source: "doc.yaml")
            Issue.record("accepted", sourceLocation: sourceLocation)
        } catch let error as InfoPlaneError {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
            }
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("not a one-line error: \(error)", sourceLocation: sourceLocation)
        }
        #expect(Date().timeIntervalSince(start) < seconds, "took \(Date().timeIntervalSince(start)) s", sourceLocation: sourceLocation)
    }

    @Test func theAliasBombIsRefusedFast() {
        #expect(Self.bomb.utf8.count == 342)
        expectRefused(Self.bomb, ["doc.yaml: by line", "more than 100000 values"])
    }

    @Test func deepNestingIsRefusedBeforeTheComposerRecurses() {
        expectRefused(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), ["line 1 nests more than 64 levels"])
        expectRefused(String(repeating: "{a: ", count: 100_000) + "1" + String(repeating: "}", count: 100_000), ["nests more than 64"])
        expectRefused(String(repeating: "- ", count: 100_000) + "x", ["nests more than 64"])
        let indented = (0..<100).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        expectRefused(indented, ["line 65 nests more than 64"])
    }

    @Test func aliasesCountWhatTheyExpandTo() {
        // Each line nests the previous anchor one level deeper: shallow text, deep tree.
        let chain = "a0: &a0 [x]\n" + (1..<100).map { "a\($0): &a\($0) [*a\($0 - 1)]" }.joined(separator: "\n")
        expectRefused(chain, ["line 64 nests more than 64 levels deep (aliases included)"])
        // Aliases within the limits are YAML a config may use.
        let shared = try? ExperimentConfig.parse(yaml: "model:\n  hidden: &widths [8, 8]\nsnapshots:\n  epochs: [0, 1]\n", source: "doc")
        #expect(shared?.model.hidden == [8, 8])
        let tree = try? ConfigTree.parse(yaml: "a: &x [1, 2, 3]\nb: *x\n", source: "doc")
        #expect(tree == .mapping([("a", .list([.scalar("1"), .scalar("2"), .scalar("3")])), ("b", .list([.scalar("1"), .scalar("2"), .scalar("3")]))]))
    }

    @Test func theLimitsAreExact() throws {
        // The root mapping is level 1: 63 brackets inside it are 64 levels.
        let deepest = "x: " + String(repeating: "[", count: 63) + "1" + String(repeating: "]", count: 63)
        #expect(throws: Never.self) { try ConfigTree.parse(yaml: deepest, source: "doc") }
        expectRefused("x: " + String(repeating: "[", count: 64) + "1" + String(repeating: "]", count: 64), ["nests more than 64"])
        // The root, its key and the list are three values.
        let most = "x: [" + Array(repeating: "1", count: YAMLLimits.maximumNodes - 3).joined(separator: ",") + "]"
        #expect(throws: Never.self) { try ConfigTree.parse(yaml: most, source: "doc") }
        expectRefused("x: [" + Array(repeating: "1", count: YAMLLimits.maximumNodes - 2).joined(separator: ",") + "]", ["more than 100000 values"], within: 5)
        expectRefused("x: 1\n" + String(repeating: "#", count: YAMLLimits.maximumBytes), ["larger than 1 MiB"])
    }

    @Test func emptyDocumentsAndValuesAreNotDefaults() throws {
        let dir = NSTemporaryDirectory() + "infoplane-yaml-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, text) in [("empty.yaml", ""), ("blank.yaml", "\n  \n"), ("comment.yaml", "# nothing here\n")] {
            try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8)
            #expect(throws: InfoPlaneError("\(dir)/\(name) is empty: it holds no settings, only blank lines or comments; write the keys it sets (the configs/ directory has the shipped ones)")) {
                try ExperimentConfig.load(path: "\(dir)/\(name)")
            }
        }
        let smoke = "\(configsDirectory)/smoke.yaml"
        #expect(throws: InfoPlaneError("--set training.epochs= has no value: write one, e.g. --set training.epochs=5, or drop the option to keep the config's")) {
            try ExperimentConfig.load(path: smoke, overrides: ["training.epochs="])
        }
        #expect(throws: InfoPlaneError("inline: 'training.epochs' has no value: give one, or remove the key to take its default")) {
            try ExperimentConfig.parse(yaml: "training:\n  epochs:\n", source: "inline")
        }
        // A section left empty still takes its defaults.
        #expect(try ExperimentConfig.parse(yaml: "training:\nseed: 4\n", source: "inline").training.epochs == 20)
        // A run file written by other tools stores no config: its analysis takes the defaults.
        #expect(try ExperimentConfig.parse(yaml: "", source: "run.h5").analysis.slices == 1000)
    }
}
