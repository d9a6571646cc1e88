// The 1-D × 1-D KSG fast path.
//
// Joint k-NN in the max-norm uses strips: the samples are cut into strips of S consecutive
// x-ranks (S a power of two near √(n·k), so a strip is about as wide as a typical k-NN radius).
// Each strip s has a "window": the samples of strips s − 1, s, s + 1 merged in y order, with
// −∞/+∞ sentinels at its ends. A query walks its window up and down from its own position in
// lockstep until |Δy| on both sides reaches the current k-th distance. Only when that distance
// still exceeds the x-gap to the strips beyond the window (about one query in seven) are those
// strips searched one by one, each from the query's y position found through a coarse y-index
// (per block of y-ranks, where each strip's entries begin). Marginal counts then come from the
// sorted copies of x and y.
//
// Mispredicted branches and the k-best lists' min/max chains bound the speed here, hence the
// register k-best lists with min/max insertion, positions that never depend on loaded data, the
// branch-free binary searches for the counts, and (k ≤ 5) two queries walked at once, one per
// SIMD lane, so each min/max serves both.

extension KSGWorkspace {
    /// KSG algorithm 1 for one-dimensional `x` and `y` (see ``KSGEstimator``).
    func ksg(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count n: Int, k: Int) -> Double {
        psi.reserve(n)
        // Marginal counts are typically about √(n·k) (independent variables), far less when
        // dependent; the sorted copies carry padding for windowed searches of twice that.
        let window = searchWindow(expected: 2 * (Double(n) * Double(k)).squareRoot(), count: n)
        let xs = padSorted(sortedX.reserve(n + 2 * window), count: n, pad: window)
        let ys = padSorted(sortedY.reserve(n + 2 * window), count: n, pad: window)
        let ox = orderX.reserve(n), rx = rankX.reserve(n), oy = orderY.reserve(n)
        radixSort(x, count: n, sorted: xs, order: ox, rank: rx)
        radixSort(y, count: n, sorted: ys, order: oy, rank: nil)

        let shift = stripShift(count: n, k: k)
        let reach = windowReach
        let stripCount = (n + (1 << shift) - 1) >> shift
        // The y-index has a row per block of 2^blockShift y-ranks, a quarter to a half of the
        // strip count: 2–4 entries per sample, and a block holds under one entry of a typical strip.
        var blockShift = 0
        while (1 << (blockShift + 1)) < stripCount { blockShift += 1 }
        buildStrips(x, ys, oy, rx, count: n, shift: shift, stripCount: stripCount, reach: reach,
                    blockShift: blockShift)

        let best = self.best.reserve(k)
        // The radius of each sample by its x-rank and by its y-rank, where the counts read them.
        let radiusX = radius.reserve(n), radiusY = radius2.reserve(n)
        let layout = StripLayout(count: n, shift: shift, stripCount: stripCount, reach: reach, sortedX: xs,
                                 stripX: stripX.base!, stripY: stripY.base!, rankX: stripOrigin.base!,
                                 windowX: windowX.base!, windowY: windowY.base!, ownSlot: windowSlot.base!,
                                 windowEnd: stripFill.base! + stripCount, windowStart: stripFill.base! + 2 * stripCount,
                                 rankY: stripRank.base!, yIndex: stripIndex.base!, blockShift: blockShift)
        // Small k keeps the k-best list in registers (see KSGNeighbourList.swift).
        switch k {
        case 1: layout.jointRadii(Best1.self, k: k, storage: best, radiusX, radiusY)
        case 2: layout.jointRadii(Best2.self, k: k, storage: best, radiusX, radiusY)
        case 3: layout.jointRadii(Best3.self, k: k, storage: best, radiusX, radiusY)
        case 4, 5: layout.jointRadiiPaired(k: k, radiusX, radiusY)
        case 6: layout.jointRadii(Best6.self, k: k, storage: best, radiusX, radiusY)
        case 7, 8: layout.jointRadii(Best8.self, k: k, storage: best, radiusX, radiusY)
        case 9, 10: layout.jointRadii(Best10.self, k: k, storage: best, radiusX, radiusY)
        case 11...16: layout.jointRadii(Best16.self, k: k, storage: best, radiusX, radiusY)
        default: layout.jointRadii(BestInMemory.self, k: k, storage: best, radiusX, radiusY)
        }
        return ksgSum(xs, ox, radiusX, ys, oy, radiusY, count: n, k: k, window: window)
    }

