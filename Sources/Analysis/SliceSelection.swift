import Config

/// What a per-slice analysis of a run file measures when the command line says so: settings
/// that replace the run's (slices, neighbours, seed, label estimator, baseline), and which layers
/// and epochs (`analyze`, `redundancy`).
public struct SliceSelection: Sendable, Equatable {
    /// Settings that replace the run's where set.
    public var settings: AnalysisOverrides
    /// Hidden layers, each by name or number (``LayerNaming/select(_:from:file:)``); nil for all.
    public var layers: [String]?
    /// Snapshot epochs; nil for all.
    public var epochs: [Int]?

    /// A selection from its parts (all optional).
    public init(settings: AnalysisOverrides = AnalysisOverrides(), layers: [String]? = nil, epochs: [Int]? = nil) {
        self.settings = settings
        self.layers = layers
        self.epochs = epochs
    }
}
