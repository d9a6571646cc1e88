@testable import Config
import Testing

/// The `stopping:` section: its defaults, its canonical lines, and its one-line errors.
@Suite struct StoppingSectionTests {
    @Test func stoppingSectionDefaultsAndCanonicalText() throws {
        let absent = try ExperimentConfig.parse(yaml: "model:\n  hidden: [8, 4]\n", source: "inline")
        #expect(absent.stopping == nil)
        #expect(!absent.canonicalText.contains("stopping"))
        let config = try ExperimentConfig.parse(yaml: "model:\n  hidden: [8, 4]\nanalysis:\n  k: 3\n  seed: 9\nstopping:\n",
                                                source: "inline")
        #expect(config.stopping == StoppingSection(beta: 1, tolerance: 0.002, window: 5, slices: 100, k: 3, layer: 2, seed: 9))
        let again = try ExperimentConfig.parse(yaml: config.canonicalText, source: "canonical")
        #expect(again == config)
        // A change of the rule changes training, so resume sees it (analysis.* it ignores).
        var changed = config
        changed.stopping?.window = 6
        #expect(config.differences(from: changed) == ["stopping.window: 5 ≠ 6"])
        #expect(CanonicalText.differences(absent.canonicalText, config.canonicalText).contains { $0.hasPrefix("stopping.beta") })
    }

    @Test func impossibleStoppingValuesAreOneLineErrors() {
        let base = "model:\n  hidden: [8, 4]\ndataset:\n  name: synthetic\n  evaluation_size: 50\nstopping:\n"
        let cases: [(String, [String])] = [
            ("  window: 0\n", ["'stopping.window' = 0 is impossible"]),
            ("  layer: 3\n", ["'stopping.layer' = 3 is impossible", "between 1 and 2"]),
            ("  slices: 1\n", ["'stopping.slices' = 1 is impossible", "at least 2 slices"]),
            ("  k: 50\n", ["'stopping.k' = 50 is impossible", "fewer neighbours"]),
            ("  beta: -1\n", ["'stopping.beta' = -1 is impossible"]),
            ("  tolerance: .nan\n", ["'stopping.tolerance' must be a finite number"]),
            ("  windw: 3\n", ["unknown key 'stopping.windw'", "did you mean 'stopping.window'"]),
            ("  window: [2]\n", ["'stopping.window' must be a single value"]),
            ("  window: 2\nreplicas: 3\n", ["'stopping' with replicas: 3 is not supported", "remove one of them"]),
        ]
        for (line, fragments) in cases {
            do {
                _ = try ExperimentConfig.parse(yaml: base + line, source: "test.yaml")
                Issue.record("expected an error for \(line)")
            } catch {
                let message = "\(error)"
                #expect(!message.contains("\n"), "\(message)")
                for fragment in fragments { #expect(message.contains(fragment), "\(message) lacks \(fragment)") }
            }
        }
    }
}
