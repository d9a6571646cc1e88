import Support
import Foundation

/// The weighted Kozachenko–Leonenko (WKL) estimator of differential entropy (Berrett, Samworth
/// & Yuan 2019), in nats, and mutual information from it as H(X) + H(Y) − H(X,Y).
///
///     H = Σ_j w_j Ĥ_j,   Ĥ_j = ψ(N) − ψ(j) + d·log 2 + d·⟨log ε_(j),i⟩,
///
/// ε_(j),i the **max-norm** distance from sample i to its j-th nearest other sample, w the
/// weights of ``KozachenkoLeonenkoWeights`` (for d ≤ 3, w = e_k). Each Ĥ_j is exactly what
/// ``KozachenkoLeonenko`` computes for k = j, so with w = e_k this estimator *is* that one,
/// bit for bit.
///
/// The paper states Ĥ_j with Euclidean distances, the unit-ball volume V_d and log(N − 1); this
/// is the max-norm form NPEET and the project's KSG use (the cube's volume 2^d, ψ(N)). The
/// two share the structure the weights rely on — the bias of Ĥ_j in powers
/// Γ(j + 2ℓ/d)/Γ(j)·n^(−2ℓ/d), only the density-dependent constants differ — and ψ(N) and
/// log(N − 1) differ by O(1/N). In one dimension the norms coincide.
///
/// Standardise each variable first (``SlicePreparation`` does it for slices): the joint
/// entropy's max-norm mixes the scales of X and Y.
public struct WeightedKozachenkoLeonenko: Sendable {
    /// The largest neighbour order k (≥ 1).
    public var k: Int

    /// An estimator with neighbour orders up to k (5 on synthetic data and 25 on MNIST in the
    /// sliced-MI studies).
    public init(k: Int = 5) {
        self.k = k
    }

    /// The weights this estimator uses in d dimensions.
    /// - Throws: ``InfoPlaneError`` when k is too small for d (see ``KozachenkoLeonenkoWeights``).
    public func weights(dimension d: Int) throws -> KozachenkoLeonenkoWeights {
        try KozachenkoLeonenkoWeights(k: k, dimension: d)
    }

    /// The weights, for callers that have validated (k, d) already.
    private func checkedWeights(_ d: Int) -> KozachenkoLeonenkoWeights {
        do {
            return try weights(dimension: d)
        } catch {
            preconditionFailure("weighted KL: \(error) (call validate first)")
        }
    }

    // MARK: - Entropy

    /// H(X) for one-dimensional `x` with n > k samples. In one dimension w = e_k, so this is
    /// ``KozachenkoLeonenko``'s fast path, allocation-free once `workspace` is warm.
    public func entropy(_ x: UnsafeBufferPointer<Double>, workspace: KSGWorkspace) -> Double {
        KozachenkoLeonenko(k: k).entropy(x, workspace: workspace)
    }

    /// H(X) for `x` (row-major n × d), n > k.
    /// - Precondition: weights exist for (k, d) — see ``validate(x:d:k:name:)``.
    public func entropy(x: UnsafeBufferPointer<Double>, d: Int) -> Double {
        Self.entropy(x: x, d: d, weights: checkedWeights(d))
    }

    /// H(X) for `x` (row-major n × d, d = `weights.dimension`) with the given weights, n > weights.k.
    public static func entropy(x: UnsafeBufferPointer<Double>, d: Int, weights: KozachenkoLeonenkoWeights) -> Double {
        precondition(d == weights.dimension, "weighted KL: weights for d = \(weights.dimension) used in d = \(d)")
        let n = x.count / d
        precondition(x.count == n * d, "weighted KL: x holds \(x.count) values, not a whole number of rows of \(d)")
        precondition(n > weights.k, "weighted KL: k = \(weights.k) needs at least \(weights.k + 1) samples, got \(n)")
        let rows = allRows(n)
        defer { rows.deallocate() }
        return entropy(x.baseAddress!, dimension: d, subset: rows, count: n, weights: weights)
    }

