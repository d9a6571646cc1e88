/// For each row r in `subset[0..<count]` of `data` (row-major, `dimension` columns), the
/// max-norm distance to its j-th nearest other row of the subset for every j of `orders`
/// (ascending, each ≥ 1, the last at most count − 1), written to
/// `distances[r · orders.count + s]` for the s-th order.
///
/// One k-nearest search per row (k the largest order) leaves the k smallest distances sorted in
/// its list, so every order costs the same as the largest. The search is the one
/// ``KozachenkoLeonenko`` uses (kd-tree, brute force above 16 dimensions), so the distance of
/// order j is bit-identical to its k-th neighbour distance for k = j.
func neighbourDistances(_ data: UnsafePointer<Double>, dimension d: Int, subset: UnsafePointer<Int32>, count n: Int,
                        orders: [Int], into distances: UnsafeMutablePointer<Double>) {
    let k = orders.last!
    precondition(orders.first! >= 1 && k < n, "neighbour orders \(orders) need more than \(k) rows, got \(n)")
    let width = orders.count
    let best = UnsafeMutablePointer<Double>.allocate(capacity: k)
    defer { best.deallocate() }
    @inline(__always) func store(_ row: Int) {
        for (s, j) in orders.enumerated() { distances[row * width + s] = best[j - 1] }
    }
    if d > kdTreeDimensionLimit {
        for s in 0..<n {
            _ = MaxNormBruteForce.kthNeighbourDistance(data: data, dimension: d, subset: subset, count: n, query: s, k: k, best: best)
            store(Int(subset[s]))
        }
        return
    }
    let tree = MaxNormKDTree(data: data, dimension: d, subset: subset, count: n)
    defer { tree.deallocate() }
    for p in 0..<n {
        _ = tree.kthNeighbourDistance(tree.points + p * d, excluding: p, k: k, best: best)
        store(Int(tree.rows[p]))
    }
}
