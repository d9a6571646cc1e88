import Config
import Learning
import Testing
import Training

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

    @Test(arguments: ["stopping", "stopping-smoke"])
    func shippedStoppingConfigsLoad(name: String) throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/\(name).yaml")
        let stopping = try #require(config.stopping)
        #expect(stopping.layer == config.model.hidden.count, "the rule watches the last hidden layer")
        #expect(try config.snapshotSchedule.epochs(totalEpochs: config.training.epochs) == Array(0...config.training.epochs), "a snapshot every epoch")
    }
}
