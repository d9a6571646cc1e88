import Estimators
import Testing

struct DigammaTests {
    /// (x, ψ(x)) from scipy.special.digamma (scipy 1.17.1), printed with repr().
    static let scipyValues: [(Double, Double)] = [
        (1.0, -0.5772156649015329),
        (0.5, -1.9635100260214235),
        (10.0, 2.251752589066721),
        (100000.0, 11.512920464961896),
        (0.001, -1000.5755719318103),
        (0.25, -4.2274535333762655),
        (1.5, 0.03648997397857652),
        (2.0, 0.42278433509846713),
        (3.0, 0.9227843350984671),
        (5.5, 1.611093148581751),
        (6.0, 1.7061176684318005),
        (7.25, 1.9104535268837362),
        (9.999, 2.251647417205735),
        (12.5, 2.4851956512749123),
        (30.0, 3.384438132685525),
        (100.0, 4.600161852738088),
        (1234.5, 7.1180162318279985),
        (100000000.0, 18.420680738952367),
    ]

    @Test func matchesScipy() {
        for (x, expected) in Self.scipyValues {
            let value = Digamma.psi(x)
            #expect(abs(value - expected) <= 2e-15 * abs(expected), "ψ(\(x)) = \(value), scipy \(expected)")
        }
    }

    @Test func recurrenceHoldsAcrossTheSeriesThreshold() {
        // ψ(x + 1) = ψ(x) + 1/x checks the joins between recurrence, root series and asymptotics.
        for x in stride(from: 0.05, through: 14.0, by: 0.0625) {
            let lhs = Digamma.psi(x + 1)
            let rhs = Digamma.psi(x) + 1 / x
            #expect(abs(lhs - rhs) <= 4e-15 * max(1, abs(lhs)), "x = \(x)")
        }
    }

    @Test func relativeAccuracyNearTheRoot() {
        // ψ crosses zero at x₀ ≈ 1.4616; values from mpmath.digamma at 40 digits (mpmath 1.3.0).
        let mpmathValues: [(Double, Double)] = [
            (1.4, -0.061384544585116236801),
            (1.45, -0.011316422586445887658),
            (1.46, -0.0015805619870834521062),
            (1.4616, -0.000031106251230341649658),
            (1.4616321449683622, -9.2412655217294275168e-17),
            (1.4616321449683625, 1.2245374622004069031e-16),
            (1.47, 0.0080664890113648684423),
            (1.5, 0.036489973978576520559),
            (1.55, 0.082222567539644383459),
        ]
        for (x, expected) in mpmathValues {
            let value = Digamma.psi(x)
            #expect(abs(value - expected) <= 1e-14 * abs(expected), "ψ(\(x)) = \(value), mpmath \(expected)")
        }
    }

    @Test func integersFollowHarmonicSums() {
        // ψ(n) = −γ + Σ_{j<n} 1/j, summed here in extended precision order (small terms first).
        let gamma = 0.5772156649015329
        for n in [1, 2, 3, 7, 50, 1000] {
            var harmonic = 0.0
            for j in stride(from: n - 1, through: 1, by: -1) { harmonic += 1 / Double(j) }
            #expect(abs(Digamma.psi(Double(n)) - (harmonic - gamma)) <= 1e-14 * max(1, harmonic))
        }
    }

    @Test func undefinedAtZeroAndBelow() {
        #expect(Digamma.psi(0).isNaN)
        #expect(Digamma.psi(-2.5).isNaN)
        #expect(Digamma.psi(.nan).isNaN)
    }
}
