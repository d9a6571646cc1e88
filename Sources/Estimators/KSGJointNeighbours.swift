import CIntrinsics

// The 1-D × 1-D KSG fast path.
//
// Joint k-NN in the max-norm uses strips: the samples are cut into strips of S consecutive
// x-ranks (S a multiple of 8 near 0.7·√(n·k), so a strip is about as wide as a typical k-NN radius),
// each strip sorted by y. The queries of strip s walk its "window": the points of strips s − 1,
// s, s + 1 merged in y order, with −∞/+∞ sentinels at its ends, up and down from the query's
// own slot in lockstep until |Δy| on both sides reaches the current k-th distance. Only when
// that distance still exceeds the x-gap to the strips beyond the window (about one query in
// ten to fifteen) are those strips searched one by one, each from the query's y position found through a
// coarse y-index (per block of y-ranks, where each strip's entries begin). Marginal counts then
// come from the sorted copies of x and y (KSGBucketIndex.swift).
//
// Up to `materializedWindowLimit` samples every window is laid out at once, by sending each
// sample (in y order) to its three windows. Above it, that layout (3·n points) no longer fits
// the caches and its scattered writes cost more than the walks, so each window is instead merged
// from its three strips just before its queries walk it, into one buffer that stays in L1
// (from both ends at once: two independent chains of loads).
//
// Mispredicted branches and the k-best lists' min/max chains bound the speed here, hence the
// register k-best lists with min/max insertion, positions that never depend on loaded data, the
// branch-free merges, and (k ≤ 5) two queries walked at once, one per SIMD lane, so each min/max
// serves both.

extension KSGWorkspace {
    /// KSG algorithm 1 for one-dimensional `x` and `y` (see ``KSGEstimator``); `mergeWindows`
    /// chooses the window layout (for tests: by default, by `materializedWindowLimit`), and
    /// `kernels` CIntrinsics' kernels for the walk (k = 4, 5) and the counts (for tests: by
    /// default, the widest the processor runs; the same value with any).
    /// `xOrder`/`yOrder`, when given, are the variables' ``sortOrder(_:count:into:)``, which
    /// saves sorting them again (the result is the same bit for bit).
    func ksg(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count n: Int, k: Int,
             mergeWindows: Bool? = nil, xOrder: UnsafePointer<Int32>? = nil,
             yOrder: UnsafePointer<Int32>? = nil, kernels: SIMDKernels = .best) -> Double {
        ksgKeepingY(x, y, count: n, k: k, mergeWindows: mergeWindows, xOrder: xOrder, yOrder: yOrder,
                    kernels: kernels).value
    }

