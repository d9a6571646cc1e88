import Estimators
import Foundation
import Testing

/// The redundancy quantities on layers whose answer is known by construction.
struct LabelRedundancyTests {
    let estimator = SlicedMutualInformation(k: 5, seed: 11)
    let slices = 48

    /// Row-major n × w from columns.
    func layer(_ columns: [[Double]]) -> SampleMatrix {
        let n = columns[0].count
        return SampleMatrix(rows: n, columns: columns.count, values: (0..<n).flatMap { i in columns.map { $0[i] } })
    }

    func ross(_ x: [Double], _ labels: [Int32]) -> Double {
        x.withUnsafeBufferPointer { px in
            labels.withUnsafeBufferPointer { MixedKSGEstimator(k: 5).mutualInformation(px, labels: $0, workspace: KSGWorkspace()) }
        }
    }

    @Test func identicalCopiesOfOneUnitAreFullyRedundant() {
        let labels = Fixtures.labels(n: 600, classes: 4, seed: 1)
        let unit = Fixtures.classConditional(labels: labels, separation: 0.8, seed: 1)
        let single = ross(unit, labels)
        #expect(single > 0.3, "the unit is informative: \(single)")
        let width = 6
        let r = LabelRedundancy.estimate(t: layer(Array(repeating: unit, count: width)), labels: labels, layer: 2,
                                         slices: slices, estimator: estimator, discrete: .ross)
        // Ross depends on x only through neighbour counts, which scaling, sign and a 1e-10 jitter do
        // not change: every unit, every slice of the joint and of both halves is I(u;Y) itself.
        for value in r.units + r.joint.values + r.halfA.values + r.halfB.values {
            #expect(abs(value - single) < 1e-9, "\(value) against \(single)")
        }
        #expect(abs(r.unitSum - Double(width) * single) < 1e-8)
        #expect(abs(r.ratio - Double(width)) < 1e-8, "the sum counts the same information w times")
        #expect(r.halfA.values == r.halfB.values, "equal halves share directions: bit-identical")
        #expect(abs(r.minimumRatio - 1) < 1e-9, "either half alone holds everything the layer holds")
    }

    @Test func halvesSeeingIndependentPartsOfTheLabelShareLittle() {
        // Y = 2·b1 + b2; unit A is 8·b1 plus unit noise, unit B is 8·b2 plus noise: each unit knows
        // one bit almost surely, and most 1-D projections a·A + c·B separate all four classes.
        let labels = Fixtures.labels(n: 1500, classes: 4, seed: 2)
        let b1 = Fixtures.classConditional(labels: labels.map { $0 / 2 }, separation: 8, seed: 2)
        let b2 = Fixtures.classConditional(labels: labels.map { $0 % 2 }, separation: 8, seed: 3)
        let r = LabelRedundancy.estimate(t: layer([b1, b2]), labels: labels, layer: 1, slices: slices,
                                         estimator: estimator, discrete: .ross)
        // One-unit halves are the units themselves (a 1-D direction is ±1).
        for value in r.halfA.values { #expect(abs(value - r.units[0]) < 1e-9) }
        for value in r.halfB.values { #expect(abs(value - r.units[1]) < 1e-9) }
        // Each unit knows its bit (about ln 2); the layer knows both (S1 toward ln 4); they share
        // nothing, so R_min is about half the joint and the sum of parts about the joint.
        #expect(r.units.allSatisfy { $0 > 0.6 && $0 < log(2) + 0.05 }, "\(r.units)")
        #expect(r.joint.mean > 0.95 && r.joint.mean < log(4) + 0.05, "\(r.joint.mean)")
        #expect(r.minimumRatio < 0.7, "\(r.minimumRatio)")
        #expect(r.ratio > 0.9 && r.ratio < 1.4, "sum over joint \(r.ratio)")

        // Against the copies above, where R_min / S1 is 1: the measure separates the two cases.
        let copies = LabelRedundancy.estimate(t: layer([b1, b1]), labels: labels, layer: 1, slices: slices,
                                              estimator: estimator, discrete: .ross)
        #expect(copies.minimumRatio > r.minimumRatio + 0.3)
        #expect(abs(copies.ratio - 2) < 1e-8)
    }

    @Test func flattenedValuesRebuildTheSameResultForAnyThreadCount() {
        let labels = Fixtures.labels(n: 400, classes: 3, seed: 4)
        let x = Fixtures.classConditional(labels: labels, d: 5, separation: 0.7, seed: 4)
        let t = SampleMatrix(rows: 400, columns: 5, values: x)
        let one = LabelRedundancy.estimate(t: t, labels: labels, layer: 3, slices: 40, estimator: estimator, discrete: .ross)
        let four = LabelRedundancy.estimate(t: t, labels: labels, layer: 3, slices: 40,
                                            estimator: SlicedMutualInformation(k: 5, seed: 11, threads: 4), discrete: .ross)
        #expect(one == four)
        #expect(LabelRedundancy(flattened: one.flattened, width: 5, slices: 40) == one)
        #expect(LabelRedundancy.halfAWidth(5) == 3 && one.halfA.values != one.halfB.values)
        // The joint is the plane's S1(T;Y): the same directions and preparation.
        #expect(one.joint.values == estimator.labelInformation(t: t, labels: labels, layer: 3, slices: 0..<40))
        var lastTwo: [Double] = []
        for row in 0..<400 { lastTwo += [x[row * 5 + 3], x[row * 5 + 4]] }
        #expect(t.selectingColumns(3..<5).values == lastTwo)
    }
}