    /// Σ_j w_j Ĥ_j over the rows `subset[0..<count]` of `data`, each Ĥ_j's log-distances summed
    /// in subset order (as ``KozachenkoLeonenko`` sums in row order) and the terms in ascending j.
    static func entropy(_ data: UnsafePointer<Double>, dimension d: Int, subset: UnsafePointer<Int32>, count n: Int,
                        weights: KozachenkoLeonenkoWeights) -> Double {
        let orders = weights.support
        var largestRow = 0
        for s in 0..<n { largestRow = max(largestRow, Int(subset[s])) }
        let distances = UnsafeMutablePointer<Double>.allocate(capacity: (largestRow + 1) * orders.count)
        defer { distances.deallocate() }
        neighbourDistances(data, dimension: d, subset: subset, count: n, orders: orders, into: distances)
        var estimate = 0.0
        for (s, j) in orders.enumerated() {
            var logSum = 0.0
            for r in 0..<n { logSum += log(distances[Int(subset[r]) * orders.count + s]) }
            estimate += weights.weights[s] * KozachenkoLeonenko.entropy(count: n, k: j, dimension: d, logSum: logSum)
        }
        return estimate
    }

    // MARK: - Mutual information between continuous variables

    /// I(X;Y) = H(X) + H(Y) − H(X,Y) for one-dimensional `x` and `y` of equal length n > k: the
    /// marginals by the 1-D fast path, the joint in two dimensions (w = e_k in both cases).
    public func mutualInformation(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>,
                                  workspace: KSGWorkspace) -> Double {
        precondition(x.count == y.count, "weighted KL: x has \(x.count) samples but y has \(y.count)")
        precondition(k >= 1 && x.count > k, "weighted KL: k = \(k) needs at least \(k + 1) samples, got \(x.count)")
        let n = x.count
        let joint = UnsafeMutablePointer<Double>.allocate(capacity: 2 * n)
        defer { joint.deallocate() }
        for i in 0..<n {
            joint[2 * i] = x[i]
            joint[2 * i + 1] = y[i]
        }
        let jointEntropy = entropy(x: UnsafeBufferPointer(start: joint, count: 2 * n), d: 2)
        return entropy(x, workspace: workspace) + entropy(y, workspace: workspace) - jointEntropy
    }

    /// I(X;Y) = H(X) + H(Y) − H(X,Y) for `x` (row-major n × dx) and `y` (n × dy), n > k, each
    /// entropy with the weights of its own dimension (dx, dy, dx + dy).
    /// - Precondition: weights exist for k in dx + dy dimensions (see ``validate(x:dx:y:dy:k:xName:yName:)``).
    public func mutualInformation(x: UnsafeBufferPointer<Double>, dx: Int, y: UnsafeBufferPointer<Double>, dy: Int) -> Double {
        precondition(dx >= 1 && dy >= 1, "weighted KL: dimensions must be positive, got dx = \(dx), dy = \(dy)")
        let n = x.count / dx
        precondition(x.count == n * dx && y.count == n * dy,
                     "weighted KL: x (\(x.count) values, dx = \(dx)) and y (\(y.count) values, dy = \(dy)) disagree on n")
        let d = dx + dy
        let joint = UnsafeMutablePointer<Double>.allocate(capacity: n * d)
        defer { joint.deallocate() }
        for i in 0..<n {
            (joint + i * d).update(from: x.baseAddress! + i * dx, count: dx)
            (joint + i * d + dx).update(from: y.baseAddress! + i * dy, count: dy)
        }
        return entropy(x: x, d: dx) + entropy(x: y, d: dy) - entropy(x: UnsafeBufferPointer(start: joint, count: n * d), d: d)
    }

    // MARK: - Mutual information with class labels

