import Estimators
import Foundation
import Randomness
import Testing

/// The tie-breaking jitter of SlicePreparation: deterministic per (seed, purpose, identity, i),
/// distinct between variables, tie-free, negligible against the data and of unit spread.
struct TieBreakingJitterTests {
    @Test func valuesArePureFunctionsOfTheirKeys() {
        let a = TieBreakingJitter(seed: 7, purpose: "phi", identity: [2, 31])
        let again = TieBreakingJitter(seed: 7, purpose: "phi", identity: [2, 31])
        // Any order of drawing gives the same value at each index.
        for i in [0, 1, 999, 5, 10_000_000] { #expect(a.value(i) == again.value(i)) }
        let others = [TieBreakingJitter(seed: 8, purpose: "phi", identity: [2, 31]),
                      TieBreakingJitter(seed: 7, purpose: "theta", identity: [2, 31]),
                      TieBreakingJitter(seed: 7, purpose: "phi", identity: [3, 31]),
                      TieBreakingJitter(seed: 7, purpose: "phi", identity: [2, 32])]
        for other in others {
            let same = (0..<100).filter { a.value($0) == other.value($0) }.count
            #expect(same == 0, "\(same) of 100 values shared with another variable's jitter")
        }
    }

    /// Value i by its definition (SplitMix64 at key + (i + 1)·the golden-ratio increment, its top
    /// 52 bits as a unit in [1, 2), centred and scaled to unit spread), by index and by the
    /// stepped sequence positions the preparation's loop walks.
    @Test func valuesFollowTheirDefinitionByIndexAndByStepping() {
        let noise = TieBreakingJitter(seed: 3, purpose: "phi", identity: [1, 7])
        var wrong = 0, firstWrong = -1
        for first in [0, 511, 1_000_000] {
            var state = noise.state(first)
            for i in first..<(first + 600) {
                let bits = RandomStream.splitMix64(noise.key &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15)
                let expected = (Double(bitPattern: (bits >> 12) | 0x3FF0_0000_0000_0000) - 1.5) * 3.4641016151377544
                if noise.value(i) != expected || TieBreakingJitter.value(atState: state) != expected {
                    if wrong == 0 { firstWrong = i }
                    wrong += 1
                }
                state &+= TieBreakingJitter.step
            }
        }
        #expect(wrong == 0, "\(wrong) values differ, first at \(firstWrong)")
    }

    @Test func valuesAreBoundedCenteredAndOfUnitSpread() {
        let noise = TieBreakingJitter(seed: 1, purpose: "target", identity: [4])
        let n = 200_000
        var sum = 0.0, squares = 0.0, largest = 0.0
        var seen = Set<Double>()
        for i in 0..<n {
            let v = noise.value(i)
            sum += v
            squares += v * v
            largest = max(largest, abs(v))
            seen.insert(v)
        }
        #expect(largest <= 3.0.squareRoot())
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs((squares / Double(n)).squareRoot() - 1) < 0.01)
        #expect(seen.count == n, "\(n - seen.count) repeated values")
    }

    @Test func preparationBreaksExactTiesAtANegligibleScale() {
        // A variable with three values, each repeated: standardised, then jittered.
        let raw = (0..<3000).map { Double($0 % 3) }
        var values = raw
        let preparation = SlicePreparation(standardize: true, jitter: 1e-10, seed: 5)
        let varies = values.withUnsafeMutableBufferPointer { preparation.prepare($0, identity: [0, 9], purpose: "phi") }
        #expect(varies)
        // At 1e-10 standard deviations the jitter of values near ±1.22 takes ~1.6 million
        // distinct doubles, so a thousand-fold tie keeps a coincidence now and then (about 0.6
        // expected here, as with a Gaussian of the same spread); a wider jitter leaves none.
        #expect(values.count - Set(values).count <= 5, "\(values.count - Set(values).count) ties left")
        var wide = raw
        _ = wide.withUnsafeMutableBufferPointer {
            SlicePreparation(standardize: true, jitter: 1e-6, seed: 5).prepare($0, identity: [0, 9], purpose: "phi")
        }
        #expect(Set(wide).count == wide.count, "ties left after a 1e-6 jitter")
        // Standardised values of 0, 1, 2 are −√1.5, 0, √1.5; the jitter moves them by ≤ √3·1e-10.
        let mean = 1.0, std = (2.0 / 3.0).squareRoot()
        for (v, r) in zip(values, raw) { #expect(abs(v - (r - mean) / std) <= 3.0.squareRoot() * 1e-10 * 1.001) }
        // The same variable prepared again (anywhere) gets the same values; without jitter the ties stay.
        var again = raw
        _ = again.withUnsafeMutableBufferPointer { preparation.prepare($0, identity: [0, 9], purpose: "phi") }
        #expect(again == values)
        var plain = raw
        _ = plain.withUnsafeMutableBufferPointer { SlicePreparation(jitter: 0).prepare($0, identity: [0, 9], purpose: "phi") }
        #expect(Set(plain).count == 3)
    }
}
