import Support
import Testing
@testable import Learning

@Suite struct SnapshotScheduleTests {
    @Test func explicitEpochsAreSortedAndUnique() throws {
        #expect(try SnapshotSchedule.explicit([10, 0, 3, 3, 7]).epochs(totalEpochs: 10) == [0, 3, 7, 10])
        #expect(try SnapshotSchedule.explicit([]).epochs(totalEpochs: 5) == [])
    }

    @Test func explicitEpochsOutsideTheRunAreNamed() {
        let late = #expect(throws: InfoPlaneError.self) { try SnapshotSchedule.explicit([0, 12, 5]).epochs(totalEpochs: 10) }
        #expect(late?.description.hasPrefix("snapshot epoch 12 is outside 0...10") == true)
        let negative = #expect(throws: InfoPlaneError.self) { try SnapshotSchedule.explicit([-1]).epochs(totalEpochs: 10) }
        #expect(negative?.description.hasPrefix("snapshot epoch -1 is outside") == true)
    }

    @Test func logSpacedIsDenseThenGeometric() throws {
        let epochs = try SnapshotSchedule.logSpaced(denseUntil: 10, count: 30).epochs(totalEpochs: 1000)
        #expect(epochs.count == 30)
        #expect(Array(epochs.prefix(11)) == Array(0...10))
        #expect(epochs.last == 1000)
        #expect(zip(epochs, epochs.dropFirst()).allSatisfy { $0 < $1 })
        // The sparse part grows by a roughly constant factor, (1000/10)^(1/19) ≈ 1.27.
        let sparse = Array(epochs.suffix(from: 10))
        for (a, b) in zip(sparse, sparse.dropFirst()) {
            let ratio = Double(b) / Double(a)
            #expect(ratio > 1.15 && ratio < 1.4, "\(a) → \(b)")
        }
    }

    @Test func logSpacedFromEpochZero() throws {
        let epochs = try SnapshotSchedule.logSpaced(denseUntil: 0, count: 8).epochs(totalEpochs: 100)
        #expect(epochs.count == 8 && epochs.first == 0 && epochs.last == 100)
        #expect(zip(epochs, epochs.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func logSpacedEdgeCases() throws {
        // Run no longer than the dense part: every epoch.
        #expect(try SnapshotSchedule.logSpaced(denseUntil: 10, count: 30).epochs(totalEpochs: 4) == [0, 1, 2, 3, 4])
        // Run too short to need spacing: every epoch.
        #expect(try SnapshotSchedule.logSpaced(denseUntil: 10, count: 30).epochs(totalEpochs: 20) == Array(0...20))
        // Count used up by the dense part: the last epoch is still recorded.
        #expect(try SnapshotSchedule.logSpaced(denseUntil: 3, count: 2).epochs(totalEpochs: 50) == [0, 1, 2, 3, 50])
        #expect(try SnapshotSchedule.logSpaced(denseUntil: 3, count: 5).epochs(totalEpochs: 50) == [0, 1, 2, 3, 50])
        #expect(try SnapshotSchedule.logSpaced(denseUntil: 0, count: 1).epochs(totalEpochs: 0) == [0])
        // Rounding collisions are pushed apart, never duplicated.
        let crowded = try SnapshotSchedule.logSpaced(denseUntil: 2, count: 12).epochs(totalEpochs: 14)
        #expect(crowded.count == 12 && Set(crowded).count == 12 && crowded.last == 14)
    }

    @Test func logSpacedRejectsImpossibleParameters() {
        #expect(throws: InfoPlaneError.self) { try SnapshotSchedule.logSpaced(denseUntil: -1, count: 5).epochs(totalEpochs: 10) }
        #expect(throws: InfoPlaneError.self) { try SnapshotSchedule.logSpaced(denseUntil: 2, count: 0).epochs(totalEpochs: 10) }
        #expect(throws: InfoPlaneError.self) { try SnapshotSchedule.explicit([0]).epochs(totalEpochs: -1) }
    }
}
