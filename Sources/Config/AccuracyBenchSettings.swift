import Foundation
import Support

/// Settings of the known-MI benchmark (`infoplane bench accuracy`), read strictly from a YAML
/// file such as configs/bench-accuracy.yaml; command-line flags override fields afterwards and
/// ``validate()`` checks the result.
public struct AccuracyBenchSettings: Sendable, Equatable {
    /// What the set values fix: the total I(X;Y) in nats, or the coordinate correlation ρ.
    public enum Mode: String, Sendable, CaseIterable {
        /// The set value is I(X;Y) in nats.
        case mi
        /// The set value is the coordinate correlation ρ.
        case correlation
    }

    /// Whether the levels set the correlation ρ or the total MI.
    public var mode: Mode = .correlation
    /// Dimensions d of X and of Y.
    public var dimensions = [1, 2, 5, 10, 20, 50, 100]
    /// How many set values, evenly spaced from 0 to ``maximum`` (when ``values`` is nil).
    public var levels = 8
    /// The largest set value; nil for the mode's default (ρ = 0.9, or I = 2 nats).
    public var maximum: Double?
    /// Explicit set values, replacing levels and maximum.
    public var values: [Double]?
    /// Samples n per point.
    public var samples = 3000
    /// Projections m of the sliced estimate.
    public var slices = 2000
    /// KSG neighbours.
    public var k = 5
    /// Seed of the samples, projections and jitter.
    public var seed: UInt64 = 1

    /// The defaults of the issue: n = 3000, m = 2000, k = 5, d from 1 to 100.
    public init() {}

    /// The set values of every dimension, in order.
    public var setValues: [Double] {
        if let values { return values }
        let top = maximum ?? (mode == .correlation ? 0.9 : 2)
        return (0..<levels).map { top * Double($0) / Double(max(levels - 1, 1)) }
    }

    /// Reads the file at `path` (all keys optional; unknown keys are errors).
    public static func load(path: String) throws -> AccuracyBenchSettings {
        try read(ConfigTree.document(ofFile: path, shipped: "configs/bench-accuracy.yaml is the shipped one"), source: path)
    }

    /// Parses config text; `source` names it in errors.
    public static func parse(yaml text: String, source: String) throws -> AccuracyBenchSettings {
        try read(ConfigTree.parse(yaml: text, source: source), source: source)
    }

    private static func read(_ tree: ConfigTree, source: String) throws -> AccuracyBenchSettings {
        let root = try SectionReader(tree, path: "", source: source)
        var settings = AccuracyBenchSettings()
        settings.mode = try root.choice("mode", default: settings.mode)
        settings.dimensions = try root.intList("dimensions", in: 1...10_000) ?? settings.dimensions
        settings.levels = try root.int("levels", default: settings.levels, in: 2...10_000, why: " (two or more points to correlate)")
        if root.has("max") { settings.maximum = try root.double("max", default: 0, in: 0...Double.greatestFiniteMagnitude, openLower: true) }
        settings.values = try root.doubleList("values")
        settings.samples = try root.int("samples", default: settings.samples, in: 2...Int(Int32.max))
        settings.slices = try root.int("slices", default: settings.slices, in: 1...Int(Int32.max))
        settings.k = try root.int("k", default: settings.k, in: 1...Int(Int32.max))
        settings.seed = UInt64(try root.int("seed", default: Int(settings.seed), in: 0...Int.max))
        try root.finish()
        if settings.values != nil && (root.has("levels") || root.has("max")) {
            throw InfoPlaneError("\(source): 'values' replaces 'levels' and 'max': keep one or the other")
        }
        do { try settings.validate() } catch let error as InfoPlaneError { throw InfoPlaneError("\(source): \(error.description)") }
        return settings
    }

    /// Checks the combination; the message names the key (and its flag) and the fix.
    public func validate() throws {
        guard !dimensions.isEmpty, dimensions.allSatisfy({ (1...10_000).contains($0) }) else {
            throw InfoPlaneError("dimensions (--dimensions) must be whole numbers from 1 to 10000, e.g. 1,2,10")
        }
        guard Set(dimensions).count == dimensions.count else {
            throw InfoPlaneError("dimensions (--dimensions) \(dimensions) repeat a value: list each dimension once")
        }
        guard k >= 1 else { throw InfoPlaneError("k (--k) = \(k) is impossible: KSG needs at least 1 neighbour") }
        guard samples > k else {
            throw InfoPlaneError("samples (--samples) = \(samples) with k = \(k) is impossible: KSG needs more samples than neighbours")
        }
        guard AnalysisSettings.slicesRange.contains(slices) else {
            throw InfoPlaneError("slices (--slices) = \(slices) is impossible: take 1 to \(AnalysisSettings.slicesRange.upperBound) projections")
        }
        if values == nil {
            guard (2...10_000).contains(levels) else {
                throw InfoPlaneError("levels (--levels) = \(levels) is impossible: take 2 to 10000 set values (two or more to correlate)")
            }
            if let maximum {
                guard maximum.isFinite, maximum > 0, mode == .mi || maximum < 1 else {
                    throw InfoPlaneError("max (--max) = \(maximum) is impossible for mode \(mode.rawValue): "
                                      + (mode == .mi ? "give a positive MI in nats" : "give a correlation between 0 and 1 (exclusive)"))
                }
            }
        }
        let set = setValues
        guard Set(set).count >= 2 else {
            throw InfoPlaneError("values (--values) \(set) need two or more different values to correlate estimate with truth")
        }
        for value in set {
            switch mode {
            case .correlation:
                guard value.isFinite, abs(value) < 1 else {
                    throw InfoPlaneError("values (--values): correlation \(value) is impossible: give values strictly between -1 and 1")
                }
            case .mi:
                guard value.isFinite, value >= 0 else {
                    throw InfoPlaneError("values (--values): MI \(value) is impossible: give values of at least 0 nats")
                }
                // ρ² = 1 − exp(−2I/d) must stay below 1 in Double for every d.
                if let d = dimensions.min(), 2 * value / Double(d) > 30 {
                    throw InfoPlaneError("values (--values): MI \(value) nats in dimension \(d) needs correlation 1: keep it at most \(15 * d) nats")
                }
            }
        }
    }
}
