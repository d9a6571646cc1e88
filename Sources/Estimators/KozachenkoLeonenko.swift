import Foundation

/// The Kozachenko–Leonenko k-NN estimator of differential entropy in the max-norm form NPEET's
/// `entropy` uses, in nats:
///
///     H = ψ(N) − ψ(k) + d·log 2 + d·⟨log ε_i⟩,
///
/// ε_i the max-norm distance from sample i to its k-th nearest other sample, the mean summed in
/// row order. No noise is added (NPEET adds 1e-10 jitter; callers here jitter separately), so a
/// sample with k exact duplicates has ε_i = 0 and makes H = −∞.
public struct KozachenkoLeonenko: Sendable {
    /// The neighbour order k (≥ 1).
    public var k: Int

    /// An estimator using the k-th nearest neighbour.
    public init(k: Int = 5) {
        self.k = k
    }

    /// H(X) for one-dimensional `x` with n > k samples: the fast path (one sort, then each k-th
    /// neighbour from the sorted order), allocation-free once `workspace` is warm.
    public func entropy(_ x: UnsafeBufferPointer<Double>, workspace: KSGWorkspace) -> Double {
        precondition(k >= 1 && x.count > k, "KL entropy: k = \(k) needs at least \(k + 1) samples, got \(x.count)")
        return workspace.klEntropy(x.baseAddress!, count: x.count, k: k)
    }

    /// H(X) for `x` (row-major n × d), n > k; d = 1 takes the fast path.
    public func entropy(x: UnsafeBufferPointer<Double>, d: Int) -> Double {
        precondition(d >= 1, "KL entropy: dimension must be positive, got \(d)")
        let n = x.count / d
        precondition(x.count == n * d, "KL entropy: x holds \(x.count) values, not a whole number of rows of \(d)")
        precondition(k >= 1 && n > k, "KL entropy: k = \(k) needs at least \(k + 1) samples, got \(n)")
        if d == 1 { return entropy(x, workspace: KSGWorkspace()) }
        let rows = allRows(n)
        let radius = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { rows.deallocate(); radius.deallocate() }
        kthNeighbourDistances(x.baseAddress!, dimension: d, subset: rows, count: n, k: k, into: radius)
        var logSum = 0.0
        for i in 0..<n { logSum += log(radius[i]) }
        return Self.entropy(count: n, k: k, dimension: d, logSum: logSum)
    }

    /// The estimate from N, k, d and Σ log ε_i, in NPEET's order of operations.
    static func entropy(count n: Int, k: Int, dimension d: Int, logSum: Double) -> Double {
        let constant = Digamma.psi(Double(n)) - Digamma.psi(Double(k)) + Double(d) * log(2.0)
        return constant + Double(d) * (logSum / Double(n))
    }

    /// Checks `x` (n × d) before estimating: k ≥ 1, n ≥ k + 1, finite values.
    public static func validate(x: UnsafeBufferPointer<Double>, d: Int = 1, k: Int, name: String = "X") throws {
        try KSGValidation.checkK(k)
        let n = try KSGValidation.rows(x, dimension: d, name: name)
        try KSGValidation.checkSampleCount(n, k: k)
        try KSGValidation.checkFinite(x, dimension: d, name: name)
    }
}

extension KSGWorkspace {
    /// The Kozachenko–Leonenko entropy of one-dimensional `x` (see ``KozachenkoLeonenko``).
    func klEntropy(_ x: UnsafePointer<Double>, count n: Int, k: Int) -> Double {
        let xs = padSorted(sortedX.reserve(n + 2 * k), count: n, pad: k), ox = orderX.reserve(n)
        radixSort(x, count: n, sorted: xs, order: ox, rank: nil)
        let radius = self.radius.reserve(n)
        for t in 0..<n { radius[Int(ox[t])] = kthNeighbourDistance(padded: xs, at: t, k: k) }
        var logSum = 0.0
        for i in 0..<n { logSum += log(radius[i]) }
        return KozachenkoLeonenko.entropy(count: n, k: k, dimension: 1, logSum: logSum)
    }
}
