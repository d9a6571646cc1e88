import Support
/// How the information plane is estimated: the config's `analysis` section, after any
/// command-line overrides. Every rank needs these settings, and the plane file records them.
public struct AnalysisSettings: Sendable, Equatable, Codable {
    /// Number of random projections m per layer.
    public var slices: Int
    /// KSG neighbours.
    public var k: Int
    /// The estimator of S1(T;Y) for class labels.
    public var labelEstimator: LabelEstimator
    /// Seed of the projection and jitter streams; defaults to the run's seed.
    public var seed: UInt64
    /// Also estimate on shuffled pairings (the value on independent data).
    public var shuffleBaseline: Bool
    /// Tie-breaking jitter in standard deviations (0 disables it).
    public var jitter: Double
    /// The estimator of each slice: KSG (default) or weighted Kozachenko–Leonenko. With `wkl`,
    /// S1(T;Y) against labels is the WKL entropy difference, which is `micd`.
    public var sliceEstimator: SliceEstimator = .ksg

    /// Settings from their parts.
    public init(slices: Int, k: Int, labelEstimator: LabelEstimator, seed: UInt64, shuffleBaseline: Bool, jitter: Double) {
        self.slices = slices
        self.k = k
        self.labelEstimator = labelEstimator
        self.seed = seed
        self.shuffleBaseline = shuffleBaseline
        self.jitter = jitter
    }

    /// The numbers of slices a config or a command line may ask for.
    public static let slicesRange = 1...10_000_000

    /// Reads the `analysis` section.
    /// - Parameters:
    ///   - samples: evaluation samples (k must stay below it).
    ///   - defaultSeed: the run's seed, the default of `seed`.
    init(_ plane: SectionReader, samples: Int, defaultSeed: UInt64) throws {
        slices = try plane.int("slices", default: 1000, in: Self.slicesRange)
        k = try plane.int("k", default: 5, in: 1...max(1, samples - 1), why: " (KSG needs fewer neighbours than evaluation samples)")
        labelEstimator = try plane.choice("label_estimator", default: .ross)
        seed = UInt64(try plane.int("seed", default: Int(defaultSeed), in: 0...Int.max))
        shuffleBaseline = try plane.choice("shuffle_baseline", from: ["false", "true"], default: "false") == "true"
        jitter = try plane.double("jitter", default: 1e-10, in: 0...1)
        sliceEstimator = try plane.choice("estimator", default: .ksg)
        if sliceEstimator == .wkl {
            // WKL against labels is exactly micd; Ross's estimator has no WKL form.
            guard !plane.has("label_estimator") || labelEstimator == .micd else {
                throw InfoPlaneError("\(plane.source): 'analysis.estimator: wkl' estimates S1(T;Y) as micd (its entropy difference): remove 'analysis.label_estimator' or set it to micd")
            }
            labelEstimator = .micd
        }
        try plane.finish()
    }

    /// The section in ``ExperimentConfig/canonicalText``.
    var canonicalLines: [String] {
        ["analysis:", "  slices: \(slices)", "  k: \(k)", "  label_estimator: \(labelEstimator.rawValue)", "  seed: \(seed)",
         "  shuffle_baseline: \(shuffleBaseline)", "  jitter: \(jitter)"]
            // Only a non-default estimator is written, so the canonical text of every earlier config stays.
            + (sliceEstimator == .ksg ? [] : ["  estimator: \(sliceEstimator.rawValue)"])
    }

    /// Everything the values depend on, as `key: value` lines: compared on `--resume` and stored
    /// in the plane file (its `identity`) and journal.
    public var identityLines: [String] {
        ["slices: \(slices)", "k: \(k)", "label_estimator: \(labelEstimator.rawValue)", "seed: \(seed)",
         "shuffle_baseline: \(shuffleBaseline)", "jitter: \(jitter)", "standardize: true"]
            // A plane whose baseline re-paired every slice alike (before per-slice permutations)
            // must not be resumed under the new pairing.
            + (shuffleBaseline ? ["baseline_pairing: one permutation per slice"] : [])
            // KSG planes keep their identity (they resume as before); a WKL plane names its estimator.
            + (sliceEstimator == .ksg ? [] : ["estimator: \(sliceEstimator.rawValue)"])
    }
}