    /// ``ksg(_:_:count:k:mergeWindows:xOrder:yOrder:kernels:)``, also returning y sorted as it counted
    /// it, for an estimate of y against labels that follows (``ross(_:_:count:k:xOrder:sortedX:kernels:)``).
    /// The sorted copy lives in this workspace until its next call. With `xSorted`, `x` holds
    /// x's values already in ascending order (`xOrder`, required, their rows): read in order
    /// rather than gathered (same result).
    func ksgKeepingY(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count n: Int, k: Int,
                     mergeWindows: Bool? = nil, xOrder: UnsafePointer<Int32>? = nil,
                     yOrder: UnsafePointer<Int32>? = nil, xSorted: Bool = false,
                     kernels: SIMDKernels = .best) -> (value: Double, sortedY: SortedVariable) {
        precondition(!xSorted || xOrder != nil, "x given sorted without its order")
        psi.reserve(n)
        // Marginal counts are typically about √(n·k) (independent variables), far less when
        // dependent; the sorted copies carry padding for fallback searches of twice that.
        let window = searchWindow(expected: 2 * (Double(n) * Double(k)).squareRoot(), count: n)
        let xs = padSorted(sortedX.reserve(n + 2 * window), count: n, pad: window)
        let ys = padSorted(sortedY.reserve(n + 2 * window), count: n, pad: window)
        let rx = rankedX.reserve(n)
        let ox: UnsafePointer<Int32>, indexX: BucketIndex?
        if xSorted, let xOrder {
            xs.update(from: x, count: n)
            writeRanks(x, order: xOrder, count: n, into: rx)
            ox = xOrder
            indexX = bucketIndex(xs, count: n, perSample: BucketIndex.perSample, storage: &bucketsX)
        } else {
            (ox, indexX) = sortedCopy(x, count: n, knownOrder: xOrder, sorted: xs, order: &orderX, rank: rx, buckets: &bucketsX)
        }
        let (oy, indexY) = sortedCopy(y, count: n, knownOrder: yOrder, sorted: ys, order: &orderY, rank: nil, buckets: &bucketsY)

        let layout = buildStrips(ys, oy, rx, sortedX: xs, count: n, size: stripSize(count: n, k: k),
                                 materialize: !(mergeWindows ?? (n > Self.materializedWindowLimit)))
        let best = self.best.reserve(k)
        // The radius of each sample by its x-rank and by its y-rank, where the counts read them.
        let radiusX = radius.reserve(n), radiusY = radius2.reserve(n)
        // Small k keeps the k-best list in registers (see KSGNeighbourList.swift).
        switch k {
        case 1: layout.jointRadii(Best1.self, k: k, storage: best, radiusX, radiusY)
        case 2: layout.jointRadii(Best2.self, k: k, storage: best, radiusX, radiusY)
        case 3: layout.jointRadii(Best3.self, k: k, storage: best, radiusX, radiusY)
        case 4 where kernels.vectorized, 5 where kernels.vectorized:
            layout.jointRadiiVectorized(k: k, wide: kernels == .avx512, lists: walkLists.reserve(layout.walkListEntries),
                                        radiusX, radiusY)
        case 4, 5: layout.jointRadiiPaired(k: k, radiusX, radiusY)
        case 6: layout.jointRadii(Best6.self, k: k, storage: best, radiusX, radiusY)
        case 7, 8: layout.jointRadii(Best8.self, k: k, storage: best, radiusX, radiusY)
        case 9, 10: layout.jointRadii(Best10.self, k: k, storage: best, radiusX, radiusY)
        case 11...16: layout.jointRadii(Best16.self, k: k, storage: best, radiusX, radiusY)
        default: layout.jointRadii(BestInMemory.self, k: k, storage: best, radiusX, radiusY)
        }
        let value = ksgSum(xs, ox, radiusX, indexX, ys, oy, radiusY, indexY, count: n, k: k, window: window,
                           kernels: kernels)
        return (value, SortedVariable(values: ys, order: oy, index: indexY, pad: window))
    }