    /// Lays out the strips (`stripX`/`stripY`, each strip y-sorted, with each entry's x-rank in
    /// `stripOrigin` and y-rank in `stripRank`) and the
    /// sentinel-padded windows (`windowX`/`windowY`), and records in `windowSlot[p]` where the
    /// sample at strip position p sits in its own strip's window.
    private func buildStrips(_ x: UnsafePointer<Double>, _ ys: UnsafePointer<Double>, _ oy: UnsafePointer<Int32>,
                             _ rx: UnsafePointer<Int32>, count n: Int, shift: Int, stripCount: Int, reach: Int,
                             blockShift: Int) {
        // Per strip: its fill position, then its window's fill position (which ends on the
        // window's upper sentinel), then the window's lower sentinel.
        let fill = stripFill.reserve(3 * stripCount)
        let windowFill = fill + stripCount, windowStart = windowFill + stripCount
        // Window s spans the x-ranks of strips s − 1 … s + 1, plus two sentinels.
        var total = 0
        for s in 0..<stripCount {
            fill[s] = Int32(truncatingIfNeeded: s << shift)
            windowFill[s] = Int32(truncatingIfNeeded: total + 1)
            windowStart[s] = Int32(truncatingIfNeeded: total)
            let low = max(0, s - reach) << shift, high = min(n, (s + reach + 1) << shift)
            total += high - low + 2
        }
        let sx = stripX.reserve(n), sy = stripY.reserve(n), rankX = stripOrigin.reserve(n)
        let wx = windowX.reserve(total), wy = windowY.reserve(total), ownSlot = windowSlot.reserve(n)
        let rankY = stripRank.reserve(n)
        let yIndex = stripIndex.reserve((((n - 1) >> blockShift) + 1) * stripCount)
        for s in 0..<stripCount {
            let first = Int(windowFill[s]) - 1
            let low = max(0, s - reach) << shift, high = min(n, (s + reach + 1) << shift)
            let last = first + high - low + 1
            wx[first] = 0
            wy[first] = -.infinity
            wx[last] = 0
            wy[last] = .infinity
        }
        // Visiting samples in y order leaves every strip and every window sorted by y.
        for t in 0..<n {
            if t & ((1 << blockShift) - 1) == 0 {
                // Row t >> blockShift: where each strip's entries of y-rank ≥ t begin.
                (yIndex + (t >> blockShift) * stripCount).update(from: fill, count: stripCount)
            }
            let i = Int(oy[t]), r = rx[i]
            let s = Int(r) >> shift
            let xi = x[i], yi = ys[t]
            let p = Int(fill[s])
            fill[s] = Int32(truncatingIfNeeded: p + 1)
            sx[p] = xi
            sy[p] = yi
            rankX[p] = r
            rankY[p] = Int32(truncatingIfNeeded: t)
            let own = Int(windowFill[s])
            windowFill[s] = Int32(truncatingIfNeeded: own + 1)
            wx[own] = xi
            wy[own] = yi
            ownSlot[p] = Int32(truncatingIfNeeded: own)
            @inline(__always) func append(to w: Int) {
                let q = Int(windowFill[w])
                windowFill[w] = Int32(truncatingIfNeeded: q + 1)
                wx[q] = xi
                wy[q] = yi
            }
            if reach == 1 {
                // The usual reach, without the loops' setup.
                if s > 0 { append(to: s - 1) }
                if s + 1 < stripCount { append(to: s + 1) }
            } else {
                for w in max(0, s - reach)..<s { append(to: w) }
                for w in (s + 1)..<min(stripCount, s + reach + 1) { append(to: w) }
            }
        }
    }

