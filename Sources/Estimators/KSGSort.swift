import CIntrinsics

/// Order-preserving map from a Double to a UInt64: unsigned key order is numeric order
/// (with −0 just below +0, which compare equal as Doubles and so never matter here).
@inline(__always)
func sortKey(_ value: Double) -> UInt64 {
    let bits = value.bitPattern
    // Negative: flip every bit (reverses their order); positive: flip only the sign bit.
    let mask = UInt64(bitPattern: Int64(bitPattern: bits) >> 63) | (1 << 63)
    return bits ^ mask
}

/// `x` rounded to the nearest integer, for 0 ≤ x < 2⁵¹: the low bits of x + 2⁵², without the
/// range checks of `Int(x)`.
@inline(__always)
func roundedIndex(_ x: Double) -> Int {
    Int(truncatingIfNeeded: (x + 0x1p52).bitPattern & 0xF_FFFF_FFFF_FFFF)
}

/// The Double whose ``sortKey(_:)`` is `key`.
@inline(__always)
func valueOfSortKey(_ key: UInt64) -> Double {
    let mask = (key >> 63) == 1 ? UInt64(1) << 63 : ~UInt64(0)
    return Double(bitPattern: key ^ mask)
}

/// A value with its position in sorted order.
struct RankedValue {
    var value: Double
    var rank: Int32
}

/// `values` in the order `order` gives: `sorted[t]` is `values[order[t]]`.
@inline(__always)
func gatherInOrder(_ values: UnsafePointer<Double>, order: UnsafePointer<Int32>, count n: Int,
                   into sorted: UnsafeMutablePointer<Double>) {
    for t in 0..<n { sorted[t] = values[Int(order[t])] }
}

/// Each sorted entry's value and position, at its original index: `rank[order[t]]` is
/// (`sorted[t]`, t).
@inline(__always)
func writeRanks(_ sorted: UnsafePointer<Double>, order: UnsafePointer<Int32>, count n: Int,
                into rank: UnsafeMutablePointer<RankedValue>) {
    for t in 0..<n { rank[Int(order[t])] = RankedValue(value: sorted[t], rank: Int32(truncatingIfNeeded: t)) }
}

/// Entries ahead at which a loop over a sorted order prefetches what it will gather at random
/// (``infoplane_prefetch``): far enough to cover a cache miss at n = 100,000, where the gathered
/// arrays outgrow L2 (3–4 % of a slice there, measured; nothing at 10,000).
let gatherPrefetchDistance = 48

/// For a loop over t that reads `base[Int(order[t])]`: prefetches the entry it will read
/// ``gatherPrefetchDistance`` steps later, if there is one.
@inline(__always)
func prefetchGather<Element>(_ base: UnsafePointer<Element>, order: UnsafePointer<Int32>, at t: Int, count n: Int) {
    if t &+ gatherPrefetchDistance < n { infoplane_prefetch(base + Int(order[t &+ gatherPrefetchDistance])) }
}