    /// Lays out the strips (each y-sorted: points in `stripPoints`, x- and y-ranks in
    /// `stripRankX`/`stripRankY`) by visiting the samples in y order, with the y-index of
    /// `searchBeyondWindow`, and returns them with buffers for one window.
    private func buildStrips(_ ys: UnsafePointer<Double>, _ oy: UnsafePointer<Int32>, _ rx: UnsafePointer<RankedValue>,
                             sortedX: UnsafePointer<Double>, count n: Int, size: Int, materialize: Bool) -> StripLayout {
        let stripCount = (n + size - 1) / size
        // The y-index has a row per block of 2^blockShift y-ranks, a quarter to a half of the
        // strip count: 2–4 entries per sample, and a block holds under one entry of a typical strip.
        var blockShift = 0
        while (1 << (blockShift + 1)) < stripCount { blockShift += 1 }
        // Strip s occupies s·(S + 2) + 1 ..< that + its size, between sentinel points (0, −∞)
        // and (0, +∞) that bound the scans beyond a window; the upper one has y-rank Int32.max
        // and the lower one −1, where a merge from the front or the back stops taking from the strip.
        let stride = size + 2
        // Per strip: its fill position; with materialised windows also its window's fill
        // position (which ends on the window's upper sentinel) and its lower sentinel.
        let fill = stripFill.reserve(3 * stripCount)
        let windowFill = fill + stripCount, windowStart = windowFill + stripCount
        let points = stripPoints.reserve(stripCount * stride), rankX = stripRankX.reserve(stripCount * stride)
        let rankY = stripRankY.reserve(stripCount * stride)
        var total = 0
        for s in 0..<stripCount {
            let begin = s * stride + 1, end = begin + min(n - s * size, size)
            fill[s] = Int32(truncatingIfNeeded: begin)
            points[begin - 1] = SIMD2(0, -.infinity)
            points[end] = SIMD2(0, .infinity)
            rankY[begin - 1] = -1
            rankY[end] = Int32.max
            // Window s spans the x-ranks of strips s − 1 … s + 1, between `windowPad` sentinels each side.
            windowStart[s] = Int32(truncatingIfNeeded: total)
            windowFill[s] = Int32(truncatingIfNeeded: total + StripLayout.windowPad)
            total += min(n, (s + 2) * size) - max(0, s - 1) * size + 2 * StripLayout.windowPad
        }
        let yIndex = stripIndex.reserve((((n - 1) >> blockShift) + 1) * stripCount)
        // Materialised: every window, and each strip entry's slot in its own; else one window.
        let windowSize = materialize ? total : 3 * size + 2 * StripLayout.windowPad
        let wx = windowX.reserve(windowSize), wy = windowY.reserve(windowSize)
        let ownSlot = windowSlot.reserve(materialize ? stripCount * stride : size + 1)
        if materialize {
            for s in 0..<stripCount {
                let first = Int(windowStart[s])
                let after = s + 1 == stripCount ? total : Int(windowStart[s + 1])
                for i in 0..<StripLayout.windowPad {
                    wx[first + i] = 0
                    wy[first + i] = -.infinity
                    wx[after - 1 - i] = 0
                    wy[after - 1 - i] = .infinity
                }
            }
        }
        // x-rank ÷ size as the high word of rank · ⌈2⁶⁴/size⌉: exact for ranks below 2⁶⁴/size.
        let reciprocal = UInt64.max / UInt64(size) + 1
        for t in 0..<n {
            if t & ((1 << blockShift) - 1) == 0 {
                // Row t >> blockShift: where each strip's entries of y-rank ≥ t begin.
                (yIndex + (t >> blockShift) * stripCount).update(from: fill, count: stripCount)
            }
            prefetchGather(rx, order: oy, at: t, count: n)
            let sample = rx[Int(oy[t])]
            let s = Int(truncatingIfNeeded: UInt64(truncatingIfNeeded: sample.rank).multipliedFullWidth(by: reciprocal).high)
            let p = Int(fill[s])
            fill[s] = Int32(truncatingIfNeeded: p &+ 1)
            let point = SIMD2(sample.value, ys[t])
            points[p] = point
            rankX[p] = sample.rank
            rankY[p] = Int32(truncatingIfNeeded: t)
            if materialize {
                @inline(__always) func append(to w: Int) -> Int32 {
                    let q = Int(windowFill[w])
                    windowFill[w] = Int32(truncatingIfNeeded: q &+ 1)
                    wx[q] = point.x
                    wy[q] = point.y
                    return Int32(truncatingIfNeeded: q)
                }
                ownSlot[p] = append(to: s)
                if s > 0 { _ = append(to: s &- 1) }
                if s &+ 1 < stripCount { _ = append(to: s &+ 1) }
            }
        }
        return StripLayout(count: n, size: size, stripCount: stripCount, sortedX: sortedX, points: points,
                           rankX: rankX, rankY: rankY, yIndex: yIndex, blockShift: blockShift,
                           materialized: materialize, windowX: wx, windowY: wy, ownSlot: ownSlot,
                           windowStart: windowStart, windowEnd: windowFill)
    }

    /// Above this many samples windows are merged one at a time (see the top of this file):
    /// materialised windows (about 80 bytes a sample with the strips) were faster up to
    /// 70,000 samples and slower from 85,000 on a machine with 1 MB of L2 per core.
    static let materializedWindowLimit = 80_000

    /// ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩ from the radii by x-rank and by y-rank.
    ///
    /// Each marginal is counted in its own sorted order through its bucket index (see
    /// KSGBucketIndex.swift).
    private func ksgSum(_ xs: UnsafePointer<Double>, _ ox: UnsafePointer<Int32>, _ radiusX: UnsafePointer<Double>,
                        _ indexX: BucketIndex?, _ ys: UnsafePointer<Double>, _ oy: UnsafePointer<Int32>,
                        _ radiusY: UnsafePointer<Double>, _ indexY: BucketIndex?, count n: Int, k: Int, window: Int,
                        kernels: SIMDKernels) -> Double {
        let table = psi.values
        // n_x by row, and ψ(n_y + 1) by row; a zero radius counts nothing.
        let countX = self.counts.reserve(n)
        let terms = self.terms.reserve(n)
        forEachStrictCount(xs, order: ox, radius: radiusX, index: indexX, count: n, window: window, kernels: kernels) { row, r, c in
            countX[row] = Int32(truncatingIfNeeded: r > 0 ? c &- 1 : 0)
        }
        forEachStrictCount(ys, order: oy, radius: radiusY, index: indexY, count: n, window: window, kernels: kernels) { row, r, c in
            terms[row] = table[r > 0 ? c : 1]
        }
        // Summing in row order makes the result identical to a brute-force evaluation; each term
        // is ψ(n_x + 1) + ψ(n_y + 1) (one rounded addition, commutative), as brute force has it.
        var sum = 0.0
        for i in 0..<n { sum += table[Int(countX[i]) + 1] + terms[i] }
        return table[k] + table[n] - sum / Double(n)
    }