    /// I(X;Y) = H(X) − Σ_y p(y) H(X | Y = y) for one-dimensional `x` (n > k) and its class
    /// `labels`. In one dimension w = e_k, so this is ``EntropyDifferenceEstimator``'s fast path
    /// (NPEET's `micd`), allocation-free once `workspace` is warm.
    public func mutualInformation(_ x: UnsafeBufferPointer<Double>, labels: UnsafeBufferPointer<Int32>,
                                  workspace: KSGWorkspace) -> Double {
        EntropyDifferenceEstimator(k: k).mutualInformation(x, labels: labels, workspace: workspace)
    }

    /// I(X;Y) = H(X) − Σ_y p(y) H(X | Y = y) for `x` (row-major n × dx, n > k) and its class
    /// `labels`, every entropy weighted for dx. As ``EntropyDifferenceEstimator``: p(y) = N_y/N,
    /// a class of N_y ≤ k samples contributes p(y)·H(X), classes are summed in ascending label
    /// order, and each class's log-distances in row order.
    /// - Precondition: weights exist for (k, dx).
    public func mutualInformation(x: UnsafeBufferPointer<Double>, dx: Int, labels: UnsafeBufferPointer<Int32>) -> Double {
        precondition(dx >= 1, "weighted KL: dimension must be positive, got \(dx)")
        let n = labels.count
        precondition(x.count == n * dx, "weighted KL: x holds \(x.count) values, not \(n) rows of \(dx)")
        precondition(k >= 1 && n > k, "weighted KL: k = \(k) needs at least \(k + 1) samples, got \(n)")
        let weights = checkedWeights(dx)
        let entropyX = Self.entropy(x: x, d: dx, weights: weights)
        var conditional = 0.0
        for members in LabelClasses(labels).members {
            let p = Double(members.count) / Double(n)
            guard members.count > k else {
                conditional += p * entropyX
                continue
            }
            conditional += p * members.withUnsafeBufferPointer {
                Self.entropy(x.baseAddress!, dimension: dx, subset: $0.baseAddress!, count: $0.count, weights: weights)
            }
        }
        return entropyX - conditional
    }

    // MARK: - Validation

    /// Checks `x` (n × d) before estimating: k ≥ 1, weights exist for (k, d), n ≥ k + 1, finite values.
    public static func validate(x: UnsafeBufferPointer<Double>, d: Int = 1, k: Int, name: String = "X") throws {
        try KSGValidation.checkK(k)
        let n = try KSGValidation.rows(x, dimension: d, name: name)
        _ = try KozachenkoLeonenkoWeights(k: k, dimension: d)
        try KSGValidation.checkSampleCount(n, k: k)
        try KSGValidation.checkFinite(x, dimension: d, name: name)
    }

    /// Checks `x` (n × dx) and `y` (n × dy) before estimating I(X;Y): as
    /// ``KSGEstimator/validate(x:dx:y:dy:k:xName:yName:)``, and weights exist in dx + dy dimensions.
    public static func validate(x: UnsafeBufferPointer<Double>, dx: Int = 1, y: UnsafeBufferPointer<Double>, dy: Int = 1,
                                k: Int, xName: String = "X", yName: String = "Y") throws {
        try KSGEstimator.validate(x: x, dx: dx, y: y, dy: dy, k: k, xName: xName, yName: yName)
        for d in [dx, dy, dx + dy] { _ = try KozachenkoLeonenkoWeights(k: k, dimension: d) }
    }

    /// Checks `x` (n × dx) and `labels` before estimating I(X;Y): as
    /// ``EntropyDifferenceEstimator/validate(x:dx:labels:k:xName:labelName:)``, and weights exist for dx.
    public static func validate(x: UnsafeBufferPointer<Double>, dx: Int = 1, labels: UnsafeBufferPointer<Int32>,
                                k: Int, xName: String = "T", labelName: String = "Y") throws {
        try EntropyDifferenceEstimator.validate(x: x, dx: dx, labels: labels, k: k, xName: xName, labelName: labelName)
        _ = try KozachenkoLeonenkoWeights(k: k, dimension: dx)
    }
}
