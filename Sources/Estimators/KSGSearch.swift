// Small search primitives shared by the 1-D fast paths. All distances are computed as the
// brute-force definitions compute them (|a − b| as a single rounded subtraction); since rounded
// subtraction is monotone, "within distance r of v" is a contiguous range of a sorted array and
// can be found by searching on the computed distance itself, which keeps results exact.

/// Two strict counts at once: how many t have |a[t] − va| < ra, and how many have
/// |b[t] − vb| < rb, in ascending arrays `a` and `b` of length n (radii > 0; an entry equal to
/// the value counts).
///
/// Over the whole array, `a[t] − v < r` holds on a prefix (every entry at or below v passes) and
/// so does `v − a[t] ≥ r` (every entry at or above v fails); the count is the difference of the
/// two prefix lengths. Each prefix is a fixed-length binary search with no data-dependent
/// branch, and the four searches run interleaved so their memory latencies overlap (a gallop
/// from the sample's rank mispredicts about every other step, which dominated the run time).
@inline(__always)
func strictCounts(_ a: UnsafePointer<Double>, _ va: Double, _ ra: Double,
                  _ b: UnsafePointer<Double>, _ vb: Double, _ rb: Double, count n: Int) -> (Int, Int) {
    var aUpper = 0, aLower = 0, bUpper = 0, bLower = 0
    var length = n
    while length > 1 {
        let half = length &>> 1
        aUpper &+= half & (0 &- below(a[aUpper &+ half &- 1] - va, ra))
        aLower &+= half & (below(va - a[aLower &+ half &- 1], ra) &- 1)
        bUpper &+= half & (0 &- below(b[bUpper &+ half &- 1] - vb, rb))
        bLower &+= half & (below(vb - b[bLower &+ half &- 1], rb) &- 1)
        length &-= half
    }
    aUpper &+= below(a[aUpper] - va, ra)
    aLower &+= 1 &- below(va - a[aLower], ra)
    bUpper &+= below(b[bUpper] - vb, rb)
    bLower &+= 1 &- below(vb - b[bLower], rb)
    return (aUpper &- aLower, bUpper &- bLower)
}

/// Strict counts for the entries at positions t1 and t2 of an ascending array `a`: how many
/// entries lie strictly within `r1` of a[t1] (itself included), and within `r2` of a[t2]
/// (radii > 0). Each side of each entry is searched within `window` (a power of two) positions
/// only, so `a` must be padded with `window` entries of −∞ before and +∞ after. A count whose
/// window saturated (the true count may be larger) is returned as −1.
///
/// The same branch-free search as ``strictCounts(_:_:_:_:_:_:count:)``, over log₂(window)
/// steps instead of log₂(n): the counts are usually far smaller than n.
@inline(__always)
func windowedCounts(_ a: UnsafePointer<Double>, _ t1: Int, _ r1: Double, _ t2: Int, _ r2: Double,
                    window: Int) -> (Int, Int) {
    let v1 = a[t1], v2 = a[t2]
    var upper1 = t1 &+ 1, lower1 = t1 &- window, upper2 = t2 &+ 1, lower2 = t2 &- window
    var length = window
    while length > 1 {
        let half = length &>> 1
        upper1 &+= half & (0 &- below(a[upper1 &+ half &- 1] - v1, r1))
        lower1 &+= half & (below(v1 - a[lower1 &+ half &- 1], r1) &- 1)
        upper2 &+= half & (0 &- below(a[upper2 &+ half &- 1] - v2, r2))
        lower2 &+= half & (below(v2 - a[lower2 &+ half &- 1], r2) &- 1)
        length &-= half
    }
    upper1 &+= below(a[upper1] - v1, r1)
    lower1 &+= 1 &- below(v1 - a[lower1], r1)
    upper2 &+= below(a[upper2] - v2, r2)
    lower2 &+= 1 &- below(v2 - a[lower2], r2)
    let saturated1 = upper1 == t1 &+ 1 &+ window || lower1 == t1 &- window
    let saturated2 = upper2 == t2 &+ 1 &+ window || lower2 == t2 &- window
    return (saturated1 ? -1 : upper1 &- lower1, saturated2 ? -1 : upper2 &- lower2)
}