    /// The strip size: about 0.7·√(n·k) x-ranks, a multiple of 8 (at least 8). Narrower strips
    /// send more queries beyond their window (about one in six at 0.57·√(n·k) on weakly
    /// dependent slices), wider ones walk more candidates; 0.65–0.75 measured best, at n = 10⁴.
    func stripSize(count n: Int, k: Int) -> Int {
        let target = 0.7 * (Double(n) * Double(k)).squareRoot()
        return max(8, Int((target / 8).rounded()) * 8)
    }
}

/// The strips built by `buildStrips` and one window's buffers, read by the joint k-NN search.
private struct StripLayout {
    let count: Int
    let size: Int
    let stripCount: Int
    let sortedX: UnsafePointer<Double>
    /// The strips' points (x, y), strip after strip, each strip sorted by y.
    let points: UnsafePointer<SIMD2<Double>>
    /// The x-rank and the y-rank of the sample at each strip position.
    let rankX: UnsafePointer<Int32>
    let rankY: UnsafePointer<Int32>
    /// Row r, column s: the first position of strip s holding y-rank ≥ r · 2^blockShift.
    let yIndex: UnsafePointer<Int32>
    let blockShift: Int
    /// Sentinels at each end of a window: more than the paired walk's unclamped first steps
    /// (k + 2 ≤ 7), so those steps need no bounds (see `jointRadiiPaired`).
    static let windowPad = 8
    /// Whether all windows were laid out by `buildStrips`, each strip entry's slot in its own
    /// window in `ownSlot` and window s from its outermost lower sentinel at `windowStart[s]`,
    /// its innermost upper one at `windowEnd[s]`; otherwise the buffers hold the current window
    /// (see `mergeWindow`).
    let materialized: Bool
    let windowX: UnsafeMutablePointer<Double>
    let windowY: UnsafeMutablePointer<Double>
    let ownSlot: UnsafeMutablePointer<Int32>
    let windowStart: UnsafePointer<Int32>
    let windowEnd: UnsafePointer<Int32>

    /// Strip s's window: the slots of its outermost sentinels, and where its entries' own slots
    /// begin (indexed by position − begin), merging it first unless materialised.
    @inline(__always)
    private func window(_ s: Int, begin: Int) -> (lowest: Int, highest: Int, own: UnsafePointer<Int32>) {
        if materialized {
            return (Int(windowStart[s]), Int(windowEnd[s]) + Self.windowPad - 1, UnsafePointer(ownSlot + begin))
        }
        return (0, mergeWindow(s), UnsafePointer(ownSlot))
    }

    /// Strip s's positions `begin..<end` (see `buildStrips`); its sentinels are at begin − 1 and end.
    @inline(__always)
    private func positions(ofStrip s: Int) -> (begin: Int, end: Int) {
        let begin = s &* (size &+ 2) &+ 1
        return (begin, begin &+ min(count &- s &* size, size))
    }

    /// Strip s's positions and the nearest x values outside its window (±∞ where the window
    /// reaches an end).
    @inline(__always)
    private func bounds(ofStrip s: Int) -> (begin: Int, end: Int, leftEdge: Double, rightEdge: Double) {
        let (begin, end) = positions(ofStrip: s)
        return (begin, end,
                s > 1 ? sortedX[(s - 1) * size - 1] : -Double.infinity,
                s + 2 < stripCount ? sortedX[(s + 2) * size] : Double.infinity)
    }

