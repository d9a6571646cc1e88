import COpenBLAS
import Foundation
import Support

/// The pairwise-distance upper bound on the entropy of noisy activations (Kolchinsky & Tracey
/// 2017, "Estimating mixture entropy with pairwise distances", §4), as used by Saxe et al. (2018).
///
/// T is treated as T + ε with ε ~ N(0, σ²I), i.e. a mixture of n Gaussians centred on the samples;
/// the KL-divergence bound on the mixture's entropy is
///
///     H_upper(T) = d/2 − (1/n) Σ_i log[(1/n) Σ_j exp(−‖t_i − t_j‖² / (2σ²))] + (d/2) log(2πσ²),
///
/// and the noise alone has H(T|X) = (d/2)(log(2πσ²) + 1). These match `entropy_estimator_kl` and
/// `kde_condentropy` of Saxe et al.'s `kde.py`. Results are in nats.
///
/// Squared distances come from `cblas_dgemm` (‖a‖² + ‖b‖² − 2a·b, clamped at 0) over blocks of
/// rows, so memory stays O(block × n) and the work is O(n² d / 2) (only pairs j > i are formed).
public struct KDEUpperBound: Sendable {
    /// The variance σ² of the Gaussian noise added to each unit.
    ///
    /// The default 0.1 is `noise_variance = 1e-1` of Saxe et al.'s `ComputeMI.ipynb` (artemyk/ibsgd);
    /// some later re-implementations use 1e-3, so record the value with every estimate.
    public var noiseVariance: Double

    /// An estimator for Gaussian noise of variance `noiseVariance` (σ²).
    public init(noiseVariance: Double = 0.1) {
        self.noiseVariance = noiseVariance
    }

    /// H_upper(T) in nats for activations `t` (n × d, row-major), computed in Double.
    public func entropy(t: UnsafeBufferPointer<Double>, n: Int, d: Int) throws -> Double {
        try checkVariance()
        try ActivationChecks.check(t, n: n, d: d)
        return upperEntropy(t, rows: nil, d: d)
    }

    /// H_upper(T) for Float activations, widened to Double first (exactly).
    public func entropy(t: UnsafeBufferPointer<Float>, n: Int, d: Int) throws -> Double {
        try checkVariance()
        try ActivationChecks.check(t, n: n, d: d)
        return widened(t) { upperEntropy($0, rows: nil, d: d) }
    }

    /// H(T|X) = (d/2)(log(2πσ²) + 1): the entropy of the added noise in d dimensions.
    public func conditionalEntropyGivenInput(d: Int) throws -> Double {
        try checkVariance()
        guard d >= 1 else { throw InfoPlaneError("KDE needs at least one unit (d = \(d))") }
        return Double(d) / 2 * (log(2 * Double.pi * noiseVariance) + 1)
    }

    /// The upper bound I(X;T) ≤ H_upper(T) − H(T|X).
    public func mutualInformationWithInput(t: UnsafeBufferPointer<Double>, n: Int, d: Int) throws -> Double {
        try entropy(t: t, n: n, d: d) - conditionalEntropyGivenInput(d: d)
    }

    /// The upper bound I(X;T) ≤ H_upper(T) − H(T|X) for Float activations.
    public func mutualInformationWithInput(t: UnsafeBufferPointer<Float>, n: Int, d: Int) throws -> Double {
        try entropy(t: t, n: n, d: d) - conditionalEntropyGivenInput(d: d)
    }

    /// I(T;Y) ≈ H_upper(T) − Σ_y p(y) H_upper(T|Y=y), with p(y) the empirical label frequencies
    /// (the estimate Saxe et al. plot; a difference of two upper bounds, so not itself a bound).
    public func mutualInformationWithLabels(t: UnsafeBufferPointer<Double>, n: Int, d: Int,
                                            labels: [Int32]) throws -> Double {
        try checkVariance()
        try ActivationChecks.check(t, n: n, d: d)
        try ActivationChecks.checkLabels(labels, n: n)
        return labelInformation(t, n: n, d: d, labels: labels)
    }

    /// I(T;Y) ≈ H_upper(T) − Σ_y p(y) H_upper(T|Y=y) for Float activations.
    public func mutualInformationWithLabels(t: UnsafeBufferPointer<Float>, n: Int, d: Int,
                                            labels: [Int32]) throws -> Double {
        try checkVariance()
        try ActivationChecks.check(t, n: n, d: d)
        try ActivationChecks.checkLabels(labels, n: n)
        return widened(t) { labelInformation($0, n: n, d: d, labels: labels) }
    }

    // MARK: Implementation

    private func checkVariance() throws {
        guard noiseVariance > 0, noiseVariance.isFinite else {
            throw InfoPlaneError("noiseVariance must be positive and finite (got \(noiseVariance))")
        }
    }

