import Foundation
import Support

/// The epochs at which hidden activations are recorded. Epoch 0 is the initialised network,
/// before any training; epoch `e ≥ 1` is the network after `e` epochs.
public enum SnapshotSchedule: Sendable, Equatable {
    /// Exactly these epochs (any order, duplicates allowed; the result is sorted and unique).
    case explicit([Int])
    /// Every epoch `0...denseUntil` (where the information plane moves fastest), then
    /// geometrically spaced epochs up to and always including the last, about `count` in total.
    case logSpaced(denseUntil: Int, count: Int)

    /// The snapshot epochs of a run of `totalEpochs` epochs, strictly increasing.
    ///
    /// For `logSpaced` the sparse part is chosen greedily: each next epoch is the previous one
    /// times the ratio that would reach `totalEpochs` in the remaining number of points, rounded,
    /// and at least one more than the previous. That yields exactly `count` epochs whenever the run
    /// is long enough (`min(count, totalEpochs + 1)` when `count > denseUntil + 1`), ending at
    /// `totalEpochs`. If `count ≤ denseUntil + 1`, the dense part is kept whole and `totalEpochs`
    /// is added.
    public func epochs(totalEpochs: Int) throws -> [Int] {
        guard totalEpochs >= 0 else {
            throw InfoPlaneError("total epochs \(totalEpochs) is negative")
        }
        switch self {
        case .explicit(let list):
            let sorted = Array(Set(list)).sorted()
            if let bad = sorted.first(where: { $0 < 0 || $0 > totalEpochs }) {
                throw InfoPlaneError("snapshot epoch \(bad) is outside 0...\(totalEpochs): epoch 0 is the "
                                    + "initialised network and \(totalEpochs) the last trained epoch")
            }
            return sorted
        case .logSpaced(let denseUntil, let count):
            guard denseUntil >= 0 else {
                throw InfoPlaneError("denseUntil \(denseUntil) is negative: use 0 to record only epoch 0 densely")
            }
            guard count >= 1 else {
                throw InfoPlaneError("snapshot count \(count) is impossible: at least one snapshot is needed")
            }
            if totalEpochs <= denseUntil { return Array(0...totalEpochs) }
            var result = Array(0...denseUntil)
            let remaining = count - result.count
            if remaining <= 1 { return result + [totalEpochs] }
            if totalEpochs - denseUntil <= remaining { return result + Array((denseUntil + 1)...totalEpochs) }
            // From epoch 0 the geometric ratio is undefined; start the ratio from epoch 1.
            var previous = denseUntil
            for index in 0..<remaining {
                let pointsLeft = remaining - index
                let base = Double(max(previous, 1))
                let ratio = Foundation.pow(Double(totalEpochs) / base, 1 / Double(pointsLeft))
                // Leave room for the points still to come so the sequence ends exactly at the total.
                let ceiling = totalEpochs - (pointsLeft - 1)
                let next = min(max(previous + 1, Int((base * ratio).rounded())), ceiling)
                result.append(next)
                previous = next
            }
            return result
        }
    }
}