    /// Merges strips s − 1, s and s + 1 by y-rank into `windowX`/`windowY[P ..< P + m]`, between
    /// P = `windowPad` sentinels (0, −∞) below and P (0, +∞) above, writing into
    /// `ownSlot[p − begin]` the slot of strip s's entry p; returns m + 2P − 1, the outermost
    /// upper sentinel's slot.
    ///
    /// Branch-free (taken branches here mispredict every other step): each step takes the
    /// smallest of the three heads, chosen by arithmetic masks (an exhausted strip's head is its
    /// sentinel, of y-rank Int32.max), and advances that strip. Each step waits for the loads
    /// its choice advanced to, so the merge runs from both ends at once, two independent
    /// chains: the front takes the ⌊m/2⌋ smallest, the back (the same with the largest, lower
    /// sentinels of y-rank −1) the rest. A step records its slot for strip s's entry only when it
    /// takes one (else into the spare entry `ownSlot[size]`), so neither chain overwrites the other's.
    @inline(__always)
    private func mergeWindow(_ s: Int) -> Int {
        let (b0, b1) = positions(ofStrip: s)
        // An absent neighbour is an empty strip: from the front, the upper sentinel of strip s
        // itself; from the back, its lower one.
        let (a0, a1) = s > 0 ? positions(ofStrip: s - 1) : (b1, b0)
        let (c0, c1) = s + 1 < stripCount ? positions(ofStrip: s + 1) : (b1, b0)
        let total = (s > 0 ? a1 - a0 : 0) + (b1 - b0) + (s + 1 < stripCount ? c1 - c0 : 0)
        let pad = Self.windowPad
        for i in 0..<pad {
            windowX[i] = 0
            windowY[i] = -.infinity
            windowX[total + pad + i] = 0
            windowY[total + pad + i] = .infinity
        }
        @inline(__always) func below(_ u: Int32, _ v: Int32) -> Int { (Int(u) &- Int(v)) &>> 63 }
        let spare = size
        // One step of a chain over heads a, b, c of strips s − 1, s, s + 1: takes the head of
        // least y-rank (ascending) or greatest into `slot` and moves it on. A mask is −1 where
        // taken, so `take & move` is the head's step: +1 from the front, −1 from the back.
        @inline(__always) func step(_ a: inout Int, _ b: inout Int, _ c: inout Int, into slot: Int, ascending: Bool) {
            let ka = rankY[a], kb = rankY[b], kc = rankY[c]
            let takeA = ascending ? below(ka, kb) & below(ka, kc) : below(kb, ka) & below(kc, ka)
            let takeB = ~takeA & (ascending ? below(kb, kc) : below(kc, kb))
            let takeC = ~(takeA | takeB)
            let point = points[(a & takeA) | (b & takeB) | (c & takeC)]
            windowX[slot] = point.x
            windowY[slot] = point.y
            ownSlot[((b &- b0) & takeB) | (spare & ~takeB)] = Int32(truncatingIfNeeded: slot)
            let move = ascending ? 1 : -1
            a &+= takeA & move
            b &+= takeB & move
            c &+= takeC & move
        }
        var a = a0, b = b0, c = c0, front = pad
        var d = a1 &- 1, e = b1 &- 1, f = c1 &- 1, back = total &+ pad &- 1
        for _ in 0..<(total >> 1) {
            step(&a, &b, &c, into: front, ascending: true)
            step(&d, &e, &f, into: back, ascending: false)
            front &+= 1
            back &-= 1
        }
        if total & 1 != 0 { step(&d, &e, &f, into: back, ascending: false) }
        return total + 2 * pad - 1
    }

