// A max-norm kd-tree for the general-dimension estimators: k-th neighbour distances and
// strict-radius counts. Pruning compares box bounds computed with the same rounded
// subtractions as point distances (rounded subtraction is monotone), so a pruned box can never
// hold a point the brute-force definition would have counted: results equal brute force exactly.

/// A kd-tree over a subset of the rows of a row-major `count × dimension` array, under the
/// max-norm (Chebyshev) distance. Owns its memory; call ``deallocate()`` when done.
struct MaxNormKDTree {
    /// One node: a contiguous range of tree positions and, for inner nodes, its two children.
    struct Node {
        var begin: Int32
        var end: Int32
        var left: Int32   // −1 for a leaf
        var right: Int32
    }

    static let leafSize = 12

    let dimension: Int
    let count: Int
    /// The points in tree order, row-major.
    let points: UnsafeMutablePointer<Double>
    /// The row (in the caller's numbering) of each tree position.
    let rows: UnsafeMutablePointer<Int32>
    let nodes: UnsafeMutablePointer<Node>
    /// For each node, `dimension` lower bounds then `dimension` upper bounds.
    let boxes: UnsafeMutablePointer<Double>
    private(set) var nodeCount = 0

    /// Builds the tree over the rows `subset[0..<count]` of `data` (row-major, `dimension` columns).
    init(data: UnsafePointer<Double>, dimension: Int, subset: UnsafePointer<Int32>, count: Int) {
        precondition(count > 0 && dimension > 0)
        self.dimension = dimension
        self.count = count
        rows = .allocate(capacity: count)
        rows.update(from: subset, count: count)
        // Only nodes of more than leafSize points are split, at the median, so every leaf holds
        // at least leafSize/2 points and the node count stays below 4·count/leafSize + 1.
        let capacity = 4 * count / Self.leafSize + 4
        nodes = .allocate(capacity: capacity)
        boxes = .allocate(capacity: capacity * 2 * dimension)
        points = .allocate(capacity: count * dimension)
        _ = build(data: data, begin: 0, end: count)
        for p in 0..<count {
            (points + p * dimension).update(from: data + Int(rows[p]) * dimension, count: dimension)
        }
    }

    func deallocate() {
        rows.deallocate()
        nodes.deallocate()
        boxes.deallocate()
        points.deallocate()
    }

    /// Builds the subtree of tree positions `begin..<end` and returns its node index.
    private mutating func build(data: UnsafePointer<Double>, begin: Int, end: Int) -> Int {
        let node = nodeCount
        nodeCount += 1
        let d = dimension
        let low = boxes + node * 2 * d
        let high = low + d
        for c in 0..<d {
            low[c] = .infinity
            high[c] = -.infinity
        }
        for p in begin..<end {
            let row = data + Int(rows[p]) * d
            for c in 0..<d {
                low[c] = min(low[c], row[c])
                high[c] = max(high[c], row[c])
            }
        }
        var widest = 0
        var width = high[0] - low[0]
        for c in 1..<d where high[c] - low[c] > width {
            widest = c
            width = high[c] - low[c]
        }
        nodes[node] = Node(begin: Int32(begin), end: Int32(end), left: -1, right: -1)
        // Identical points cannot be split; leave them in one leaf however many there are.
        guard end - begin > Self.leafSize, width > 0 else { return node }
        let middle = (begin + end) / 2
        select(data: data, column: widest, begin: begin, end: end, nth: middle)
        let left = build(data: data, begin: begin, end: middle)
        let right = build(data: data, begin: middle, end: end)
        nodes[node].left = Int32(left)
        nodes[node].right = Int32(right)
        return node
    }

    /// Reorders `rows[begin..<end]` so the entry at `nth` has the value it would have sorted by
    /// `column`, with no larger value before it and no smaller after (Hoare quickselect).
    private func select(data: UnsafePointer<Double>, column: Int, begin: Int, end: Int, nth: Int) {
        let d = dimension
        @inline(__always) func key(_ p: Int) -> Double { data[Int(rows[p]) * d + column] }
        var lo = begin, hi = end - 1
        while lo < hi {
            // Median of three as pivot keeps sorted inputs linear.
            let mid = (lo + hi) / 2
            let a = key(lo), b = key(mid), c = key(hi)
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo, j = hi
            while i <= j {
                while key(i) < pivot { i += 1 }
                while key(j) > pivot { j -= 1 }
                if i <= j {
                    let swapped = rows[i]
                    rows[i] = rows[j]
                    rows[j] = swapped
                    i += 1
                    j -= 1
                }
            }
            if nth <= j {
                hi = j
            } else if nth >= i {
                lo = i
            } else {
                return
            }
        }
    }

    /// The smallest max-norm distance from `query` to any point of `node`'s box (a lower bound
    /// on the distance to each of its points).
    @inline(__always)
    private func boxDistance(_ query: UnsafePointer<Double>, _ node: Int) -> Double {
        let d = dimension
        let low = boxes + node * 2 * d
        let high = low + d
        var distance = 0.0
        for c in 0..<d {
            let q = query[c]
            if q < low[c] {
                distance = max(distance, low[c] - q)
            } else if q > high[c] {
                distance = max(distance, q - high[c])
            }
        }
        return distance
    }