/// A power-of-two search window for ``windowedCounts(_:_:_:_:_:window:)``: at least `expected`,
/// at most the array's length rounded up.
func searchWindow(expected: Double, count n: Int) -> Int {
    var window = 16
    while Double(window) < expected && window < n { window <<= 1 }
    return window
}

/// Pads `base[0..<n + 2·pad]` with −∞ before and +∞ after, as ``windowedCounts(_:_:_:_:_:window:)``
/// and ``kthNeighbourDistance(padded:at:k:)`` need, and returns the pointer to its element `pad`,
/// where the n sorted values go.
func padSorted(_ base: UnsafeMutablePointer<Double>, count n: Int, pad: Int) -> UnsafeMutablePointer<Double> {
    base.update(repeating: -.infinity, count: pad)
    (base + pad + n).update(repeating: .infinity, count: pad)
    return base + pad
}

/// 1 if d < r, else 0, for finite d and r, read from the sign bit of d − r (the difference of
/// two distinct doubles is never zero, and x − x is +0). An arithmetic flag rather than a
/// comparison, because LLVM's x86 cmov converter turns compare-and-select in a search loop
/// back into branches, and mispredicted branches dominated the run time.
@inline(__always)
func below(_ d: Double, _ r: Double) -> Int {
    Int(truncatingIfNeeded: (d - r).bitPattern &>> 63)
}

/// The distance from `a[t]` to its k-th nearest other entry of an ascending array padded with
/// at least k entries of −∞ before and +∞ after (the real entries must number more than k).
///
/// The k nearest neighbours of a point on a line are i entries to its left and k − i to its
/// right for some i, so the k-th distance is the smallest over j = t − k … t of
/// max(a[t] − a[j], a[j + k] − a[t]): k + 1 branch-free window checks, two per SIMD step, where
/// a merge of the two sides mispredicts every other step. Windows that run into the padding
/// come out +∞ and drop out of the minimum.
@inline(__always)
func kthNeighbourDistance(padded a: UnsafePointer<Double>, at t: Int, k: Int) -> Double {
    let v = a[t], vs = SIMD2(repeating: v)
    var pair = SIMD2(repeating: Double.infinity)
    var j = t &- k
    while j < t {
        let left = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD2<Double>.self)
        let right = UnsafeRawPointer(a + j + k).loadUnaligned(as: SIMD2<Double>.self)
        pair = lesser(pair, greater(vs - left, right - vs))
        j &+= 2
    }
    var distance = lesser(pair[0], pair[1])
    if j == t { distance = lesser(distance, greater(v - a[t], a[t + k] - v)) }
    return distance
}

/// Inserts `distance` into the ascending list `best[0..<k]`, dropping its largest entry;
/// the caller has checked that `distance < best[k − 1]`. For rare insertions; see
/// ``insertBestBranchFree(_:into:k:)`` for the hot loops.
@inline(__always)
func insertBest(_ distance: Double, into best: UnsafeMutablePointer<Double>, k: Int) {
    var j = k - 1
    while j > 0 && best[j - 1] > distance {
        best[j] = best[j - 1]
        j -= 1
    }
    best[j] = distance
}

/// Inserts `distance` into the ascending list `best[0..<k]` if it is smaller than the last
/// entry (dropping that one), else leaves the list as it is: each slot keeps the smaller of
/// itself and the value carried down, passing the larger on. Min/max only, no branches, so it
/// can run on every candidate instead of mispredicting an `if distance < kth` test.
@inline(__always)
func insertBestBranchFree(_ distance: Double, into best: UnsafeMutablePointer<Double>, k: Int) {
    var carry = distance
    for j in 0..<k {
        let held = best[j]
        best[j] = lesser(held, carry)
        carry = greater(held, carry)
    }
}
