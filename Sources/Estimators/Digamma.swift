import Foundation

/// The digamma function ψ(x) = d/dx log Γ(x) for x > 0, to about 1e-15 relative error.
///
/// Every estimator here sums ψ of integer counts, so ``DigammaTable`` caches ψ(1…N); its
/// entries are computed by ``psi(_:)`` itself, which keeps a brute-force reference that calls
/// `psi` bit-for-bit equal to the table-driven fast paths.
public enum Digamma {
    /// ψ(x) for x > 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic
    /// series; a Taylor series around the positive root x₀ ≈ 1.4616 keeps the relative error
    /// small where ψ crosses zero. Returns NaN for x ≤ 0 or NaN, +∞ for +∞.
    public static func psi(_ x: Double) -> Double {
        guard x > 0 else { return .nan }
        guard x.isFinite else { return x }
        let delta = (x - rootHigh) - rootLow
        if abs(delta) < 0.08 { return nearRoot(delta) }
        var value = x
        var shift = 0.0
        while value < 10 {
            shift += 1 / value
            value += 1
        }
        return asymptotic(value) - shift
    }

    /// The positive root of ψ as a sum of two doubles (high part + low part).
    static let rootHigh = 1.4616321449683622
    static let rootLow = 9.549995429965697e-17

    /// ψ(x) for x ≥ 10 from ln x − 1/(2x) − Σ B₂ₙ/(2n x²ⁿ), truncated after x⁻¹⁶
    /// (the first omitted term is below 1e-18 at x = 10).
    static func asymptotic(_ x: Double) -> Double {
        let r = 1 / (x * x)
        // Coefficients B₂ₙ/(2n) for n = 1…8.
        let series = r * (1.0 / 12 - r * (1.0 / 120 - r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132
            - r * (691.0 / 32760 - r * (1.0 / 12 - r * (3617.0 / 8160))))))))
        return log(x) - 0.5 / x - series
    }

    /// ψ(x₀ + δ) = Σ ψ⁽ⁿ⁾(x₀)/n! δⁿ for |δ| < 0.08 (coefficients from mpmath at 40 digits).
    static func nearRoot(_ delta: Double) -> Double {
        let c: (Double, Double, Double, Double, Double, Double, Double, Double,
                Double, Double, Double, Double, Double, Double, Double, Double) = (
            0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652,
            0.10782405069126237, -0.07219956125645471, 0.04880428816414311, -0.03316112647484736,
            0.022597648232218104, -0.01542476590494896, 0.010538791616612175, -0.007204534386356869,
            0.004926781395729853, -0.003369801655439328, 0.002305126326734928, -0.0015769367714301972)
        var p = c.15
        p = p * delta + c.14; p = p * delta + c.13; p = p * delta + c.12; p = p * delta + c.11
        p = p * delta + c.10; p = p * delta + c.9; p = p * delta + c.8; p = p * delta + c.7
        p = p * delta + c.6; p = p * delta + c.5; p = p * delta + c.4; p = p * delta + c.3
        p = p * delta + c.2; p = p * delta + c.1; p = p * delta + c.0
        return p * delta
    }
}

/// A growable cache of ψ(1), ψ(2), …, ψ(N) for integer arguments.
///
/// Entry m is exactly `Digamma.psi(Double(m))`. It is owned by one ``KSGWorkspace`` (one per
/// thread), so growing it needs no lock.
final class DigammaTable {
    /// ψ(m) at index m; index 0 holds NaN (ψ(0) is undefined).
    private(set) var values: UnsafeMutablePointer<Double>
    /// The largest m with ψ(m) in the table.
    private(set) var limit: Int

    init() {
        limit = 0
        values = .allocate(capacity: 1)
        values[0] = .nan
    }

    deinit { values.deallocate() }

    /// Makes ψ(1…n) available.
    func reserve(_ n: Int) {
        guard n > limit else { return }
        // Grow geometrically so a slowly rising n does not recompute the table each call.
        let newLimit = max(n, limit * 2, 64)
        let grown = UnsafeMutablePointer<Double>.allocate(capacity: newLimit + 1)
        grown.update(from: values, count: limit + 1)
        for m in (limit + 1)...newLimit { grown[m] = Digamma.psi(Double(m)) }
        values.deallocate()
        values = grown
        limit = newLimit
    }

    /// ψ(m) for 1 ≤ m ≤ `limit` (unchecked in release builds).
    subscript(_ m: Int) -> Double {
        assert(m >= 1 && m <= limit, "ψ(\(m)) outside the table 1…\(limit)")
        return values[m]
    }
}