    /// ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩ from the radii by x-rank and by y-rank.
    ///
    /// Each marginal is counted in its own sorted order through a bucket index (see
    /// KSGBucketIndex.swift).
    private func ksgSum(_ xs: UnsafePointer<Double>, _ ox: UnsafePointer<Int32>, _ radiusX: UnsafePointer<Double>,
                        _ ys: UnsafePointer<Double>, _ oy: UnsafePointer<Int32>, _ radiusY: UnsafePointer<Double>,
                        count n: Int, k: Int, window: Int) -> Double {
        let table = psi.values
        // n_x by row, and ψ(n_y + 1) by row; a zero radius counts nothing.
        let countX = self.counts.reserve(n)
        let terms = self.terms.reserve(n)
        let indexX = bucketIndex(xs, count: n, perSample: BucketIndex.perSample, storage: &bucketsX)
        forEachStrictCount(xs, order: ox, radius: radiusX, index: indexX, count: n, window: window) { row, r, c in
            countX[row] = Int32(truncatingIfNeeded: r > 0 ? c &- 1 : 0)
        }
        let indexY = bucketIndex(ys, count: n, perSample: BucketIndex.perSample, storage: &bucketsY)
        forEachStrictCount(ys, order: oy, radius: radiusY, index: indexY, count: n, window: window) { row, r, c in
            terms[row] = table[r > 0 ? c : 1]
        }
        // Summing in row order makes the result identical to a brute-force evaluation; each term
        // is ψ(n_x + 1) + ψ(n_y + 1) (one rounded addition, commutative), as brute force has it.
        var sum = 0.0
        for i in 0..<n { sum += table[Int(countX[i]) + 1] + terms[i] }
        return table[k] + table[n] - sum / Double(n)
    }

    /// How many strips on each side of its own a window holds.
    var windowReach: Int { 1 }

    /// log₂ of the strip size: a power of two near √(n·k) (at least 8).
    func stripShift(count n: Int, k: Int) -> Int {
        let target = (Double(n) * Double(k)).squareRoot()
        var shift = 3
        while (1 << (shift + 1)) <= Int(target) { shift += 1 }
        return shift
    }
}

/// The strips and windows built by `buildStrips`, read by the joint k-NN search.
private struct StripLayout {
    let count: Int
    let shift: Int
    let stripCount: Int
    let reach: Int
    let sortedX: UnsafePointer<Double>
    let stripX: UnsafePointer<Double>
    let stripY: UnsafePointer<Double>
    /// The x-rank of the sample at each strip position.
    let rankX: UnsafePointer<Int32>
    let windowX: UnsafePointer<Double>
    let windowY: UnsafePointer<Double>
    let ownSlot: UnsafePointer<Int32>
    let windowEnd: UnsafePointer<Int32>
    let windowStart: UnsafePointer<Int32>
    /// The y-rank of the sample at each strip position.
    let rankY: UnsafePointer<Int32>
    /// Row r, column s: the first position of strip s holding y-rank ≥ r · 2^blockShift.
    let yIndex: UnsafePointer<Int32>
    let blockShift: Int

    /// Strip s's positions `begin..<end`, the nearest x values outside its window (±∞ where the
    /// window reaches an end), and the positions of the window's two sentinels.
    @inline(__always)
    private func bounds(ofStrip s: Int) -> (begin: Int, end: Int, leftEdge: Double, rightEdge: Double, lowest: Int, highest: Int) {
        let begin = s << shift
        return (begin, min(count, begin + (1 << shift)),
                s > reach ? sortedX[((s - reach) << shift) - 1] : -Double.infinity,
                s + reach + 1 < stripCount ? sortedX[(s + reach + 1) << shift] : Double.infinity,
                Int(windowStart[s]), Int(windowEnd[s]))
    }

