import Support
import Foundation

/// The weights w_1…w_k of the weighted Kozachenko–Leonenko entropy estimator (Berrett,
/// Samworth & Yuan 2019, "Efficient multivariate entropy estimation via k-nearest neighbour
/// distances", Ann. Statist. 47(1)), which averages the KL estimates of the j-th neighbour,
/// Ĥ = Σ_j w_j Ĥ_j.
///
/// The paper's class W^(k) asks of w, for data in d dimensions:
/// 1. Σ_j w_j = 1;
/// 2. Σ_j w_j Γ(j + 2ℓ/d) / Γ(j) = 0 for ℓ = 1, …, ⌊d/4⌋ — the bias of Ĥ_j has terms of order
///    Γ(j + 2ℓ/d)/Γ(j)·n^(−2ℓ/d), which these cancel (the constants in front of them depend on
///    the density and the norm but not on j, so the conditions hold for any norm);
/// 3. w_j = 0 unless j ∈ {⌊k/d⌋, ⌊2k/d⌋, …, k} — the support S.
///
/// ``init(k:dimension:)`` takes:
/// - for d ≤ 3 (no condition 2), w = e_k: the classical estimator, already efficient there.
///   The minimum-norm solution would instead spread weight evenly over S; e_k is what the
///   authors' R package (IndepTest's `L2OptW`) returns, and it is the estimate every other KL
///   entropy in this project computes.
/// - for d ≥ 4, the w of minimum Euclidean norm on S satisfying conditions 1 and 2 (LAPACK
///   `dgelsd`, as numpy's `lstsq`). Every w in W^(k) gives an efficient estimator as n → ∞, so the choice is about
///   finite n: the Ĥ_j are strongly correlated, and a small ‖w‖ avoids weights of large
///   opposite signs that would amplify their differences. Unlike `L2OptW`, which spreads w
///   over all of 1…k, the support is kept to S, so condition 3 — and with it the paper's
///   theorem — holds; the two agree whenever k ≤ d (then S = {1, …, k}).
///
/// At least ⌊d/4⌋ + 1 orders are needed for the ⌊d/4⌋ + 1 conditions; |S| = min(k, d), so
/// k ≥ ⌊d/4⌋ + 1. The rows Γ(j + 2ℓ/d)/Γ(j) ≈ j^(2ℓ/d) grow nearly parallel as d grows, so the
/// weights (and the estimator's variance, see ``norm``) grow fast with d, and from d ≈ 30 the
/// conditions cannot be solved in double precision at all.
public struct KozachenkoLeonenkoWeights: Sendable, Equatable {
    /// The largest neighbour order.
    public let k: Int
    /// The dimension d of the data the weights are for.
    public let dimension: Int
    /// The orders j that may carry weight, ascending (the last is k).
    public let support: [Int]
    /// w_j for each order of ``support``.
    public let weights: [Double]

    /// Berrett–Samworth–Yuan weights for order k in d dimensions (see the type's description).
    /// - Throws: ``InfoPlaneError`` if k is too small for d, or the conditions are numerically
    ///   singular.
    public init(k: Int, dimension d: Int) throws {
        try KSGValidation.checkK(k)
        guard d >= 1 else { throw InfoPlaneError("weighted KL entropy needs a dimension of at least 1, got \(d)") }
        let conditions = d / 4
        guard conditions > 0 else {
            self.init(unweighted: k, dimension: d)
            return
        }
        let support = Self.paperSupport(k: k, dimension: d)
        guard support.count >= conditions + 1 else {
            throw InfoPlaneError("weighted KL entropy in \(d) dimensions needs k ≥ \(conditions + 1) "
                + "(one neighbour order per bias condition, ⌊d/4⌋ + 1), got k = \(k); raise --k or project to fewer dimensions")
        }
        let rows = Self.conditionMatrix(support: support, dimension: d)
        let target = [1.0] + [Double](repeating: 0, count: conditions)
        guard let solution = LinearAlgebra.minimumNormSolution(rows, rows: conditions + 1, columns: support.count,
                                                               rightHandSide: target, rcond: Self.rcond),
              Self.satisfies(rows, columns: support.count, target: target, weights: solution) else {
            throw InfoPlaneError("the weighted KL conditions for d = \(d), k = \(k) are numerically singular "
                + "(their Γ-ratio rows are nearly parallel); estimate in fewer dimensions")
        }
        self.init(k: k, dimension: d, support: support, weights: solution)
    }

