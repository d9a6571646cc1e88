import Support

/// The Kraskov–Stögbauer–Grassberger estimator of I(X;Y) between two continuous variables
/// (algorithm 1 of Kraskov et al. 2004, max-norm), in nats, neither clipped nor rounded.
///
/// For each sample i, ε_i is the max-norm distance to its k-th nearest other sample in the
/// joint space; n_x(i) = #{j ≠ i : ‖x_j − x_i‖_∞ < ε_i} (strictly), likewise n_y(i); and
///
///     I = ψ(k) + ψ(N) − (1/N) Σ_i [ψ(n_x(i) + 1) + ψ(n_y(i) + 1)],
///
/// the sum taken in row order, so the fast paths equal a brute-force evaluation bit for bit.
/// This is scikit-learn's `_compute_mi_cc` without its final `max(0, ·)`; the two differ only
/// when ε_i = 0 (duplicated samples), where scikit-learn also counts exact duplicates.
public struct KSGEstimator: Sendable {
    /// The neighbour order k (≥ 1).
    public var k: Int

    /// An estimator using the k-th nearest neighbour.
    public init(k: Int = 5) {
        self.k = k
    }

    /// I(X;Y) for one-dimensional `x` and `y` of equal length n > k: the fast path, allocation-free
    /// once `workspace` has seen a sample this large.
    public func mutualInformation(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>,
                                  workspace: KSGWorkspace) -> Double {
        precondition(x.count == y.count, "KSG: x has \(x.count) samples but y has \(y.count)")
        precondition(k >= 1 && x.count > k, "KSG: k = \(k) needs at least \(k + 1) samples, got \(x.count)")
        return workspace.ksg(x.baseAddress!, y.baseAddress!, count: x.count, k: k)
    }

    /// I(X;Y) for `x` (row-major n × dx) and `y` (row-major n × dy), n > k.
    ///
    /// Uses max-norm kd-trees for the joint neighbours and the marginal counts, or brute force
    /// above 16 dimensions, where a kd-tree no longer prunes; dx = dy = 1 takes the fast path.
    public func mutualInformation(x: UnsafeBufferPointer<Double>, dx: Int,
                                  y: UnsafeBufferPointer<Double>, dy: Int) -> Double {
        precondition(dx >= 1 && dy >= 1, "KSG: dimensions must be positive, got dx = \(dx), dy = \(dy)")
        let n = x.count / dx
        precondition(x.count == n * dx && y.count == n * dy,
                     "KSG: x (\(x.count) values, dx = \(dx)) and y (\(y.count) values, dy = \(dy)) disagree on n")
        precondition(k >= 1 && n > k, "KSG: k = \(k) needs at least \(k + 1) samples, got \(n)")
        if dx == 1 && dy == 1 { return mutualInformation(x, y, workspace: KSGWorkspace()) }

        let d = dx + dy
        let joint = UnsafeMutablePointer<Double>.allocate(capacity: n * d)
        defer { joint.deallocate() }
        for i in 0..<n {
            (joint + i * d).update(from: x.baseAddress! + i * dx, count: dx)
            (joint + i * d + dx).update(from: y.baseAddress! + i * dy, count: dy)
        }
        let rows = allRows(n)
        let radius = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let nx = UnsafeMutablePointer<Int>.allocate(capacity: n)
        let ny = UnsafeMutablePointer<Int>.allocate(capacity: n)
        defer { rows.deallocate(); radius.deallocate(); nx.deallocate(); ny.deallocate() }
        kthNeighbourDistances(joint, dimension: d, subset: rows, count: n, k: k, into: radius)
        strictCounts(x.baseAddress!, dimension: dx, subset: rows, count: n, radius: radius, into: nx)
        strictCounts(y.baseAddress!, dimension: dy, subset: rows, count: n, radius: radius, into: ny)

        var sum = 0.0
        for i in 0..<n {
            // The counts include the sample itself whenever ε_i > 0.
            let own = radius[i] > 0 ? 1 : 0
            sum += Digamma.psi(Double(nx[i] - own + 1)) + Digamma.psi(Double(ny[i] - own + 1))
        }
        return Digamma.psi(Double(k)) + Digamma.psi(Double(n)) - sum / Double(n)
    }