    /// The max-norm distance from every sample to its k-th nearest other sample, into
    /// `radiusX[x-rank]` and `radiusY[y-rank]`.
    func jointRadii<List: NeighbourList>(_ list: List.Type, k: Int, storage: UnsafeMutablePointer<Double>,
                                         _ radiusX: UnsafeMutablePointer<Double>, _ radiusY: UnsafeMutablePointer<Double>) {
        let sx = stripX, sy = stripY, wx = windowX, wy = windowY
        // Unconditional walk steps per query (measured best at k + 1 for k = 5, n = 10⁴).
        let warmUp = k + 1
        for s in 0..<stripCount {
            let (begin, end, leftEdge, rightEdge, lowest, highest) = bounds(ofStrip: s)
            for p in begin..<end {
                let xp = sx[p], yp = sy[p]
                var best = List(k: k, storage: storage)
                // Both sides advance in lockstep, each stopping at its sentinel: the positions
                // never depend on loaded data, so successive candidates' loads overlap. A side
                // already past the k-th distance offers only candidates the list ignores.
                var up = Int(ownSlot[p]) + 1, down = Int(ownSlot[p]) - 1
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
        let sx = stripX, sy = stripY, wx = windowX, wy = windowY
        let warmUp = k + 1
        for s in 0..<stripCount {
            let (begin, end, leftEdge, rightEdge, lowest, highest) = bounds(ofStrip: s)
            // Pairs of queries; an odd last query is paired with itself.
            var p = begin
            while p < end {
                let p1 = min(p + 1, end - 1)
                let xp = SIMD2(sx[p], sx[p1]), yp = SIMD2(sy[p], sy[p1])
                var best = PairBest5(k: k)
                var up0 = Int(ownSlot[p]) + 1, down0 = Int(ownSlot[p]) - 1
                var up1 = Int(ownSlot[p1]) + 1, down1 = Int(ownSlot[p1]) - 1
                // The step is written out twice: a nested function would box the captured state.
                for _ in 0..<warmUp {
                    best.offer(greater(magnitude(SIMD2(wx[up0], wx[up1]) - xp), SIMD2(wy[up0], wy[up1]) - yp))
                    best.offer(greater(magnitude(SIMD2(wx[down0], wx[down1]) - xp), yp - SIMD2(wy[down0], wy[down1])))
                    up0 &+= Int(unsafeBitCast(up0 < highest, to: UInt8.self))
                    down0 &-= Int(unsafeBitCast(down0 > lowest, to: UInt8.self))
                    up1 &+= Int(unsafeBitCast(up1 < highest, to: UInt8.self))
                    down1 &-= Int(unsafeBitCast(down1 > lowest, to: UInt8.self))
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
    private func searchBeyondWindow<List: NeighbourList>(strip s: Int, at p: Int, _ xp: Double, _ yp: Double,
                                                          _ best: inout List) {
        let row = yIndex + (Int(rankY[p]) >> blockShift) * stripCount
        var right = s + reach + 1
        while right < stripCount && sortedX[right << shift] - xp < best.kth {
            let b = right << shift
            scanStrip(begin: b, from: Int(row[right]), end: min(count, b + (1 << shift)), xp, yp, &best)
            right += 1
        }
        var left = s - reach - 1
        while left >= 0 && xp - sortedX[((left + 1) << shift) - 1] < best.kth {
            let b = left << shift
            scanStrip(begin: b, from: Int(row[left]), end: b + (1 << shift), xp, yp, &best)
            left -= 1
        }
    }

    /// Offers the samples of the y-sorted strip `begin..<end` to the k-best list of (xp, yp);
    /// `from` is its `yIndex` entry for the query's y-rank, below the first entry with y ≥ yp by
    /// the strip's entries in one block of y-ranks (usually none or one: a cheaper start than a
    /// binary search). Either walk only needs y ≥ yp above the split and y ≤ yp below it.
    private func scanStrip<List: NeighbourList>(begin: Int, from: Int, end: Int, _ xp: Double, _ yp: Double,
                                                _ best: inout List) {
        let sx = stripX, sy = stripY
        var low = from
        while low < end && sy[low] < yp { low += 1 }
        var q = low
        while q < end {
            let dy = sy[q] - yp
            if !(dy < best.kth) { break }
            best.offer(greater(abs(sx[q] - xp), dy))
            q += 1
        }
        q = low - 1
        while q >= begin {
            let dy = yp - sy[q]
            if !(dy < best.kth) { break }
            best.offer(greater(abs(sx[q] - xp), dy))
            q -= 1
        }
    }
}