    /// The max-norm distance from every sample to its k-th nearest other sample, into
    /// `radiusX[x-rank]` and `radiusY[y-rank]`.
    func jointRadii<List: NeighbourList>(_ list: List.Type, k: Int, storage: UnsafeMutablePointer<Double>,
                                         _ radiusX: UnsafeMutablePointer<Double>, _ radiusY: UnsafeMutablePointer<Double>) {
        let wx = windowX, wy = windowY
        // Unconditional walk steps per query (measured best at k + 1 for k = 5, n = 10⁴).
        let warmUp = k + 1
        for s in 0..<stripCount {
            let (begin, end, leftEdge, rightEdge) = bounds(ofStrip: s)
            let (lowest, highest, own) = window(s, begin: begin)
            for p in begin..<end {
                let xp = points[p].x, yp = points[p].y
                var best = List(k: k, storage: storage)
                // Both sides advance in lockstep, each stopping at its sentinel: the positions
                // never depend on loaded data, so successive candidates' loads overlap. A side
                // already past the k-th distance offers only candidates the list ignores.
                let slot = Int(own[p - begin])
                var up = slot + 1, down = slot - 1
                // A fixed number of steps first, with no termination test: nearly every query
                // needs that many (the candidates within the k-th distance grow with k), and a
                // walk whose length varies query by query mispredicts its exit. The loop below
                // then rarely runs, so its test is well predicted. Extra candidates are real
                // samples (or sentinels at +∞), which the list keeps or drops as it would anyway.
                for _ in 0..<warmUp {
                    best.offer(greater(abs(wx[up] - xp), wy[up] - yp))
                    best.offer(greater(abs(wx[down] - xp), yp - wy[down]))
                    up &+= Int(unsafeBitCast(up < highest, to: UInt8.self))
                    down &-= Int(unsafeBitCast(down > lowest, to: UInt8.self))
                }
                var dyUp = wy[up] - yp, dyDown = yp - wy[down]
                while lesser(dyUp, dyDown) < best.kth {
                    best.offer(greater(abs(wx[up] - xp), dyUp))
                    best.offer(greater(abs(wx[down] - xp), dyDown))
                    up &+= Int(unsafeBitCast(up < highest, to: UInt8.self))
                    down &-= Int(unsafeBitCast(down > lowest, to: UInt8.self))
                    dyUp = wy[up] - yp
                    dyDown = yp - wy[down]
                }
                if rightEdge - xp < best.kth || xp - leftEdge < best.kth {
                    searchBeyondWindow(strip: s, at: p, xp, yp, &best)
                }
                radiusX[Int(rankX[p])] = best.kth
                radiusY[Int(rankY[p])] = best.kth
            }
        }
    }

    /// `jointRadii` for k ≤ 5 with two queries of a strip walked at once, one per lane of a
    /// `PairBest5` (the instructions of the list updates, not latency, bound the scalar walk).
    func jointRadiiPaired(k: Int, _ radiusX: UnsafeMutablePointer<Double>, _ radiusY: UnsafeMutablePointer<Double>) {
        let wx = windowX, wy = windowY
        // Measured best at k + 2 for k = 5 with a new sample each call (a benchmark that repeats
        // one sample lets the branch predictor learn the loop's exits, and favoured k + 1).
        let warmUp = k + 2
        precondition(warmUp < Self.windowPad, "the paired walk's unbounded steps exceed the window's sentinels")
        for s in 0..<stripCount {
            let (begin, end, leftEdge, rightEdge) = bounds(ofStrip: s)
            let (lowest, highest, own) = window(s, begin: begin)
            // Pairs of queries; an odd last query is paired with itself.
            var p = begin
            while p < end {
                let p1 = min(p + 1, end - 1)
                let q0 = points[p], q1 = points[p1]
                let xp = SIMD2(q0.x, q1.x), yp = SIMD2(q0.y, q1.y)
                var up0 = Int(own[p - begin]) + 1, down0 = up0 - 2
                var up1 = Int(own[p1 - begin]) + 1, down1 = up1 - 2
                // The first steps need no bounds: a window has more sentinels at each end than
                // there are such steps, so they end at most on its outermost sentinels, as the
                // bounded steps would (beyond the innermost, every offer is a sentinel's, ignored).
                // The three nearest slots each way are sorted by a network (24 minima and maxima,
                // where offering them one by one takes 54), the rest offered one at a time: the
                // list ends the same, as it keeps the k smallest whatever the order.
                var best = PairBest5(sorting: walkDistances(wx, wy, up0, up1, xp, yp, up: true),
                                     walkDistances(wx, wy, down0, down1, xp, yp, up: false), k: k)
                up0 &+= 3
                down0 &-= 3
                up1 &+= 3
                down1 &-= 3
                // The step is written out twice: a nested function would box the captured state.
                for _ in 3..<warmUp {
                    best.offer(greater(magnitude(SIMD2(wx[up0], wx[up1]) - xp), SIMD2(wy[up0], wy[up1]) - yp))
                    best.offer(greater(magnitude(SIMD2(wx[down0], wx[down1]) - xp), yp - SIMD2(wy[down0], wy[down1])))
                    up0 &+= 1
                    down0 &-= 1
                    up1 &+= 1
                    down1 &-= 1
                }
                // A lane that is done walks on with its partner, offering only candidates beyond
                // its k-th distance (or sentinels), which its list ignores.
                while any(lesser(SIMD2(wy[up0], wy[up1]) - yp, yp - SIMD2(wy[down0], wy[down1])) .< best.kth) {
                    best.offer(greater(magnitude(SIMD2(wx[up0], wx[up1]) - xp), SIMD2(wy[up0], wy[up1]) - yp))
                    best.offer(greater(magnitude(SIMD2(wx[down0], wx[down1]) - xp), yp - SIMD2(wy[down0], wy[down1])))
                    up0 &+= Int(unsafeBitCast(up0 < highest, to: UInt8.self))
                    down0 &-= Int(unsafeBitCast(down0 > lowest, to: UInt8.self))
                    up1 &+= Int(unsafeBitCast(up1 < highest, to: UInt8.self))
                    down1 &-= Int(unsafeBitCast(down1 > lowest, to: UInt8.self))
                }
                var kth = best.kth
                let escapes = (rightEdge - xp .< kth) .| (xp - leftEdge .< kth)
                if any(escapes) {
                    for lane in 0..<2 where escapes[lane] {
                        kth[lane] = escapedRadius(strip: s, at: lane == 0 ? p : p1, xp[lane], yp[lane], best.lane(lane))
                    }
                }
                radiusX[Int(rankX[p])] = kth[0]
                radiusY[Int(rankY[p])] = kth[0]
                radiusX[Int(rankX[p1])] = kth[1]
                radiusY[Int(rankY[p1])] = kth[1]
                p += 2
            }
        }
    }