extension KSGWorkspace {
    /// Sorts `values` ascending into `sorted`, writing into `order` the original index of each
    /// sorted entry and, if given, into `rank` each original index's value and sorted position
    /// (one record, so a reader that looks both up by index touches one place).
    ///
    /// Usually by a fixed-point key (``fixedPointSort``); else an LSD radix sort on
    /// ``sortKey(_:)`` over the key's upper 32 bits only (sign, exponent and 20 mantissa bits:
    /// half the passes of a full sort), then a fix-up that sorts each run of equal upper halves by
    /// the lower half. For continuous data such runs are rare and short.
    ///
    /// With `bucketTable` (``BucketIndex/fusedTableSize(count:)`` entries), returns the bucket
    /// index of `sorted` that the fixed-point sort leaves there, or nil when it did not serve
    /// (build one with ``bucketIndex(_:count:perSample:storage:)`` then).
    @discardableResult
    func radixSort(_ values: UnsafePointer<Double>, count n: Int,
                   sorted: UnsafeMutablePointer<Double>, order: UnsafeMutablePointer<Int32>,
                   rank: UnsafeMutablePointer<RankedValue>?, bucketTable: UnsafeMutablePointer<Int32>? = nil) -> BucketIndex? {
        if n == 0 { return nil }
        let fixedPoint = fixedPointSort(values, count: n, sorted: sorted, order: order, rank: rank, bucketTable: bucketTable)
        if fixedPoint.sorted { return fixedPoint.index }
        let keys = self.keys.reserve(n), spareKeys = keysSwap.reserve(n), spareOrder = orderSwap.reserve(n)
        for i in 0..<n {
            keys[i] = sortKey(values[i])
            order[i] = Int32(truncatingIfNeeded: i)
        }
        // Byte digits: four passes measured faster than three 11-bit ones up to n = 10⁵, their
        // 256-entry histograms and scatter targets staying in L1.
        radixPasses(keys, order, spareKeys, spareOrder, count: n, lowBit: 32, digitBits: 8)

        var t = 1
        while t < n {
            if keys[t] &>> 32 != keys[t - 1] &>> 32 {
                t += 1
                continue
            }
            let start = t - 1, high = keys[start] &>> 32
            var end = t + 1
            while end < n && keys[end] &>> 32 == high { end += 1 }
            let length = end - start
            if length <= 32 {
                insertionSort(keys + start, order + start, count: length)
            } else {
                radixPasses(keys + start, order + start, spareKeys, spareOrder, count: length, lowBit: 0,
                            highBit: 32, digitBits: 8)
            }
            t = end + 1
        }

        for t in 0..<n { sorted[t] = valueOfSortKey(keys[t]) }
        if let rank {
            writeRanks(sorted, order: order, count: n, into: rank)
        }
        return nil
    }

    /// The ascending order of `values[0..<n]` into `order`, as ``radixSort(_:count:sorted:order:rank:bucketTable:)``
    /// writes it (ties in index order), for a variable several estimates sort: give it to them
    /// instead of sorting again (see ``sortedFromOrder(_:count:order:sorted:rank:)``).
    func sortOrder(_ values: UnsafePointer<Double>, count n: Int, into order: UnsafeMutablePointer<Int32>) {
        radixSort(values, count: n, sorted: sortedY.reserve(n), order: order, rank: nil)
    }

    /// What ``radixSort(_:count:sorted:order:rank:bucketTable:)`` writes into `sorted` and `rank`, from the
    /// order it wrote before for the same `values` (``sortOrder(_:count:into:)``): the same
    /// numbers bit for bit (a sort entry is the value itself), by one gather and one scatter.
    func sortedFromOrder(_ values: UnsafePointer<Double>, count n: Int, order: UnsafePointer<Int32>,
                         sorted: UnsafeMutablePointer<Double>, rank: UnsafeMutablePointer<RankedValue>?) {
        gatherInOrder(values, order: order, count: n, into: sorted)
        if let rank {
            writeRanks(sorted, order: order, count: n, into: rank)
        }
    }

    /// `values` sorted into `sorted` (and `rank`), from `knownOrder` when given, else by
    /// ``radixSort(_:count:sorted:order:rank:bucketTable:)`` with the order in `order`'s storage;
    /// returns the order and the bucket index of `sorted` in `buckets`: the sort's own when it
    /// left one, else one built for it (nil when the values span no range).
    func sortedCopy(_ values: UnsafePointer<Double>, count n: Int, knownOrder: UnsafePointer<Int32>?,
                    sorted: UnsafeMutablePointer<Double>, order: inout Scratch<Int32>,
                    rank: UnsafeMutablePointer<RankedValue>?,
                    buckets: inout Scratch<Int32>) -> (order: UnsafePointer<Int32>, index: BucketIndex?) {
        if let knownOrder {
            sortedFromOrder(values, count: n, order: knownOrder, sorted: sorted, rank: rank)
            return (knownOrder, bucketIndex(sorted, count: n, perSample: BucketIndex.perSample, storage: &buckets))
        }
        let storage = order.reserve(n)
        let kept = radixSort(values, count: n, sorted: sorted, order: storage, rank: rank,
                             bucketTable: buckets.reserve(BucketIndex.fusedTableSize(count: n)))
        return (UnsafePointer(storage), kept ?? bucketIndex(sorted, count: n, perSample: BucketIndex.perSample, storage: &buckets))
    }

