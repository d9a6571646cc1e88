/// An information-based stopping rule (pure: it sees only the objective per snapshot).
///
/// At each snapshot epoch the objective J is recorded. Training stops at the first snapshot where
/// the best J among the last `window` snapshots does not exceed the best J before them by more
/// than `tolerance`: `max(J[n−w..<n]) ≤ max(J[0..<n−w]) + tolerance` (n snapshots so far, so at
/// least w + 1 are needed). The chosen epoch is the snapshot with the best J (the earliest on ties).
public struct InformationStoppingRule: Sendable, Equatable {
    /// Snapshots without a gain before training stops.
    public let window: Int
    /// Nats the window must gain over the best J before it.
    public let tolerance: Double
    /// Snapshot epochs recorded, in order.
    public private(set) var epochs: [Int] = []
    /// The objective J of each recorded epoch.
    public private(set) var objectives: [Double] = []

    /// A rule with no snapshots recorded yet.
    public init(window: Int, tolerance: Double) {
        precondition(window >= 1, "the window holds at least one snapshot")
        self.window = window
        self.tolerance = tolerance
    }

    /// Records J at a snapshot epoch and returns whether training should stop there.
    public mutating func record(epoch: Int, objective: Double) -> Bool {
        epochs.append(epoch)
        objectives.append(objective)
        return shouldStop
    }

    /// Whether the last `window` snapshots failed to improve on the best before them.
    public var shouldStop: Bool {
        let n = objectives.count
        guard n > window else { return false }
        let before = objectives[..<(n - window)].max()!
        let recent = objectives[(n - window)...].max()!
        return !(recent > before + tolerance)
    }

    /// The epoch of the best objective so far (the earliest on ties); nil before any snapshot.
    public var bestEpoch: Int? {
        guard var best = objectives.indices.first else { return nil }
        for i in objectives.indices where objectives[i] > objectives[best] { best = i }
        return epochs[best]
    }
}