    private func widened<R>(_ t: UnsafeBufferPointer<Float>, _ body: (UnsafeBufferPointer<Double>) -> R) -> R {
        let wide = t.map(Double.init)
        return wide.withUnsafeBufferPointer(body)
    }

    private func labelInformation(_ t: UnsafeBufferPointer<Double>, n: Int, d: Int, labels: [Int32]) -> Double {
        let total = upperEntropy(t, rows: nil, d: d)
        var conditional = 0.0
        for rows in DiscreteEntropy.labelGroups(labels).rows {
            conditional += Double(rows.count) / Double(n) * upperEntropy(t, rows: rows, d: d)
        }
        return total - conditional
    }

    /// H_upper of the given rows of `t` (all rows when nil).
    func upperEntropy(_ t: UnsafeBufferPointer<Double>, rows: [Int]?, d: Int, blockRows: Int? = nil) -> Double {
        let n = rows?.count ?? t.count / d
        // Centring copies the rows contiguously and leaves distances unchanged, but shrinks the
        // norms so ‖a‖² + ‖b‖² − 2a·b cancels less.
        var x = [Double](repeating: 0, count: n * d)
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n {
            let source = (rows?[r] ?? r) * d
            for k in 0..<d {
                x[r * d + k] = t[source + k]
                mean[k] += t[source + k]
            }
        }
        for k in 0..<d { mean[k] /= Double(n) }
        for r in 0..<n { for k in 0..<d { x[r * d + k] -= mean[k] } }
        let sums = x.withUnsafeBufferPointer {
            Self.kernelSums($0, n: n, d: d, variance: noiseVariance, blockRows: blockRows)
        }
        var meanLogSum = 0.0
        for s in sums { meanLogSum += log(s) }
        meanLogSum /= Double(n)
        let halfD = Double(d) / 2
        // d/2 + (d/2)log(2πσ²) − mean_i log[(1/n) Σ_j exp(−D_ij / 2σ²)].
        return halfD + halfD * log(2 * Double.pi * noiseVariance) + log(Double(n)) - meanLogSum
    }

    /// S_i = Σ_j exp(−‖x_i − x_j‖² / (2σ²)) for every row of `x` (n × d, row-major).
    ///
    /// The usual log-sum-exp shift by the row maximum is exactly 0 here: the self term is
    /// exp(0) = 1 and every other exponent is ≤ 0, so each S_i lies in [1, n] and neither overflows
    /// nor loses the dominant term. That lets each pair (i, j > i) be formed once and added to both
    /// S_i and S_j. Row blocks are fixed-size and visited in order, so results are reproducible.
    static func kernelSums(_ x: UnsafeBufferPointer<Double>, n: Int, d: Int, variance: Double,
                           blockRows: Int? = nil) -> [Double] {
        var squaredNorms = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = 0.0
            for k in 0..<d { s += x[i * d + k] * x[i * d + k] }
            squaredNorms[i] = s
        }
        var sums = [Double](repeating: 1, count: n)  // the self terms
        if n < 2 { return sums }
        // About 2²¹ doubles (16 MiB) of Gram block, with at least 32 rows for dgemm efficiency.
        let block = blockRows ?? Swift.max(32, Swift.min(512, (1 << 21) / n))
        let scale = -1 / (2 * variance)
        // exp(z) is exactly 0 in Double for z < −745.2, so such pairs are skipped without change.
        let negligible = 746.0
        var gram = [Double](repeating: 0, count: Swift.min(block, n) * n)
        var start = 0
        while start < n {
            let rows = Swift.min(block, n - start)
            let columns = n - start  // rows start..<n: the block's own rows and every later one
            gram.withUnsafeMutableBufferPointer { g in
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                            blasint(rows), blasint(columns), blasint(d),
                            1, x.baseAddress! + start * d, blasint(d),
                            x.baseAddress! + start * d, blasint(d),
                            0, g.baseAddress!, blasint(columns))
            }
            gram.withUnsafeBufferPointer { g in
                squaredNorms.withUnsafeBufferPointer { norms in
                    sums.withUnsafeMutableBufferPointer { s in
                        for r in 0..<rows {
                            let i = start + r
                            let normI = norms[i]
                            var rowSum = 0.0
                            let rowBase = r * columns
                            for c in (r + 1)..<columns {
                                let j = start + c
                                let distance = Swift.max(0, normI + norms[j] - 2 * g[rowBase + c])
                                let z = distance * scale
                                if z > -negligible {
                                    let e = Foundation.exp(z)
                                    rowSum += e
                                    s[j] += e
                                }
                            }
                            s[i] += rowSum
                        }
                    }
                }
            }
            start += rows
        }
        return sums
    }
}
