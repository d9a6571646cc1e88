// The k smallest distances seen by one query, kept without data-dependent branches.
//
// For k ≤ 16 the list lives in a fixed set of registers: m slots (m = k for k ≤ 6) of which the
// first m − k are frozen at −∞ (min(−∞, c) = −∞ keeps them, max(−∞, c) = c passes the candidate
// through), so the live slots are the last k and the k-th distance is always the last slot. An offer bubbles
// the candidate down the slots with min/max: no branch, no memory round trip. Larger k falls
// back to a list in workspace memory.

/// The smaller of a and b, as one `minsd` (Swift's `min` orders NaN differently, which costs
/// LLVM four instructions per call).
@inline(__always)
func lesser(_ a: Double, _ b: Double) -> Double { a < b ? a : b }

/// The larger of a and b, as one `maxsd`.
@inline(__always)
func greater(_ a: Double, _ b: Double) -> Double { a > b ? a : b }

/// The running k-best list of a neighbour search.
protocol NeighbourList {
    /// An empty list (every live slot +∞) for k neighbours; `storage` has room for k values and
    /// is used only by lists that do not fit in registers.
    init(k: Int, storage: UnsafeMutablePointer<Double>)
    /// Adds `distance` if it is below the current k-th distance (dropping the old k-th).
    mutating func offer(_ distance: Double)
    /// The k-th smallest distance offered so far (+∞ before k offers).
    var kth: Double { get }
}

/// Up to 1 best distance in registers.
struct Best1: NeighbourList {
    var s0: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 1)
        s0 = .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        let carry = distance
        s0 = lesser(s0, carry)
    }

    var kth: Double { s0 }
}

/// Up to 2 best distances in registers.
struct Best2: NeighbourList {
    var s0, s1: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 2)
        let frozen = 2 - k
        s0 = 0 < frozen ? -.infinity : .infinity
        s1 = 1 < frozen ? -.infinity : .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        var carry = distance, held: Double
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        s1 = lesser(s1, carry)
    }

    var kth: Double { s1 }
}

/// Up to 3 best distances in registers.
struct Best3: NeighbourList {
    var s0, s1, s2: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 3)
        let frozen = 3 - k
        s0 = 0 < frozen ? -.infinity : .infinity
        s1 = 1 < frozen ? -.infinity : .infinity
        s2 = 2 < frozen ? -.infinity : .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        var carry = distance, held: Double
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        held = s1; s1 = lesser(held, carry); carry = greater(held, carry)
        s2 = lesser(s2, carry)
    }

    var kth: Double { s2 }
}

/// Up to 4 best distances in registers.
struct Best4: NeighbourList {
    var s0, s1, s2, s3: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 4)
        let frozen = 4 - k
        s0 = 0 < frozen ? -.infinity : .infinity
        s1 = 1 < frozen ? -.infinity : .infinity
        s2 = 2 < frozen ? -.infinity : .infinity
        s3 = 3 < frozen ? -.infinity : .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        var carry = distance, held: Double
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        held = s1; s1 = lesser(held, carry); carry = greater(held, carry)
        held = s2; s2 = lesser(held, carry); carry = greater(held, carry)
        s3 = lesser(s3, carry)
    }

    var kth: Double { s3 }
}

/// Up to 5 best distances in registers.
struct Best5: NeighbourList {
    var s0, s1, s2, s3, s4: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 5)
        let frozen = 5 - k
        s0 = 0 < frozen ? -.infinity : .infinity
        s1 = 1 < frozen ? -.infinity : .infinity
        s2 = 2 < frozen ? -.infinity : .infinity
        s3 = 3 < frozen ? -.infinity : .infinity
        s4 = 4 < frozen ? -.infinity : .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        var carry = distance, held: Double
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        held = s1; s1 = lesser(held, carry); carry = greater(held, carry)
        held = s2; s2 = lesser(held, carry); carry = greater(held, carry)
        held = s3; s3 = lesser(held, carry); carry = greater(held, carry)
        s4 = lesser(s4, carry)
    }

    var kth: Double { s4 }
}

/// Up to 6 best distances in registers.
struct Best6: NeighbourList {
    var s0, s1, s2, s3, s4, s5: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 6)
        let frozen = 6 - k
        s0 = 0 < frozen ? -.infinity : .infinity
        s1 = 1 < frozen ? -.infinity : .infinity
        s2 = 2 < frozen ? -.infinity : .infinity
        s3 = 3 < frozen ? -.infinity : .infinity
        s4 = 4 < frozen ? -.infinity : .infinity
        s5 = 5 < frozen ? -.infinity : .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        var carry = distance, held: Double
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        held = s1; s1 = lesser(held, carry); carry = greater(held, carry)
        held = s2; s2 = lesser(held, carry); carry = greater(held, carry)
        held = s3; s3 = lesser(held, carry); carry = greater(held, carry)
        held = s4; s4 = lesser(held, carry); carry = greater(held, carry)
        s5 = lesser(s5, carry)
    }

    var kth: Double { s5 }
}

