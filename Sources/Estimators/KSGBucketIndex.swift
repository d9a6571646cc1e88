import CIntrinsics

// Marginal counts through a bucket index: a table from value to position in a sorted array, so
// a strict count tests a few positions near each boundary instead of binary-searching a window.
//
// Bucket b holds the values v with ⌊(v − lowest)·scale⌉ ≫ shift = b (clamped to 0…top first); since
// that map is monotone, bucket b's entries are the positions start[b] ..< start[b + 1] of the sorted array.
// A boundary for value v ± r is looked for among the few positions from one before the start of
// the bucket of v ± r, and the search checks its own answer: the first position tested must lie
// on the near side of the boundary and some position on the far side. Rounding can put a
// boundary in a neighbouring bucket, and crowded buckets can hold more entries than are tested;
// either way the check fails and the caller searches a window around the sample, then the whole
// array. So the counts are exact whatever the data, and the index only decides how fast they come.

/// A map from value to the first position of its bucket in an ascending array.
struct BucketIndex {
    /// start[b]: how many entries fall in buckets below b, for b in 0…buckets + 1.
    let start: UnsafePointer<Int32>
    let lowest: Double
    let scale: Double
    /// The last fine bucket, as a Double (values at or above the array's largest map there).
    let top: Double
    /// Fine buckets per table entry, as a power of two: 0 for an index built by
    /// ``KSGWorkspace/bucketIndex(_:count:perSample:storage:)``, the low digit's bits for one
    /// kept by the sort (``KSGWorkspace/radixSort(_:count:sorted:order:rank:bucketTable:)``).
    let shift: Int

    /// Positions probed per boundary search, a power of two; a boundary is found when it lies
    /// within `window − 1` positions of its bucket's start.
    static let window = 8

    /// Buckets per entry.
    static let perSample = 2

    /// The high digit's bits in the sort that keeps its index (n < 2ʰ ≤ 2n, within 11…21: with
    /// the 11 low bits, the key fills at most the 32 bits it has).
    static func fusedDigitBits(count n: Int) -> Int {
        max(11, min(21, Int.bitWidth - n.leadingZeroBitCount))
    }

    /// Entries of the table the sort keeps its index in.
    static func fusedTableSize(count n: Int) -> Int {
        (1 << fusedDigitBits(count: n)) + 1
    }

    /// The bucket of `value`: ⌊(value − lowest)·scale⌉ clamped to 0…top, rounded by adding 2⁵²
    /// (any monotone rounding serves, and this one needs no range check), shifted right by `shift`.
    @inline(__always)
    func bucket(_ value: Double) -> Int {
        roundedIndex(lesser(greater((value - lowest) * scale, 0), top)) &>> shift
    }

    /// The first positions of the buckets of both lanes of `values`: the bucket map of
    /// ``bucket(_:)`` in SIMD (written out, as LLVM's own vectorising of scalar clamps across
    /// searches came out as mask shuffles).
    @inline(__always)
    func firstPositions(_ values: SIMD2<Double>) -> (Int, Int) {
        let q = lesser(greater((values - SIMD2(repeating: lowest)) * scale, SIMD2(repeating: 0)), SIMD2(repeating: top))
        let bits = (unsafeBitCast(q + SIMD2(repeating: 0x1p52), to: SIMD2<UInt64>.self) & SIMD2(repeating: 0xF_FFFF_FFFF_FFFF))
            &>> UInt64(truncatingIfNeeded: shift)
        return (Int(start[Int(truncatingIfNeeded: bits[0])]), Int(start[Int(truncatingIfNeeded: bits[1])]))
    }
}

/// A variable sorted for marginal counts: the ascending values, padded with `pad` entries of
/// −∞ before and +∞ after, the original index of each, and their bucket index (nil when the
/// values span no range). Points into a workspace's buffers, valid until its next estimate.
struct SortedVariable {
    let values: UnsafePointer<Double>
    let order: UnsafePointer<Int32>
    let index: BucketIndex?
    let pad: Int
}