    /// Checks `x` (n × dx) and `y` (n × dy) before estimating: positive dimensions, equal row
    /// counts, n ≥ k + 1, finite values. Throws an ``InfoPlaneError`` naming the problem.
    public static func validate(x: UnsafeBufferPointer<Double>, dx: Int = 1,
                                y: UnsafeBufferPointer<Double>, dy: Int = 1, k: Int,
                                xName: String = "X", yName: String = "Y") throws {
        try KSGValidation.checkK(k)
        let n = try KSGValidation.rows(x, dimension: dx, name: xName)
        let m = try KSGValidation.rows(y, dimension: dy, name: yName)
        try KSGValidation.checkSameRows(n, m, xName, yName)
        try KSGValidation.checkSampleCount(n, k: k)
        try KSGValidation.checkFinite(x, dimension: dx, name: xName)
        try KSGValidation.checkFinite(y, dimension: dy, name: yName)
    }
}

/// Above this many dimensions the general paths use brute force instead of a kd-tree.
let kdTreeDimensionLimit = 16

/// Row numbers 0..<n, for the helpers below when every row takes part.
func allRows(_ n: Int) -> UnsafeMutablePointer<Int32> {
    let rows = UnsafeMutablePointer<Int32>.allocate(capacity: n)
    for i in 0..<n { rows[i] = Int32(i) }
    return rows
}

/// For each row r in `subset[0..<count]` of `data` (row-major, `dimension` columns), the
/// max-norm distance to its k-th nearest other row of the subset, written to `radius[r]`.
func kthNeighbourDistances(_ data: UnsafePointer<Double>, dimension d: Int, subset: UnsafePointer<Int32>,
                           count n: Int, k: Int, into radius: UnsafeMutablePointer<Double>) {
    let best = UnsafeMutablePointer<Double>.allocate(capacity: k)
    defer { best.deallocate() }
    if d > kdTreeDimensionLimit {
        for s in 0..<n {
            radius[Int(subset[s])] = MaxNormBruteForce.kthNeighbourDistance(
                data: data, dimension: d, subset: subset, count: n, query: s, k: k, best: best)
        }
        return
    }
    let tree = MaxNormKDTree(data: data, dimension: d, subset: subset, count: n)
    defer { tree.deallocate() }
    // Walking the tree order keeps successive queries close together in memory.
    for p in 0..<n {
        radius[Int(tree.rows[p])] = tree.kthNeighbourDistance(tree.points + p * d, excluding: p, k: k, best: best)
    }
}

/// For each row r in `subset[0..<count]` of `data`, how many rows of the subset lie strictly
/// within `radius[r]` of it in the max-norm (itself included when `radius[r]` > 0), written to
/// `counts[r]`.
func strictCounts(_ data: UnsafePointer<Double>, dimension d: Int, subset: UnsafePointer<Int32>, count n: Int,
                  radius: UnsafePointer<Double>, into counts: UnsafeMutablePointer<Int>) {
    if d > kdTreeDimensionLimit {
        for s in 0..<n {
            let r = Int(subset[s])
            counts[r] = radius[r] > 0
                ? MaxNormBruteForce.strictCount(data: data, dimension: d, subset: subset, count: n,
                                                query: data + r * d, radius: radius[r])
                : 0
        }
        return
    }
    let tree = MaxNormKDTree(data: data, dimension: d, subset: subset, count: n)
    defer { tree.deallocate() }
    for p in 0..<n {
        let r = Int(tree.rows[p])
        counts[r] = tree.strictCount(tree.points + p * d, radius: radius[r])
    }
}
