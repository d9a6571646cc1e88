import Randomness

/// A seeded subset of samples, for analyses of fewer samples than a run recorded
/// (`analyze --samples N --sample-seed S`).
public enum SampleSubset {
    /// `count` of the row indices `0 ..< samples`, ascending: the first `count` entries of the
    /// permutation of the stream `("samples.subset", samples)` under `seed`. A pure function of its
    /// arguments, so every rank and every resume picks the same rows.
    /// - Precondition: `0 <= count <= samples`.
    public static func rows(seed: UInt64, count: Int, of samples: Int) -> [Int] {
        precondition(count >= 0 && count <= samples, "a subset of \(count) of \(samples) samples")
        var stream = RandomStream(seed: seed, purpose: "samples.subset", samples)
        return stream.permutation(of: samples).prefix(count).sorted()
    }
}