extension KSGWorkspace {
    /// A bucket index of the ascending `sorted[0..<n]` with about `perSample` buckets per entry,
    /// in `storage`; nil when the values span no finite positive range (the caller then searches
    /// without an index).
    func bucketIndex(_ sorted: UnsafePointer<Double>, count n: Int, perSample: Int,
                     storage: inout Scratch<Int32>) -> BucketIndex? {
        let lowest = sorted[0], span = sorted[n - 1] - lowest
        let buckets = perSample * n
        let scale = Double(buckets) / span
        guard n > 1, span.isFinite, span > 0, scale.isFinite, buckets < 1 << 31 else { return nil }
        let table = storage.reserve(buckets + 2)
        let index = BucketIndex(start: table, lowest: lowest, scale: scale, top: Double(buckets), shift: 0)
        // Counts per bucket (shifted by one), then running sums: start[b] = entries below b.
        table.update(repeating: 0, count: buckets + 2)
        for p in 0..<n { table[index.bucket(sorted[p]) &+ 1] &+= 1 }
        var total: Int32 = 0
        for b in 0...(buckets + 1) {
            total &+= table[b]
            table[b] = total
        }
        return index
    }
}

/// How many entries of the ascending array `a` lie strictly within `r` (> 0) of `v`, that is
/// #{p : |a[p] − v| < r} with each distance one rounded subtraction as brute force computes it;
/// −1 when the bucket index could not pin either boundary (search without it then).
///
/// Each boundary is found by testing all `BucketIndex.window` positions from one before its
/// bucket's start at once (SIMD compares whose true lanes are summed: the tests hold on a prefix
/// of the window, so the sum is the boundary's offset). One load latency after the index,
/// where a binary search chains one per probe.
///
/// `a` must be padded with at least 1 entry of −∞ before and `BucketIndex.window` of +∞ after.
@inline(__always)
func bucketedCount(_ a: UnsafePointer<Double>, _ index: BucketIndex, _ v: Double, _ r: Double) -> Int {
    // Upper boundary: the first position with a[p] − v ≥ r (those below it all pass); lower
    // boundary: the first position with v − a[p] < r (those from it on all pass).
    let (upperStart, lowerStart) = index.firstPositions(SIMD2(v + r, v - r))
    let upperBase = upperStart &- 1, lowerBase = lowerStart &- 1
    let upperWindow = UnsafeRawPointer(a + upperBase).loadUnaligned(as: SIMD8<Double>.self)
    let lowerWindow = UnsafeRawPointer(a + lowerBase).loadUnaligned(as: SIMD8<Double>.self)
    let vs = SIMD8(repeating: v), rs = SIMD8(repeating: r)
    // Lanes passing the upper test count 1, lanes passing the lower test 16: one sum for both.
    // A mask's lanes are all ones (−1) where true, so the sum of the masks is minus the tally.
    let passesUpper = unsafeBitCast(upperWindow - vs .< rs, to: SIMD8<Int64>.self)
    let passesLower = unsafeBitCast(vs - lowerWindow .< rs, to: SIMD8<Int64>.self)
    let sum = 0 &- Int((passesUpper &+ (passesLower &<< 4)).wrappedSum())
    let passUpper = sum & 15, passLower = sum &>> 4
    // The window's first position must be below the boundary and its last one at or above it:
    // 1 ≤ passUpper ≤ 7 and 1 ≤ passLower ≤ 7 (8 − passLower lanes lie before the boundary).
    let w = BucketIndex.window
    let miss = ((passUpper &- 1) | (w &- 1 &- passUpper) | (passLower &- 1) | (w &- 1 &- passLower)) &>> 63
    let upper = upperBase &+ passUpper, lower = lowerBase &+ w &- passLower
    return (upper &- lower) | miss
}