    /// ``radixSort(_:count:sorted:order:rank:bucketTable:)`` by a fixed-point key
    /// ⌊(v − min)·scale⌉ (monotone in v, as rounding is) of 11 + h bits (h = 11 without
    /// `bucketTable`, else 2ʰ the power of two in n < 2ʰ ≤ 2n, at least 2¹¹), in two LSD passes
    /// (11 low bits, then h high ones) that move the key and the index packed in one word; then
    /// an insertion pass orders the entries whose keys collided (rare for continuous data, and
    /// already in order for exact ties).
    ///
    /// The high pass's bucket starts are a ``BucketIndex`` of the result with 1–2 buckets per entry
    /// (the counts of ``forEachStrictCount`` need one): with `bucketTable`, they are kept there and
    /// the index is returned, so the sorted values need no second pass to index them.
    ///
    /// Returns `sorted` false, having written nothing final, when the range is not finite and
    /// positive or the collisions need too many moves (values bunched far below the range),
    /// leaving those to the general sort; `index` is the kept index (nil without `bucketTable`).
    private func fixedPointSort(_ values: UnsafePointer<Double>, count n: Int, sorted: UnsafeMutablePointer<Double>,
                                order: UnsafeMutablePointer<Int32>, rank: UnsafeMutablePointer<RankedValue>?,
                                bucketTable: UnsafeMutablePointer<Int32>?) -> (sorted: Bool, index: BucketIndex?) {
        let (lowest, highest) = extremes(values, count: n)
        let span = highest - lowest
        guard span.isFinite && span > 0 && n < 1 << 31 else { return (false, nil) }
        // Without a table to keep, 11 high bits as well: two histograms that stay in L1.
        let lowBits = 11, highBits = bucketTable == nil ? 11 : BucketIndex.fusedDigitBits(count: n)
        let lowBuckets = 1 << lowBits, highBuckets = 1 << highBits, keyMask = (1 << (lowBits + highBits)) - 1
        let scale = Double(keyMask) / span
        guard scale.isFinite else { return (false, nil) }
        let packed = keys.reserve(n), spare = keysSwap.reserve(n)
        // The high digit's counts, then starts, sit one entry into the table, whose entry 0 is 0:
        // after the scatter, entry b holds the start of bucket b.
        let scratch = histogram.reserve(lowBuckets + (bucketTable == nil ? highBuckets + 1 : 0))
        let table = bucketTable ?? scratch + lowBuckets
        let low = scratch, high = table + 1
        low.update(repeating: 0, count: lowBuckets)
        table.update(repeating: 0, count: highBuckets + 1)
        for i in 0..<n {
            let key = min(roundedIndex((values[i] - lowest) * scale), keyMask)
            packed[i] = UInt64(truncatingIfNeeded: key) &<< 32 | UInt64(truncatingIfNeeded: i)
            low[key & (lowBuckets - 1)] &+= 1
            high[key &>> lowBits] &+= 1
        }
        var offset: Int32 = 0
        for b in 0..<lowBuckets {
            let c = low[b]
            low[b] = offset
            offset &+= c
        }
        offset = 0
        for b in 0..<highBuckets {
            let c = high[b]
            high[b] = offset
            offset &+= c
        }
        for i in 0..<n {
            let word = packed[i]
            let digit = Int(truncatingIfNeeded: (word &>> 32) & UInt64(lowBuckets - 1))
            let slot = Int(low[digit])
            low[digit] = Int32(truncatingIfNeeded: slot &+ 1)
            spare[slot] = word
        }
        for i in 0..<n {
            let word = spare[i]
            let digit = Int(truncatingIfNeeded: word &>> (32 + UInt64(lowBits)))
            let slot = Int(high[digit])
            high[digit] = Int32(truncatingIfNeeded: slot &+ 1)
            packed[slot] = word
        }
        // Entries with equal keys are in index order; order them by value (stable: ties stay).
        // Equal keys share a bucket, so the bucket starts hold.
        var moves = 0
        for t in 0..<n {
            // The values are read in key order, at random: fetched a few entries ahead.
            if t &+ gatherPrefetchDistance < n { infoplane_prefetch(values + Int(Int32(truncatingIfNeeded: packed[t &+ gatherPrefetchDistance]))) }
            let i = Int32(truncatingIfNeeded: packed[t])
            let value = values[Int(i)]
            var j = t
            while j > 0 && sorted[j - 1] > value {
                sorted[j] = sorted[j - 1]
                order[j] = order[j - 1]
                j -= 1
            }
            moves &+= t &- j
            sorted[j] = value
            order[j] = i
            if moves > 4 &* n { return (false, nil) }
        }
        if let rank {
            writeRanks(sorted, order: order, count: n, into: rank)
        }
        // The query side clamps to 0…keyMask before rounding, as the keys were clamped after it
        // (the same bucket for every value in the range).
        guard bucketTable != nil, highBuckets >= n else { return (true, nil) }
        return (true, BucketIndex(start: table, lowest: lowest, scale: scale, top: Double(keyMask), shift: lowBits))
    }