/// Up to 8 best distances in registers.
struct Best8: NeighbourList {
    var s0, s1, s2, s3, s4, s5, s6, s7: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 8)
        let frozen = 8 - k
        s0 = 0 < frozen ? -.infinity : .infinity
        s1 = 1 < frozen ? -.infinity : .infinity
        s2 = 2 < frozen ? -.infinity : .infinity
        s3 = 3 < frozen ? -.infinity : .infinity
        s4 = 4 < frozen ? -.infinity : .infinity
        s5 = 5 < frozen ? -.infinity : .infinity
        s6 = 6 < frozen ? -.infinity : .infinity
        s7 = 7 < frozen ? -.infinity : .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        var carry = distance, held: Double
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        held = s1; s1 = lesser(held, carry); carry = greater(held, carry)
        held = s2; s2 = lesser(held, carry); carry = greater(held, carry)
        held = s3; s3 = lesser(held, carry); carry = greater(held, carry)
        held = s4; s4 = lesser(held, carry); carry = greater(held, carry)
        held = s5; s5 = lesser(held, carry); carry = greater(held, carry)
        held = s6; s6 = lesser(held, carry); carry = greater(held, carry)
        s7 = lesser(s7, carry)
    }

    var kth: Double { s7 }
}

/// Up to 10 best distances in registers.
struct Best10: NeighbourList {
    var s0, s1, s2, s3, s4, s5, s6, s7, s8, s9: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 10)
        let frozen = 10 - k
        s0 = 0 < frozen ? -.infinity : .infinity
        s1 = 1 < frozen ? -.infinity : .infinity
        s2 = 2 < frozen ? -.infinity : .infinity
        s3 = 3 < frozen ? -.infinity : .infinity
        s4 = 4 < frozen ? -.infinity : .infinity
        s5 = 5 < frozen ? -.infinity : .infinity
        s6 = 6 < frozen ? -.infinity : .infinity
        s7 = 7 < frozen ? -.infinity : .infinity
        s8 = 8 < frozen ? -.infinity : .infinity
        s9 = 9 < frozen ? -.infinity : .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        var carry = distance, held: Double
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        held = s1; s1 = lesser(held, carry); carry = greater(held, carry)
        held = s2; s2 = lesser(held, carry); carry = greater(held, carry)
        held = s3; s3 = lesser(held, carry); carry = greater(held, carry)
        held = s4; s4 = lesser(held, carry); carry = greater(held, carry)
        held = s5; s5 = lesser(held, carry); carry = greater(held, carry)
        held = s6; s6 = lesser(held, carry); carry = greater(held, carry)
        held = s7; s7 = lesser(held, carry); carry = greater(held, carry)
        held = s8; s8 = lesser(held, carry); carry = greater(held, carry)
        s9 = lesser(s9, carry)
    }

    var kth: Double { s9 }
}

/// Up to 16 best distances in registers.
struct Best16: NeighbourList {
    var s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15: Double

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        assert(k >= 1 && k <= 16)
        let frozen = 16 - k
        s0 = 0 < frozen ? -.infinity : .infinity
        s1 = 1 < frozen ? -.infinity : .infinity
        s2 = 2 < frozen ? -.infinity : .infinity
        s3 = 3 < frozen ? -.infinity : .infinity
        s4 = 4 < frozen ? -.infinity : .infinity
        s5 = 5 < frozen ? -.infinity : .infinity
        s6 = 6 < frozen ? -.infinity : .infinity
        s7 = 7 < frozen ? -.infinity : .infinity
        s8 = 8 < frozen ? -.infinity : .infinity
        s9 = 9 < frozen ? -.infinity : .infinity
        s10 = 10 < frozen ? -.infinity : .infinity
        s11 = 11 < frozen ? -.infinity : .infinity
        s12 = 12 < frozen ? -.infinity : .infinity
        s13 = 13 < frozen ? -.infinity : .infinity
        s14 = 14 < frozen ? -.infinity : .infinity
        s15 = 15 < frozen ? -.infinity : .infinity
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        var carry = distance, held: Double
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        held = s1; s1 = lesser(held, carry); carry = greater(held, carry)
        held = s2; s2 = lesser(held, carry); carry = greater(held, carry)
        held = s3; s3 = lesser(held, carry); carry = greater(held, carry)
        held = s4; s4 = lesser(held, carry); carry = greater(held, carry)
        held = s5; s5 = lesser(held, carry); carry = greater(held, carry)
        held = s6; s6 = lesser(held, carry); carry = greater(held, carry)
        held = s7; s7 = lesser(held, carry); carry = greater(held, carry)
        held = s8; s8 = lesser(held, carry); carry = greater(held, carry)
        held = s9; s9 = lesser(held, carry); carry = greater(held, carry)
        held = s10; s10 = lesser(held, carry); carry = greater(held, carry)
        held = s11; s11 = lesser(held, carry); carry = greater(held, carry)
        held = s12; s12 = lesser(held, carry); carry = greater(held, carry)
        held = s13; s13 = lesser(held, carry); carry = greater(held, carry)
        held = s14; s14 = lesser(held, carry); carry = greater(held, carry)
        s15 = lesser(s15, carry)
    }

    var kth: Double { s15 }
}

/// Any k, in memory.
struct BestInMemory: NeighbourList {
    let slots: UnsafeMutablePointer<Double>
    let k: Int

    init(k: Int, storage: UnsafeMutablePointer<Double>) {
        self.k = k
        slots = storage
        slots.update(repeating: .infinity, count: k)
    }

    @inline(__always)
    mutating func offer(_ distance: Double) {
        insertBestBranchFree(distance, into: slots, k: k)
    }

    var kth: Double { slots[k - 1] }
}