    /// The k-best lists of one strip's queries from the vectorised walk: five rows of S + 7
    /// entries (a last group of four or eight queries may run past the strip's S).
    var walkListEntries: Int { 5 * (size + 7) }

    /// `jointRadiiPaired` with each strip's window walk run by a CIntrinsics kernel, four queries
    /// a time by AVX2 or, `wide`, eight by AVX-512 (the same lists: see `infoplane_window_walk_avx2`),
    /// into `lists` (``walkListEntries``); queries whose k-th distance reaches beyond the window
    /// continue here from their list, as in the paired walk.
    func jointRadiiVectorized(k: Int, wide: Bool, lists: UnsafeMutablePointer<Double>,
                              _ radiusX: UnsafeMutablePointer<Double>, _ radiusY: UnsafeMutablePointer<Double>) {
        precondition(k == 4 || k == 5, "the vectorised walk keeps five entries")
        let warmUp = k + 2, stride = size + 7
        let coordinates = UnsafeRawPointer(points).assumingMemoryBound(to: Double.self)
        for s in 0..<stripCount {
            let (begin, end, leftEdge, rightEdge) = bounds(ofStrip: s)
            let (lowest, highest, own) = window(s, begin: begin)
            if wide {
                infoplane_window_walk_avx512(windowX, windowY, Int64(lowest), Int64(highest), coordinates + 2 * begin, own,
                                             Int64(end - begin), Int64(k), Int64(warmUp), lists, Int64(stride))
            } else {
                infoplane_window_walk_avx2(windowX, windowY, Int64(lowest), Int64(highest), coordinates + 2 * begin, own,
                                           Int64(end - begin), Int64(k), Int64(warmUp), lists, Int64(stride))
            }
            for p in begin..<end {
                let q = p - begin, xp = points[p].x
                var kth = lists[4 * stride + q]
                if rightEdge - xp < kth || xp - leftEdge < kth {
                    let list = Best5(lists[q], lists[stride + q], lists[2 * stride + q], lists[3 * stride + q], kth)
                    kth = escapedRadius(strip: s, at: p, xp, points[p].y, list)
                }
                radiusX[Int(rankX[p])] = kth
                radiusY[Int(rankY[p])] = kth
            }
        }
    }

