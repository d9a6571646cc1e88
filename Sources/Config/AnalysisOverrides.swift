import Foundation

/// Analysis settings that replace a run's own where they are set: the command-line options of
/// `analyze` and `redundancy`, and the settings file of `redundancy --config FILE`.
public struct AnalysisOverrides: Sendable, Equatable {
    /// Random projections per layer (redundancy: also per half).
    public var slices: Int?
    /// KSG neighbours.
    public var k: Int?
    /// The estimator of S1(T;Y).
    public var labelEstimator: LabelEstimator?
    /// Seed of the projection and jitter streams.
    public var seed: UInt64?
    /// Tie-breaking jitter in standard deviations.
    public var jitter: Double?
    /// Also (or no longer) estimate on shuffled pairings.
    public var shuffleBaseline: Bool?
    /// The estimator of each slice (`--estimator wkl`); `wkl` also makes S1(T;Y) `micd`.
    public var sliceEstimator: SliceEstimator?

    /// Overrides from their parts; nil leaves a setting as it is.
    public init(slices: Int? = nil, k: Int? = nil, labelEstimator: LabelEstimator? = nil, seed: UInt64? = nil,
                jitter: Double? = nil, shuffleBaseline: Bool? = nil) {
        self.slices = slices
        self.k = k
        self.labelEstimator = labelEstimator
        self.seed = seed
        self.jitter = jitter
        self.shuffleBaseline = shuffleBaseline
    }

    /// `settings` with these values in place of its own.
    public func applied(to settings: AnalysisSettings) -> AnalysisSettings {
        var settings = settings
        if let slices { settings.slices = slices }
        if let k { settings.k = k }
        if let labelEstimator { settings.labelEstimator = labelEstimator }
        if let seed { settings.seed = seed }
        if let jitter { settings.jitter = jitter }
        if let shuffleBaseline { settings.shuffleBaseline = shuffleBaseline }
        if let sliceEstimator {
            settings.sliceEstimator = sliceEstimator
            if sliceEstimator == .wkl { settings.labelEstimator = .micd }
        }
        return settings
    }
}

/// The settings file of `infoplane redundancy --config FILE` (e.g. configs/redundancy.yaml):
/// strict YAML with the keys `slices`, `k`, `label_estimator`, `seed` and `jitter`, each optional.
/// A key present replaces the run's own analysis setting; unknown keys are errors.
public enum RedundancyConfig {
    /// Reads and checks a settings file.
    public static func load(path: String) throws -> AnalysisOverrides {
        try read(ConfigTree.document(ofFile: path, shipped: "configs/redundancy.yaml is the shipped one"), source: path)
    }

    /// Parses settings text; `source` names it in errors.
    public static func parse(yaml text: String, source: String) throws -> AnalysisOverrides {
        try read(ConfigTree.parse(yaml: text, source: source), source: source)
    }

    private static func read(_ tree: ConfigTree, source: String) throws -> AnalysisOverrides {
        let root = try SectionReader(tree, path: "", source: source)
        var overrides = AnalysisOverrides()
        overrides.slices = try root.optionalInt("slices", in: AnalysisSettings.slicesRange)
        overrides.k = try root.optionalInt("k", in: 1...Int.max)
        if root.has("label_estimator") {
            overrides.labelEstimator = try root.choice("label_estimator", default: LabelEstimator.ross)
        }
        overrides.seed = try root.optionalInt("seed", in: 0...Int.max).map { UInt64($0) }
        if root.has("jitter") { overrides.jitter = try root.double("jitter", default: 1e-10, in: 0...1) }
        try root.finish()
        return overrides
    }
}