    /// The largest max-norm distance from `query` to any point of `node`'s box.
    @inline(__always)
    private func boxFarDistance(_ query: UnsafePointer<Double>, _ node: Int) -> Double {
        let d = dimension
        let low = boxes + node * 2 * d
        let high = low + d
        var distance = 0.0
        for c in 0..<d {
            let q = query[c]
            distance = max(distance, max(q - low[c], high[c] - q))
        }
        return distance
    }

    /// The distance from `query` to its k-th nearest tree point, not counting the point at
    /// tree position `excluded` (pass −1 to count all). `best` has room for k values.
    func kthNeighbourDistance(_ query: UnsafePointer<Double>, excluding excluded: Int, k: Int,
                              best: UnsafeMutablePointer<Double>) -> Double {
        for j in 0..<k { best[j] = .infinity }
        var kth = Double.infinity
        nearest(0, query, excluded, k, best, &kth)
        return kth
    }

    private func nearest(_ node: Int, _ query: UnsafePointer<Double>, _ excluded: Int, _ k: Int,
                         _ best: UnsafeMutablePointer<Double>, _ kth: inout Double) {
        let n = nodes[node]
        if n.left < 0 {
            let d = dimension
            for p in Int(n.begin)..<Int(n.end) where p != excluded {
                let point = points + p * d
                var distance = 0.0
                for c in 0..<d {
                    distance = max(distance, abs(point[c] - query[c]))
                    if distance >= kth { break }
                }
                if distance < kth {
                    insertBest(distance, into: best, k: k)
                    kth = best[k - 1]
                }
            }
            return
        }
        let left = Int(n.left), right = Int(n.right)
        let dl = boxDistance(query, left), dr = boxDistance(query, right)
        let (first, dFirst, second, dSecond) = dl <= dr ? (left, dl, right, dr) : (right, dr, left, dl)
        if dFirst < kth { nearest(first, query, excluded, k, best, &kth) }
        if dSecond < kth { nearest(second, query, excluded, k, best, &kth) }
    }

    /// How many tree points lie at max-norm distance strictly less than `radius` from `query`
    /// (a tree point equal to the query counts when `radius` > 0).
    func strictCount(_ query: UnsafePointer<Double>, radius: Double) -> Int {
        guard radius > 0 else { return 0 }
        return count(0, query, radius)
    }

    private func count(_ node: Int, _ query: UnsafePointer<Double>, _ radius: Double) -> Int {
        if !(boxDistance(query, node) < radius) { return 0 }
        let n = nodes[node]
        if boxFarDistance(query, node) < radius { return Int(n.end - n.begin) }
        if n.left >= 0 {
            return count(Int(n.left), query, radius) + count(Int(n.right), query, radius)
        }
        let d = dimension
        var total = 0
        for p in Int(n.begin)..<Int(n.end) {
            let point = points + p * d
            var inside = true
            for c in 0..<d where !(abs(point[c] - query[c]) < radius) {
                inside = false
                break
            }
            if inside { total += 1 }
        }
        return total
    }

    /// The tree position of each caller row, written into `position[row]`.
    func positions(into position: UnsafeMutablePointer<Int32>) {
        for p in 0..<count { position[Int(rows[p])] = Int32(p) }
    }
}

/// Brute-force equivalents for dimensions too high for a kd-tree to prune well.
enum MaxNormBruteForce {
    /// The max-norm distance between rows `a` and `b`, abandoning once it reaches `limit`.
    @inline(__always)
    static func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, dimension d: Int,
                         limit: Double) -> Double {
        var distance = 0.0
        for c in 0..<d {
            distance = max(distance, abs(b[c] - a[c]))
            if distance >= limit { break }
        }
        return distance
    }

    /// The k-th nearest-neighbour distance of row `subset[i]` among rows `subset[0..<count]` (self excluded).
    static func kthNeighbourDistance(data: UnsafePointer<Double>, dimension d: Int,
                                     subset: UnsafePointer<Int32>, count: Int, query i: Int, k: Int,
                                     best: UnsafeMutablePointer<Double>) -> Double {
        for j in 0..<k { best[j] = .infinity }
        var kth = Double.infinity
        let q = data + Int(subset[i]) * d
        for j in 0..<count where j != i {
            let distance = Self.distance(q, data + Int(subset[j]) * d, dimension: d, limit: kth)
            if distance < kth {
                insertBest(distance, into: best, k: k)
                kth = best[k - 1]
            }
        }
        return kth
    }

    /// How many rows of `subset[0..<count]` are strictly within `radius` of `query`.
    static func strictCount(data: UnsafePointer<Double>, dimension d: Int, subset: UnsafePointer<Int32>,
                            count: Int, query: UnsafePointer<Double>, radius: Double) -> Int {
        var total = 0
        for j in 0..<count
        where distance(query, data + Int(subset[j]) * d, dimension: d, limit: radius) < radius {
            total += 1
        }
        return total
    }
}
