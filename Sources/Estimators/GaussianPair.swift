import Foundation
import Randomness

/// Jointly Gaussian X, Y ∈ R^d with known mutual information, for accuracy benchmarks.
///
/// X ~ N(0, I_d) and Y = ρX + √(1−ρ²)·Z with Z ~ N(0, I_d) independent, so the d coordinate
/// pairs are independent with correlation ρ and
///
///     I(X;Y) = −(d/2)·log(1 − ρ²).
///
/// For unit θ, φ the slice θᵀX, φᵀY is a Gaussian pair with correlation ρ·(θ·φ), so
/// I(θᵀX; φᵀY) = −½·log(1 − ρ²(θ·φ)²), and the sliced MI averages that over t = θ·φ, whose
/// density for independent uniform θ, φ on S^{d−1} is ∝ (1 − t²)^((d−3)/2) (t = ±1 for d = 1).
public struct GaussianPair: Sendable, Equatable {
    /// Dimension d of X and of Y.
    public let dimension: Int
    /// Correlation ρ of each coordinate pair, |ρ| < 1.
    public let correlation: Double

    /// The pair with coordinate correlation ρ. - Precondition: d ≥ 1, |ρ| < 1.
    public init(dimension: Int, correlation: Double) {
        precondition(dimension >= 1, "GaussianPair needs dimension >= 1")
        precondition(abs(correlation) < 1, "GaussianPair needs |correlation| < 1 (got \(correlation))")
        self.dimension = dimension
        self.correlation = correlation
    }

    /// The pair whose total I(X;Y) is `information` nats: ρ² = 1 − exp(−2I/d).
    /// - Precondition: `information` ≥ 0 and small enough that ρ² rounds below 1.
    public init(dimension: Int, mutualInformation information: Double) {
        precondition(dimension >= 1 && information >= 0, "GaussianPair needs dimension >= 1 and information >= 0")
        self.init(dimension: dimension, correlation: (-expm1(-2 * information / Double(dimension))).squareRoot())
    }

    /// I(X;Y) = −(d/2)·log(1 − ρ²) in nats.
    public var mutualInformation: Double { -0.5 * Double(dimension) * log1p(-correlation * correlation) }

    /// I(θᵀX; φᵀY) for unit directions with cosine t = θ·φ: −½·log(1 − ρ²t²).
    public func sliceInformation(cosine t: Double) -> Double { -0.5 * log1p(-correlation * correlation * t * t) }

    /// The sliced mutual information S1(X;Y) = E[θ,φ] I(θᵀX; φᵀY) in nats.
    ///
    /// The average of g(t) = −½log(1 − ρ²t²) under the density ∝ (1 − t²)^((d−3)/2) on [−1, 1],
    /// by tanh–sinh quadrature: with t = tanh(u), u = (π/2)·sinh(x), the weight times dt becomes
    /// (π/2)·cosh(x)·sech^(d−1)(u) dx exactly (no endpoint singularity left, even for d = 2), and
    /// the trapezoid rule in x converges double-exponentially. The step is halved until two
    /// results agree to 1e-14 (relative); the numerator and the normaliser share the nodes.
    public var slicedMutualInformation: Double {
        if dimension == 1 { return mutualInformation }  // θ, φ = ±1: every slice is the pair itself
        guard correlation != 0 else { return 0 }
        var step = 0.125
        var previous = Double.nan
        for _ in 0..<16 {
            var weighted = 0.0, total = 0.0
            var i = 0
            while true {
                let x = Double(i) * step
                let u = Double.pi / 2 * sinh(x)
                // g and the weight are even in x: the nodes x ≥ 0, the one at 0 counted half.
                let weight = (i == 0 ? 0.5 : 1) * cosh(x) * pow(1 / cosh(u), Double(dimension - 1))
                if weight < 1e-300 || x > 12 { break }
                weighted += weight * sliceInformation(cosine: tanh(u))
                total += weight
                i += 1
            }
            let value = weighted / total
            if abs(value - previous) <= 1e-14 * value { return value }
            previous = value
            step /= 2
        }
        return previous
    }

    /// n samples of (X, Y), each n × d, from the stream of `(seed, "bench.gaussian-pair", indices)`.
    /// Row by row, each coordinate draws x then z (so a sample does not depend on n).
    public func sample(count n: Int, seed: UInt64, indices: [Int]) -> (x: SampleMatrix, y: SampleMatrix) {
        var stream = RandomStream(seed: seed, stream: RandomStream.streamID("bench.gaussian-pair", indices))
        let noise = (1 - correlation * correlation).squareRoot()
        var x = [Double](repeating: 0, count: n * dimension), y = x
        for i in 0..<(n * dimension) {
            let a = stream.nextGaussian()
            x[i] = a
            y[i] = correlation * a + noise * stream.nextGaussian()
        }
        return (SampleMatrix(rows: n, columns: dimension, values: x), SampleMatrix(rows: n, columns: dimension, values: y))
    }

    /// The exact I(θ_jᵀX; φ_jᵀY) of the directions `estimator` uses for S1(X;T) of `layer`, slice
    /// by slice: the truth for the very projections an estimate averaged, without the error of
    /// sampling m directions.
    public func sliceInformation(of estimator: SlicedMutualInformation, layer: Int, slices: Range<Int>) -> [Double] {
        let theta = estimator.inputDirections(slices, dimension: dimension)
        let phi = estimator.layerDirections(slices, layer: layer, dimension: dimension)
        let m = slices.count
        return (0..<m).map { j in
            var cosine = 0.0
            for i in 0..<dimension { cosine += theta[i * m + j] * phi[i * m + j] }
            return sliceInformation(cosine: cosine)
        }
    }
}
