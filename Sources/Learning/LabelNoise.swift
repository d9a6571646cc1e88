import Randomness

/// Training labels with a seeded fraction replaced by random classes: the label-noise setting of
/// memorisation studies (Zhang et al. 2017; Wongso, Ghosh & Motani 2023).
///
/// Exactly `round(fraction · n)` samples are replaced: the first ones of the permutation
/// `RandomStream(seed, "label_noise.samples").permutation(of: n)`. Sample i's new class is drawn
/// uniformly from all `classes` classes by its own stream `("label_noise.class", i)`, as Wongso et
/// al. do: a replaced label is then independent of the input, so S1(T;Y_noisy) over the replaced
/// samples is 0 unless the network memorises them. About 1/K of the replaced labels therefore
/// equal the true one; `changed` marks every replaced sample all the same. Everything is a
/// function of (labels, classes, fraction, seed) alone.
public struct NoisyLabels: Sendable, Equatable {
    /// The labels training sees.
    public var noisy: [Int32]
    /// The dataset's own labels.
    public var original: [Int32]
    /// Whether sample i's label was replaced (a replaced label may equal the true one by chance).
    public var changed: [Bool]
    /// The fraction p asked for.
    public var fraction: Double
    /// The seed of the draw.
    public var seed: UInt64

    /// Samples whose label was replaced.
    public var replacedCount: Int { changed.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Replaces `round(fraction · n)` of `labels` (each in `0..<classes`, classes ≥ 2) by uniformly
    /// random classes, from `seed`.
    public init(labels: [Int32], classes: Int, fraction: Double, seed: UInt64) {
        precondition(classes >= 2 && (0..<1).contains(fraction), "label noise needs 2+ classes and 0 ≤ p < 1")
        let n = labels.count
        let count = Int((fraction * Double(n)).rounded())
        var order = RandomStream(seed: seed, purpose: "label_noise.samples")
        var noisy = labels, changed = [Bool](repeating: false, count: n)
        for i in order.permutation(of: n).prefix(count) {
            var draw = RandomStream(seed: seed, purpose: "label_noise.class", i)
            noisy[i] = Int32(draw.nextInt(below: classes))
            changed[i] = true
        }
        self.noisy = noisy
        self.original = labels
        self.changed = changed
        self.fraction = fraction
        self.seed = seed
    }
}
