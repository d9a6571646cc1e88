import Support

extension ExperimentConfig {
    /// When hidden activations are recorded: an explicit list of epochs, or every epoch up to
    /// `denseUntil` and then log-spaced to the last epoch, about `count` in all.
    public struct SnapshotSection: Sendable, Equatable, Codable {
        /// Explicit snapshot epochs; nil for the log-spaced schedule.
        public var epochs: [Int]?
        /// Every epoch up to this one is a snapshot (log-spaced schedule).
        public var denseUntil: Int
        /// About this many snapshots in all (log-spaced schedule).
        public var count: Int

        /// - Parameter lastEpoch: `training.epochs`; no explicit snapshot may come after it.
        init(_ snap: SectionReader, lastEpoch: Int) throws {
            epochs = try snap.intList("epochs", in: 0...1_000_000)
            if epochs != nil, snap.has("dense_until") || snap.has("count") {
                throw InfoPlaneError("\(snap.source): give either 'snapshots.epochs' or 'snapshots.dense_until'/'count', not both")
            }
            denseUntil = try snap.int("dense_until", default: 10, in: 0...1_000_000)
            count = try snap.int("count", default: 20, in: 1...100_000)
            if let epochs, epochs.isEmpty {
                throw InfoPlaneError("\(snap.source): 'snapshots.epochs' is empty: list at least one epoch, e.g. [0, 1, 2, 5, 10]")
            }
            if let late = epochs?.first(where: { $0 > lastEpoch }) {
                throw InfoPlaneError("\(snap.source): snapshot epoch \(late) is after the last epoch (training.epochs = \(lastEpoch)): remove it or train longer")
            }
            try snap.finish()
        }

        /// The section in ``ExperimentConfig/canonicalText``.
        var canonicalLines: [String] {
            if let epochs { return ["snapshots:", "  epochs: [\(epochs.map(String.init).joined(separator: ", "))]"] }
            return ["snapshots:", "  dense_until: \(denseUntil)", "  count: \(count)"]
        }
    }
}
