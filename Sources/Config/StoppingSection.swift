/// The optional `stopping:` section: stop training when the information objective
/// `J = S1(T;Y) − β·S1(X;T)` of one hidden layer stops improving (see ``InformationStoppingRule``).
/// Present (even empty) turns the rule on; absent leaves training to run its epochs.
///
/// Its settings change training, so they are part of the canonical config and `--resume`
/// refuses a change. They are kept apart from `analysis` (which a resume may change) for that
/// reason: the rule's `k` and `seed` default to the analysis values but are recorded on their own.
public struct StoppingSection: Sendable, Equatable, Codable {
    /// β of the objective: the nats of label information one nat of input information costs.
    /// Default 1 (both at the same price); how the choice moves the stop is measured in docs/experiments.md.
    public var beta: Double
    /// Improvement (nats) the window's best J must make over the best J before it.
    public var tolerance: Double
    /// Snapshots without such an improvement before training stops.
    public var window: Int
    /// Random projections m of the sliced estimates (the plane's first m directions of the layer).
    public var slices: Int
    /// KSG neighbours.
    public var k: Int
    /// Hidden layer T (1-based); the last hidden layer by default.
    public var layer: Int
    /// Seed of the projection and jitter streams.
    public var seed: UInt64

    /// The section as canonical YAML lines (every default filled in).
    var canonicalLines: [String] {
        ["stopping:", "  beta: \(beta)", "  tolerance: \(tolerance)", "  window: \(window)", "  slices: \(slices)",
         "  k: \(k)", "  layer: \(layer)", "  seed: \(seed)"]
    }
}

extension StoppingSection {
    /// Defaults: β = 1, tolerance 0.002 nats (a tenth of a typical 100-slice standard error; with
    /// the same directions at every epoch the epoch-to-epoch changes are far less noisy), window 5
    /// snapshots, 100 slices.
    init(_ reader: SectionReader, hiddenLayers: Int, analysis: AnalysisSettings, samples: Int) throws {
        self.init(
            beta: try reader.double("beta", default: 1, in: 0...1_000),
            tolerance: try reader.double("tolerance", default: 0.002, in: 0...1_000),
            window: try reader.int("window", default: 5, in: 1...1_000_000,
                                   why: " (snapshots without improvement before stopping)"),
            slices: try reader.int("slices", default: 100, in: 2...10_000_000,
                                   why: " (the objective's standard error needs at least 2 slices)"),
            k: try reader.int("k", default: analysis.k, in: 1...max(1, samples - 1),
                              why: " (KSG needs fewer neighbours than evaluation samples)"),
            layer: try reader.int("layer", default: hiddenLayers, in: 1...hiddenLayers,
                                  why: " (a hidden layer of model.hidden, counted from 1)"),
            seed: UInt64(try reader.int("seed", default: Int(analysis.seed), in: 0...Int.max)))
        try reader.finish()
    }
}