/// Calls `body(row, r, count)` for every position t of the ascending padded array `a[0..<n]`,
/// where row = order[t], r = radius[t] and count = #{p : |a[p] − a[t]| < r}; the count is
/// meaningless where r ≤ 0 (the estimators count nothing there).
///
/// Positions are visited in order, so successive searches touch neighbouring memory; four at
/// a time, their independent probe chains overlapping in the processor. A search the index
/// cannot settle (or every search, without an index) falls back to a window of `window`
/// positions around the sample, then to the whole array; `a` must be padded for both.
///
/// With vectorised `kernels` (by default the widest the processor runs, ``SIMDKernels/best``)
/// the index searches run in CIntrinsics' AVX2 or AVX-512 kernel, a chunk of positions at a
/// time, with the same results: the portable searches below compare the 8-entry windows two
/// lanes at a time.
@inline(__always)
func forEachStrictCount(_ a: UnsafePointer<Double>, order: UnsafePointer<Int32>, radius: UnsafePointer<Double>,
                        index: BucketIndex?, count n: Int, window: Int, kernels: SIMDKernels = .best,
                        _ body: (_ row: Int, _ r: Double, _ count: Int) -> Void) {
    guard let index else {
        for t in 0..<n {
            let row = Int(order[t]), r = radius[t]
            body(row, r, fallbackCount(a, at: t, r > 0 ? r : 1, count: n, window: window))
        }
        return
    }
    if kernels.vectorized {
        // 256 counts (1 KiB, on the stack) per call: they stay in L1 until the body reads them.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 256) { chunk in
            let counts = chunk.baseAddress!
            var first = 0
            while first < n {
                let size = min(256, n &- first)
                bucketedCounts(a, index, radius: radius, first: first, count: size, into: counts, kernels: kernels)
                for i in 0..<size {
                    let t = first &+ i, r = radius[t]
                    var c = Int(counts[i])
                    if c < 0 { c = fallbackCount(a, at: t, r > 0 ? r : 1, count: n, window: window) }
                    body(Int(order[t]), r, c)
                }
                first &+= size
            }
        }
        return
    }
    var t = 0
    while t < n {
        // The last group repeats the last position as needed (its body runs again, alike).
        let t1 = min(t &+ 1, n &- 1), t2 = min(t &+ 2, n &- 1), t3 = min(t &+ 3, n &- 1)
        let row0 = Int(order[t]), row1 = Int(order[t1]), row2 = Int(order[t2]), row3 = Int(order[t3])
        let r0 = radius[t], r1 = radius[t1], r2 = radius[t2], r3 = radius[t3]
        // A zero radius makes a search with a meaningless (possibly negative) result, unused.
        var c0 = bucketedCount(a, index, a[t], r0), c1 = bucketedCount(a, index, a[t1], r1)
        var c2 = bucketedCount(a, index, a[t2], r2), c3 = bucketedCount(a, index, a[t3], r3)
        if (c0 | c1 | c2 | c3) < 0 {
            if c0 < 0 { c0 = fallbackCount(a, at: t, r0 > 0 ? r0 : 1, count: n, window: window) }
            if c1 < 0 { c1 = fallbackCount(a, at: t1, r1 > 0 ? r1 : 1, count: n, window: window) }
            if c2 < 0 { c2 = fallbackCount(a, at: t2, r2 > 0 ? r2 : 1, count: n, window: window) }
            if c3 < 0 { c3 = fallbackCount(a, at: t3, r3 > 0 ? r3 : 1, count: n, window: window) }
        }
        body(row0, r0, c0)
        body(row1, r1, c1)
        body(row2, r2, c2)
        body(row3, r3, c3)
        t &+= 4
    }
}

/// ``bucketedCount(_:_:_:_:)`` of positions `first ..< first + count` of `a` (radii from `radius`
/// at the same positions) into `counts[0 ..< count]`, by CIntrinsics' AVX-512 kernel where
/// `kernels` is `.avx512`, else its AVX2 one (`kernels` vectorised).
@inline(__always)
func bucketedCounts(_ a: UnsafePointer<Double>, _ index: BucketIndex, radius: UnsafePointer<Double>, first: Int, count: Int,
                    into counts: UnsafeMutablePointer<Int32>, kernels: SIMDKernels) {
    if kernels == .avx512 {
        infoplane_bucketed_counts_avx512(a, index.start, index.lowest, index.scale, index.top, Int64(index.shift),
                                         radius, Int64(first), Int64(count), counts)
    } else {
        infoplane_bucketed_counts_avx2(a, index.start, index.lowest, index.scale, index.top, Int64(index.shift),
                                       radius, Int64(first), Int64(count), counts)
    }
}

/// The strict count of entry t of the ascending padded array `a` within radius r (> 0), by a
/// windowed search around t, or over the whole array when the window saturates.
@inline(never)
func fallbackCount(_ a: UnsafePointer<Double>, at t: Int, _ r: Double, count n: Int, window: Int) -> Int {
    let c = windowedCounts(a, t, r, t, r, window: window).0
    return c >= 0 ? c : strictCounts(a, a[t], r, a, a[t], r, count: n).0
}
