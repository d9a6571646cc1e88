import Randomness
import Testing
@testable import Estimators

/// S1(T;Y) for a continuous target (regression): KSG between φᵀT and Y.
@Suite struct TargetInformationTests {
    static func gaussian(_ n: Int, _ purpose: String) -> [Double] {
        var stream = RandomStream(seed: 4, purpose: purpose)
        return (0..<n).map { _ in stream.nextGaussian() }
    }

    @Test func dependentTargetsCarryMuchAndIndependentOnesNothing() {
        let n = 1000
        let estimator = SlicedMutualInformation(k: 5, seed: 9)
        // T is 1-D, so φᵀT = ±T and Y = T + 0.01·noise is nearly a copy: I ≈ log(1/0.01) ≈ 4.6 nats.
        let t = SampleMatrix(rows: n, columns: 1, values: Self.gaussian(n, "t"))
        let noise = Self.gaussian(n, "noise")
        let copy = SampleMatrix(rows: n, columns: 1, values: zip(t.values, noise).map { $0 + 0.01 * $1 })
        let dependent = SlicedEstimate(values: estimator.targetInformation(t: t, targets: copy, layer: 1, slices: 0..<32))
        #expect(dependent.mean > 3.5, "\(dependent.mean)")
        // Independent Y: the true value is 0; KSG's spread at n = 1000 is about 0.02 per slice.
        let independent = SlicedEstimate(values: estimator.targetInformation(
            t: t, targets: SampleMatrix(rows: n, columns: 1, values: noise), layer: 1, slices: 0..<32))
        #expect(abs(independent.mean) < 0.03, "\(independent.mean)")
    }

    /// The pipeline's block path (prepared T and prepared targets) gives exactly the values of
    /// the one-call estimator, for 1-D and wider targets.
    @Test func blockPathEqualsTheSlicedEstimator() {
        let n = 300
        let estimator = SlicedMutualInformation(k: 5, seed: 2)
        let t = SampleMatrix(rows: n, columns: 3, values: Self.gaussian(3 * n, "wide-t"))
        for width in [1, 2] {
            let y = SampleMatrix(rows: n, columns: width, values: (0..<(n * width)).map { t.values[($0 / width) * 3 + $0 % width] * 2 + 0.3 })
            let slices = 32..<50
            let prepared = estimator.targetInformation(estimator.preparedLayer(t, layer: 2, slices: slices),
                                                       targets: estimator.preparedTargets(y, slices: slices),
                                                       workspace: KSGWorkspace())
            #expect(prepared == estimator.targetInformation(t: t, targets: y, layer: 2, slices: slices))
            #expect(SlicedEstimate(values: prepared).mean > 0.1)
        }
    }
}