    /// w = e_k: the classical Kozachenko–Leonenko estimator of the k-th neighbour.
    public init(unweighted k: Int, dimension d: Int) {
        precondition(k >= 1 && d >= 1, "KL weights need k ≥ 1 and d ≥ 1")
        self.init(k: k, dimension: d, support: [k], weights: [1])
    }

    /// Weights of one's own choosing: w_j for j = 1…`values.count` (k = values.count); zeros
    /// are left out of the support. Nothing is required of them, not even a sum of 1.
    public init(values: [Double], dimension d: Int) {
        precondition(!values.isEmpty && d >= 1, "KL weights need at least one order and d ≥ 1")
        let support = values.indices.filter { values[$0] != 0 }.map { $0 + 1 }
        precondition(!support.isEmpty, "KL weights need a non-zero weight")
        self.init(k: values.count, dimension: d, support: support, weights: support.map { values[$0 - 1] })
    }

    private init(k: Int, dimension: Int, support: [Int], weights: [Double]) {
        self.k = k
        self.dimension = dimension
        self.support = support
        self.weights = weights
    }

    /// Conditions whose matrix has a condition number above 1/rcond = 10¹⁰ are refused: their
    /// weights would carry fewer than about six correct digits, and be enormous anyway.
    static let rcond = 1e-10

    /// ‖w‖₂. The estimator's standard deviation grows roughly in proportion: for k = 25 it is
    /// 1 for d ≤ 3, about 2 at d = 5, 12 at d = 10, 900 at d = 16 and 3·10⁵ at d = 24, so
    /// beyond d ≈ 12 the weighted estimator needs far more samples than the classical one.
    public var norm: Double { weights.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// w_1…w_k, zero off the support.
    public var values: [Double] {
        var all = [Double](repeating: 0, count: k)
        for (j, w) in zip(support, weights) { all[j - 1] = w }
        return all
    }

    /// The paper's support {⌊ik/d⌋ : i = 1…d} without 0, ascending and distinct.
    static func paperSupport(k: Int, dimension d: Int) -> [Int] {
        var orders: [Int] = []
        for i in 1...d {
            let j = i * k / d
            if j >= 1 && orders.last != j { orders.append(j) }
        }
        return orders
    }

    /// The (⌊d/4⌋ + 1) × |support| condition matrix, row-major: ones, then Γ(j + 2ℓ/d)/Γ(j)
    /// (through log-gamma, which does not overflow for large j).
    static func conditionMatrix(support: [Int], dimension d: Int) -> [Double] {
        var rows = support.map { _ in 1.0 }
        for l in 1...(d / 4) {
            let shift = 2 * Double(l) / Double(d)
            rows += support.map { exp(lgamma(Double($0) + shift) - lgamma(Double($0))) }
        }
        return rows
    }

    /// Whether `weights` meet every condition to rounding: each residual below 1e-9 of the
    /// sum of the magnitudes of its terms (or of 1 for the sum condition).
    static func satisfies(_ rows: [Double], columns: Int, target: [Double], weights: [Double]) -> Bool {
        for (r, wanted) in target.enumerated() {
            var sum = 0.0, magnitude = 0.0
            for c in 0..<columns {
                sum += rows[r * columns + c] * weights[c]
                magnitude += abs(rows[r * columns + c] * weights[c])
            }
            guard sum.isFinite, abs(sum - wanted) <= 1e-9 * max(magnitude, 1) else { return false }
        }
        return true
    }
}
