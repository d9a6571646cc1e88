import Learning
import Randomness
import Testing

/// The label-noise draw: exactly round(p·n) labels replaced, each by a uniformly random class
/// (which may be the true one); a function of (labels, classes, p, seed) alone.
@Suite struct LabelNoiseTests {
    static func labels(_ n: Int, classes: Int) -> [Int32] {
        var stream = RandomStream(seed: 99, purpose: "test.labels")
        return (0..<n).map { _ in Int32(stream.nextInt(below: classes)) }
    }

    @Test(arguments: [0.0, 0.2, 0.4, 0.6, 0.8, 0.25, 0.999])
    func exactlyTheRoundedFractionIsReplaced(p: Double) {
        let original = Self.labels(1_001, classes: 10)
        let noise = NoisyLabels(labels: original, classes: 10, fraction: p, seed: 3)
        #expect(noise.replacedCount == Int((p * 1_001).rounded()))
        #expect(noise.original == original && noise.fraction == p && noise.seed == 3)
        for i in original.indices {
            #expect(noise.changed[i] || noise.noisy[i] == original[i])
            #expect((0..<10).contains(noise.noisy[i]))
        }
    }

    @Test func theDrawIsSeededAndDependsOnNothingElse() {
        let original = Self.labels(5_000, classes: 10)
        let a = NoisyLabels(labels: original, classes: 10, fraction: 0.4, seed: 1)
        #expect(NoisyLabels(labels: original, classes: 10, fraction: 0.4, seed: 1) == a)
        let other = NoisyLabels(labels: original, classes: 10, fraction: 0.4, seed: 2)
        #expect(other.changed != a.changed)
        // Sample i's new class comes from its own stream: a larger p replaces a superset of
        // samples with the same classes wherever both replaced it.
        let more = NoisyLabels(labels: original, classes: 10, fraction: 0.6, seed: 1)
        for i in original.indices where a.changed[i] {
            #expect(more.changed[i] && more.noisy[i] == a.noisy[i])
        }
    }

    @Test func replacementClassesAreUniformOverAllClasses() {
        // All true labels 0: the 45,000 replaced labels are uniform on 0…9, 4,500 expected each.
        let noise = NoisyLabels(labels: [Int32](repeating: 0, count: 50_000), classes: 10, fraction: 0.9, seed: 11)
        var counts = [Int](repeating: 0, count: 10)
        for (label, changed) in zip(noise.noisy, noise.changed) where changed { counts[Int(label)] += 1 }
        #expect(counts.reduce(0, +) == 45_000)
        // χ² with 9 degrees of freedom: 27.9 is its 0.999 quantile.
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - 4_500) * (Double($1) - 4_500) / 4_500 }
        #expect(chi2 < 27.9, "\(counts)")
        #expect(noise.noisy.enumerated().allSatisfy { noise.changed[$0.offset] || $0.element == 0 })
    }
}