    /// `searchBeyondWindow` for a lane of the paired walk, returning the k-th distance. Kept out
    /// of line (about 1% faster: the walk's registers stay free of the search's state).
    @inline(never)
    private func escapedRadius(strip s: Int, at p: Int, _ xp: Double, _ yp: Double, _ list: Best5) -> Double {
        var best = list
        searchBeyondWindow(strip: s, at: p, xp, yp, &best)
        return best.kth
    }

    /// Continues a search from strip `s` into the strips beyond its window, nearest first, while
    /// a strip's x-gap is below the current k-th distance (the rare case of a wide radius).
    ///
    /// Inlined into its callers with the list in a local: an `inout` list across the scans was
    /// kept in memory (the strips' pointers might alias it), a store and reload per offer.
    @inline(__always)
    private func searchBeyondWindow<List: NeighbourList>(strip s: Int, at p: Int, _ xp: Double, _ yp: Double,
                                                          _ list: inout List) {
        var best = list
        defer { list = best }
        let row = yIndex + (Int(rankY[p]) >> blockShift) * stripCount
        var right = s + 2
        while right < stripCount && sortedX[right * size] - xp < best.kth {
            let (begin, end) = positions(ofStrip: right)
            scanStrip(begin: begin, from: Int(row[right]), end: end, xp, yp, &best)
            right += 1
        }
        var left = s - 2
        while left >= 0 && xp - sortedX[(left + 1) * size - 1] < best.kth {
            let (begin, end) = positions(ofStrip: left)
            scanStrip(begin: begin, from: Int(row[left]), end: end, xp, yp, &best)
            left -= 1
        }
    }

    /// Offers the samples of the y-sorted strip `begin..<end` to the k-best list of (xp, yp);
    /// `from` is its `yIndex` entry for the query's y-rank, below the first entry with y ≥ yp by
    /// the strip's entries in one block of y-ranks (usually none or one: a cheaper start than a
    /// binary search). Either walk only needs y ≥ yp above the split and y ≤ yp below it.
    ///
    /// A scan offers one or two candidates on average, so it is written for that case without
    /// data-dependent branches (which mispredicted at every loop exit): two split steps and two
    /// offers each way, positions clamped at the strip's sentinels (whose offers the list
    /// ignores), then loops that rarely run.
    @inline(__always)
    private func scanStrip<List: NeighbourList>(begin: Int, from: Int, end: Int, _ xp: Double, _ yp: Double,
                                                _ best: inout List) {
        // The sentinel at `end` (y = +∞) stops the split there.
        var low = from
        low &+= below(points[low].y, yp)
        low &+= below(points[low].y, yp)
        while points[low].y < yp { low &+= 1 }
        var up = low, down = low &- 1
        for _ in 0..<2 {
            best.offer(greater(abs(points[up].x - xp), points[up].y - yp))
            best.offer(greater(abs(points[down].x - xp), yp - points[down].y))
            up &+= Int(unsafeBitCast(up < end, to: UInt8.self))
            down &-= Int(unsafeBitCast(down >= begin, to: UInt8.self))
        }
        while points[up].y - yp < best.kth {
            best.offer(greater(abs(points[up].x - xp), points[up].y - yp))
            up &+= Int(unsafeBitCast(up < end, to: UInt8.self))
        }
        while yp - points[down].y < best.kth {
            best.offer(greater(abs(points[down].x - xp), yp - points[down].y))
            down &-= Int(unsafeBitCast(down >= begin, to: UInt8.self))
        }
    }
}

/// The max-norm distances from the paired queries (xp, yp) to the window slots `a`, `a ± 1`,
/// `a ± 2` of lane 0 and `b`, `b ± 1`, `b ± 2` of lane 1 (+ going up, − down), nearest first.
@inline(__always)
private func walkDistances(_ wx: UnsafeMutablePointer<Double>, _ wy: UnsafeMutablePointer<Double>, _ a: Int, _ b: Int,
                           _ xp: SIMD2<Double>, _ yp: SIMD2<Double>, up: Bool)
    -> (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>) {
    @inline(__always) func distance(_ step: Int) -> SIMD2<Double> {
        let i = up ? a &+ step : a &- step, j = up ? b &+ step : b &- step
        let dy = up ? SIMD2(wy[i], wy[j]) - yp : yp - SIMD2(wy[i], wy[j])
        return greater(magnitude(SIMD2(wx[i], wx[j]) - xp), dy)
    }
    return (distance(0), distance(1), distance(2))
}
