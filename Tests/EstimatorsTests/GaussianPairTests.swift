import Foundation
import Randomness
import Testing
@testable import Estimators

/// The known-MI benchmark's Gaussian family: its closed forms, its sampler, and the estimates
/// of a reduced-size benchmark against the truth.
@Suite struct GaussianPairTests {
    @Test(arguments: [2, 3, 5, 10, 100])
    func slicedQuadratureMatchesTheSeries(d: Int) {
        // Two independent closed forms: quadrature over θ·φ (the code) and the power series
        // ½ Σ (ρ^{2n}/n) E[t^{2n}] (gaussianSlicedMI in SlicedMutualInformationTests).
        for rho in [0.05, 0.5, 0.9, 0.99] {
            let quadrature = GaussianPair(dimension: d, correlation: rho).slicedMutualInformation
            let series = gaussianSlicedMI(d: d, r: rho)
            #expect(abs(quadrature - series) <= 1e-12 * series + 1e-15, "d = \(d), ρ = \(rho): \(quadrature) vs \(series)")
        }
    }

    @Test(arguments: [2, 3, 10])
    func slicedClosedFormMatchesMonteCarloOverDirections(d: Int) {
        let pair = GaussianPair(dimension: d, correlation: 0.9)
        var sum = 0.0, squares = 0.0
        let draws = 50_000
        for j in 0..<draws {
            let theta = Projections.unitVector(dimension: d, seed: 7, purpose: "test.theta", indices: [j])
            let phi = Projections.unitVector(dimension: d, seed: 7, purpose: "test.phi", indices: [j])
            let value = pair.sliceInformation(cosine: zip(theta, phi).reduce(0) { $0 + $1.0 * $1.1 })
            sum += value
            squares += value * value
        }
        let mean = sum / Double(draws)
        let standardError = ((squares / Double(draws) - mean * mean) / Double(draws)).squareRoot()
        #expect(standardError < 0.01 * mean, "the check is tight")
        #expect(abs(pair.slicedMutualInformation - mean) < 4 * standardError,
                "d = \(d): closed form \(pair.slicedMutualInformation), Monte Carlo \(mean) ± \(standardError)")
    }

    @Test func oneDimensionAndTheSetMIMode() {
        let one = GaussianPair(dimension: 1, correlation: 0.8)
        #expect(one.slicedMutualInformation == one.mutualInformation)
        #expect(abs(one.mutualInformation - (-0.5 * log(1 - 0.64))) < 1e-15)
        for d in [1, 7, 100] {
            let pair = GaussianPair(dimension: d, mutualInformation: 1.3)
            #expect(abs(pair.mutualInformation - 1.3) < 1e-12, "d = \(d)")
            #expect(pair.slicedMutualInformation < pair.mutualInformation / Double(d) + 1e-12, "slicing sees a share of it")
        }
        #expect(GaussianPair(dimension: 4, mutualInformation: 0).slicedMutualInformation == 0)
    }

    @Test func samplesHaveTheSetCorrelationAndAreReproducible() {
        let pair = GaussianPair(dimension: 3, correlation: 0.6)
        let n = 20_000
        let (x, y) = pair.sample(count: n, seed: 5, indices: [3, 1])
        func column(_ m: SampleMatrix, _ c: Int) -> [Double] { (0..<n).map { m.values[$0 * 3 + c] } }
        for c in 0..<3 {
            let r = KnownInformationSummary.pearson(column(x, c), column(y, c))
            #expect(abs(r - 0.6) < 0.02, "coordinate \(c): sample correlation \(r)")
            let variance = column(y, c).reduce(0) { $0 + $1 * $1 } / Double(n)
            #expect(abs(variance - 1) < 0.05, "Y has unit variance, got \(variance)")
        }
        #expect(abs(KnownInformationSummary.pearson(column(x, 0), column(y, 1))) < 0.03, "different coordinates are independent")
        #expect(pair.sample(count: n, seed: 5, indices: [3, 1]) == (x, y))
        #expect(pair.sample(count: 10, seed: 5, indices: [3, 1]).x.values == Array(x.values[0..<30]), "a row does not depend on n")
        #expect(pair.sample(count: n, seed: 5, indices: [3, 2]).x != x)
    }

    @Test func perSliceTruthUsesTheEstimatorsDirections() {
        // In d = 2 the slice values spread from 0 to −½log(1−ρ²): estimates follow the truths
        // of their own directions only if those are the directions the estimator projected on.
        let pair = GaussianPair(dimension: 2, correlation: 0.95)
        let estimator = SlicedMutualInformation(k: 5, seed: 3)
        let (x, y) = pair.sample(count: 2000, seed: 3, indices: [0])
        let estimates = estimator.inputInformation(x: x, t: y, layer: 0, slices: 0..<64)
        let truths = pair.sliceInformation(of: estimator, layer: 0, slices: 0..<64)
        #expect(KnownInformationSummary.pearson(estimates, truths) > 0.95)
        let shifted = pair.sliceInformation(of: SlicedMutualInformation(k: 5, seed: 4), layer: 0, slices: 0..<64)
        #expect(KnownInformationSummary.pearson(estimates, shifted) < 0.5, "other directions do not match")
    }

    @Test func reducedBenchmarkFollowsTheTruth() {
        let estimator = SlicedMutualInformation(k: 5, seed: 1)
        var fullAtOne: [KnownInformationPoint] = []
        for d in [1, 2, 10] {
            let points = [0, 0.3, 0.6, 0.9].enumerated().map { level, rho in
                KnownInformationPoint.measure(GaussianPair(dimension: d, correlation: rho), samples: 500, slices: 64,
                                              estimator: estimator, sampleIndices: [d, level]).point
            }
            let summary = KnownInformationSummary(dimension: d, points: points)
            #expect(summary.slicedCorrelation > 0.95, "d = \(d): sliced r = \(summary.slicedCorrelation)")
            for point in points {
                #expect(abs(point.trueSlicedOnSlices - point.trueSlicedInformation) <= 0.3 * point.trueSlicedInformation,
                        "64 directions average close to the expectation")
            }
            if d == 1 { fullAtOne = points }
        }
        for point in fullAtOne {
            // KSG with k = 5 at n = 500 and I ≤ 0.83 nats: bias and noise of a few hundredths.
            #expect(abs(point.fullEstimate - point.trueInformation) < 0.06,
                    "ρ = \(point.pair.correlation): full \(point.fullEstimate) vs \(point.trueInformation)")
            // In d = 1 each slice is ±X against ±Y: the full estimate up to the 1e-10 jitter.
            #expect(abs(point.slicedEstimate.mean - point.fullEstimate) < 1e-6)
        }
    }

    @Test func pearsonAndSummary() {
        #expect(abs(KnownInformationSummary.pearson([1, 2, 3], [2, 4, 6.5]) - 0.997949) < 1e-5)
        #expect(KnownInformationSummary.pearson([1, 1, 1], [1, 2, 3]).isNaN)
        #expect(KnownInformationSummary.relativeBias([0.1, 1.5, 3], [0, 1, 2]) == 1.6 / 3, "weighted by the truth")
    }
}
