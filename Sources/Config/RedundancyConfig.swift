import Foundation

/// Settings of `infoplane redundancy --config FILE` (e.g. configs/redundancy.yaml): strict
/// YAML with the keys `slices`, `k`, `label_estimator`, `seed` and `jitter`, each optional.
/// A key present replaces the run's own analysis setting; unknown keys are errors.
public struct RedundancyConfig: Sendable, Equatable {
    /// Random projections per layer (and per half).
    public var slices: Int?
    /// KSG neighbours.
    public var k: Int?
    /// The estimator of S1(T;Y).
    public var labelEstimator: LabelEstimator?
    /// Seed of the projection and jitter streams.
    public var seed: UInt64?
    /// Tie-breaking jitter in standard deviations.
    public var jitter: Double?

    /// Nothing set: the run's own settings apply.
    public init() {}

    /// Reads and checks a settings file.
    public static func load(path: String) throws -> RedundancyConfig {
        let text = try ConfigTree.text(ofFile: path, shipped: "configs/redundancy.yaml is the shipped one")
        return try parse(yaml: text, source: path)
    }

    /// Parses settings text; `source` names it in errors.
    public static func parse(yaml text: String, source: String) throws -> RedundancyConfig {
        let root = try SectionReader(try ConfigTree.parse(yaml: text, source: source), path: "", source: source)
        var config = RedundancyConfig()
        config.slices = try root.optionalInt("slices", in: 1...10_000_000)
        config.k = try root.optionalInt("k", in: 1...Int.max)
        if root.has("label_estimator") {
            config.labelEstimator = try root.choice("label_estimator", default: LabelEstimator.ross)
        }
        config.seed = try root.optionalInt("seed", in: 0...Int.max).map { UInt64($0) }
        if root.has("jitter") { config.jitter = try root.double("jitter", default: 1e-10, in: 0...1) }
        try root.finish()
        return config
    }

    /// `section` with this file's settings in place of its own.
    public func applied(to section: AnalysisSettings) -> AnalysisSettings {
        var section = section
        if let slices { section.slices = slices }
        if let k { section.k = k }
        if let labelEstimator { section.labelEstimator = labelEstimator }
        if let seed { section.seed = seed }
        if let jitter { section.jitter = jitter }
        return section
    }
}