    /// The smallest and largest of `values[0..<n]` (n ≥ 1), four running lanes (one chain of
    /// min/max latencies per element was a fifth of a sort).
    private func extremes(_ values: UnsafePointer<Double>, count n: Int) -> (Double, Double) {
        var low = SIMD2(repeating: values[0]), high = low
        var low2 = low, high2 = low
        var i = 0
        while i &+ 4 <= n {
            let a = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD2<Double>.self)
            let b = UnsafeRawPointer(values + i + 2).loadUnaligned(as: SIMD2<Double>.self)
            low = lesser(low, a)
            high = greater(high, a)
            low2 = lesser(low2, b)
            high2 = greater(high2, b)
            i &+= 4
        }
        low = lesser(low, low2)
        high = greater(high, high2)
        var lowest = lesser(low[0], low[1]), highest = greater(high[0], high[1])
        while i < n {
            lowest = lesser(lowest, values[i])
            highest = greater(highest, values[i])
            i &+= 1
        }
        return (lowest, highest)
    }

    /// Stable LSD radix passes over key bits `lowBit..<highBit`, leaving the result in
    /// `keys`/`order` (the spares are scratch of at least `count` entries). Digits shared by
    /// every key are skipped.
    private func radixPasses(_ keys: UnsafeMutablePointer<UInt64>, _ order: UnsafeMutablePointer<Int32>,
                             _ spareKeys: UnsafeMutablePointer<UInt64>, _ spareOrder: UnsafeMutablePointer<Int32>,
                             count n: Int, lowBit: Int, highBit: Int = 64, digitBits: Int) {
        let buckets = 1 << digitBits
        let passes = (highBit - lowBit + digitBits - 1) / digitBits
        let digitMask = UInt64(buckets - 1)
        let histogram = self.histogram.reserve(buckets * passes)
        histogram.update(repeating: 0, count: buckets * passes)
        for i in 0..<n {
            let key = keys[i]
            for pass in 0..<passes {
                let digit = Int(truncatingIfNeeded: (key &>> UInt64(lowBit + pass * digitBits)) & digitMask)
                histogram[pass * buckets + digit] &+= 1
            }
        }

        var source = keys, target = spareKeys
        var sourceOrder = order, targetOrder = spareOrder
        for pass in 0..<passes {
            let shift = UInt64(lowBit + pass * digitBits)
            let counts = histogram + pass * buckets
            // A digit shared by every key leaves the order as it is.
            if Int(counts[Int(truncatingIfNeeded: (source[0] &>> shift) & digitMask)]) == n { continue }
            var offset: Int32 = 0
            for b in 0..<buckets {
                let c = counts[b]
                counts[b] = offset
                offset &+= c
            }
            for i in 0..<n {
                let key = source[i]
                let digit = Int(truncatingIfNeeded: (key &>> shift) & digitMask)
                let slot = Int(counts[digit])
                counts[digit] = Int32(truncatingIfNeeded: slot &+ 1)
                target[slot] = key
                targetOrder[slot] = sourceOrder[i]
            }
            swap(&source, &target)
            swap(&sourceOrder, &targetOrder)
        }
        if source != keys {
            keys.update(from: source, count: n)
            order.update(from: sourceOrder, count: n)
        }
    }

    /// Sorts a short run of keys (with their order entries) by insertion.
    private func insertionSort(_ keys: UnsafeMutablePointer<UInt64>, _ order: UnsafeMutablePointer<Int32>,
                               count n: Int) {
        for t in 1..<n {
            let key = keys[t], entry = order[t]
            var j = t
            while j > 0 && keys[j - 1] > key {
                keys[j] = keys[j - 1]
                order[j] = order[j - 1]
                j -= 1
            }
            keys[j] = key
            order[j] = entry
        }
    }
}
