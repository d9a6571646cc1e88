@testable import Config
import Testing
import Learning
@testable import Experiment

@Suite struct InformationStoppingRuleTests {
    /// The epoch (index) at which the rule first says stop, feeding `objectives` one by one.
    private func stopIndex(_ objectives: [Double], window: Int, tolerance: Double) -> Int? {
        var rule = InformationStoppingRule(window: window, tolerance: tolerance)
        for (i, j) in objectives.enumerated() where rule.record(epoch: i, objective: j) { return i }
        return nil
    }

    @Test func stopsExactlyWhenTheWindowFailsToImproveOnTheBestBefore() {
        // Best 0.50 at index 2; indices 3 and 4 stay below it: window 2 ends at index 4.
        #expect(stopIndex([0.1, 0.3, 0.5, 0.49, 0.45, 0.9], window: 2, tolerance: 0) == 4)
        // Window 3 needs one more non-improving snapshot.
        #expect(stopIndex([0.1, 0.3, 0.5, 0.49, 0.45, 0.48, 0.9], window: 3, tolerance: 0) == 5)
        // A plateau (equal values) is no improvement.
        #expect(stopIndex([0.2, 0.2, 0.2], window: 2, tolerance: 0) == 2)
        // Window 1: the first snapshot not above every earlier one.
        #expect(stopIndex([0.1, 0.2, 0.3, 0.25], window: 1, tolerance: 0) == 3)
    }

    @Test func neverStopsOnARisingSequenceNorBeforeTheWindowIsFull() {
        let rising = (0..<50).map { Double($0) * 0.01 }
        #expect(stopIndex(rising, window: 3, tolerance: 0.005) == nil)
        // Falling from the start, but window 4 needs five snapshots.
        #expect(stopIndex([1, 0.9, 0.8, 0.7, 0.6], window: 4, tolerance: 0) == 4)
        #expect(stopIndex([1, 0.9, 0.8, 0.7], window: 4, tolerance: 0) == nil)
    }

    @Test func gainsWithinTheToleranceDoNotCount() {
        // Gains of 0.004 per snapshot: below tolerance 0.01 over a window of 2 (0.008), above 0.005.
        let slow = [0.5, 0.504, 0.508, 0.512, 0.516, 0.52]
        #expect(stopIndex(slow, window: 2, tolerance: 0.01) == 2)
        #expect(stopIndex(slow, window: 2, tolerance: 0.005) == nil)
        #expect(stopIndex(slow, window: 1, tolerance: 0.005) == 1)
    }

    @Test func chosenEpochIsTheEarliestBest() {
        var rule = InformationStoppingRule(window: 2, tolerance: 0)
        #expect(rule.bestEpoch == nil)
        for (epoch, j) in [(0, 0.1), (2, 0.7), (4, 0.3), (8, 0.7), (16, 0.2)] { _ = rule.record(epoch: epoch, objective: j) }
        #expect(rule.bestEpoch == 2)
        #expect(rule.epochs == [0, 2, 4, 8, 16])
    }

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

    @Test(arguments: ["stopping", "stopping-smoke"])
    func shippedStoppingConfigsLoad(name: String) throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/\(name).yaml")
        let stopping = try #require(config.stopping)
        #expect(stopping.layer == config.model.hidden.count, "the rule watches the last hidden layer")
        #expect(try config.snapshotSchedule.epochs(totalEpochs: config.training.epochs) == Array(0...config.training.epochs), "a snapshot every epoch")
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
