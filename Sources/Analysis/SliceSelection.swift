import Config

/// What a per-slice analysis of a run file measures when the command line says so: slices,
/// neighbours, seed, label estimator, and which layers and epochs (`analyze`, `redundancy`).
/// Unset fields take the run's settings.
public struct SliceSelection: Sendable, Equatable {
    /// Random projections per layer.
    public var slices: Int?
    /// KSG neighbours.
    public var k: Int?
    /// Seed of projections and jitter.
    public var seed: UInt64?
    /// The estimator of S1(T;Y) for class labels.
    public var labelEstimator: LabelEstimator?
    /// Hidden layers (1-based); nil for all.
    public var layers: [Int]?
    /// Snapshot epochs; nil for all.
    public var epochs: [Int]?

    /// A selection from its parts (all optional).
    public init(slices: Int? = nil, k: Int? = nil, seed: UInt64? = nil, labelEstimator: LabelEstimator? = nil,
                layers: [Int]? = nil, epochs: [Int]? = nil) {
        self.slices = slices
        self.k = k
        self.seed = seed
        self.labelEstimator = labelEstimator
        self.layers = layers
        self.epochs = epochs
    }

    /// `settings` with the fields this selection sets.
    public func applied(to settings: AnalysisSettings) -> AnalysisSettings {
        var settings = settings
        if let slices { settings.slices = slices }
        if let k { settings.k = k }
        if let seed { settings.seed = seed }
        if let labelEstimator { settings.labelEstimator = labelEstimator }
        return settings
    }
}
