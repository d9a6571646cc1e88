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
        /// What a snapshot stores of each recorded layer (`snapshots.store`).
        public var store: SnapshotStore = .activations

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
            store = try snap.choice("store", default: SnapshotStore.activations)
            try snap.finish()
        }

        /// The section in ``ExperimentConfig/canonicalText``.
        /// `store` appears only when it is not the default, so the canonical text of every config
        /// written before the key existed is unchanged (resume compares it).
        var canonicalLines: [String] {
            let storeLines = store == .activations ? [] : ["  store: \(store.rawValue)"]
            if let epochs { return ["snapshots:", "  epochs: [\(epochs.map(String.init).joined(separator: ", "))]"] + storeLines }
            return ["snapshots:", "  dense_until: \(denseUntil)", "  count: \(count)"] + storeLines
        }
    }
}

/// What a snapshot records of each layer (`snapshots.store`).
public enum SnapshotStore: String, Sendable, CaseIterable, Codable {
    /// The activations, n × width float32 (`conv1`, `layer_1`, …): any analysis can be run later.
    case activations
    /// Only the raw projections φ_jᵀt_i of the analysis's m slices under its seed, n × m float64
    /// (`projections_L`): much smaller for wide layers, the same plane, but `analyze` is then
    /// bound to that seed and at most those m slices.
    case projections
}
