// Two queries' k-best lists side by side, one SIMD lane each: the walk of KSGJointNeighbours.swift
// runs two queries in lockstep, so every min/max of an offer serves both (half the instructions
// of two scalar lists, which bound that walk). Lane values are exactly those of `Best5`.

/// The smaller of a and b in each lane, as one `minpd` (a < b ? a : b, as `lesser`).
@inline(__always)
func lesser(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> SIMD2<Double> { b.replacing(with: a, where: a .< b) }

/// The larger of a and b in each lane, as one `maxpd` (a > b ? a : b, as `greater`).
@inline(__always)
func greater(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> SIMD2<Double> { b.replacing(with: a, where: a .> b) }

/// |a| in each lane (clears the sign bits, as scalar `abs`).
@inline(__always)
func magnitude(_ a: SIMD2<Double>) -> SIMD2<Double> {
    unsafeBitCast(unsafeBitCast(a, to: SIMD2<UInt64>.self) & SIMD2(repeating: ~(UInt64(1) << 63)),
                  to: SIMD2<Double>.self)
}

/// Two `Best5` lists (k ≤ 5, the first 5 − k slots frozen at −∞), one per lane.
struct PairBest5 {
    var s0, s1, s2, s3, s4: SIMD2<Double>

    init(k: Int) {
        assert(k >= 1 && k <= 5)
        let frozen = 5 - k
        s0 = SIMD2(repeating: 0 < frozen ? -.infinity : .infinity)
        s1 = SIMD2(repeating: 1 < frozen ? -.infinity : .infinity)
        s2 = SIMD2(repeating: 2 < frozen ? -.infinity : .infinity)
        s3 = SIMD2(repeating: 3 < frozen ? -.infinity : .infinity)
        s4 = SIMD2(repeating: 4 < frozen ? -.infinity : .infinity)
    }

    /// The list after offering the six distances of `up` and `down` (k = 4 or 5): they are
    /// sorted by the optimal six-input network and the k smallest kept.
    @inline(__always)
    init(sorting up: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>),
         _ down: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>), k: Int) {
        assert(k == 4 || k == 5)
        var v0 = up.0, v1 = down.0, v2 = up.1, v3 = down.1, v4 = up.2, v5 = down.2
        order(&v0, &v5); order(&v1, &v3); order(&v2, &v4)
        order(&v1, &v2); order(&v3, &v4)
        order(&v0, &v3); order(&v2, &v5)
        order(&v0, &v1); order(&v2, &v3); order(&v4, &v5)
        order(&v1, &v2); order(&v3, &v4)
        if k == 5 {
            (s0, s1, s2, s3, s4) = (v0, v1, v2, v3, v4)
        } else {
            (s0, s1, s2, s3, s4) = (SIMD2(repeating: -.infinity), v0, v1, v2, v3)
        }
    }

    @inline(__always)
    mutating func offer(_ distance: SIMD2<Double>) {
        var carry = distance, held: SIMD2<Double>
        held = s0; s0 = lesser(held, carry); carry = greater(held, carry)
        held = s1; s1 = lesser(held, carry); carry = greater(held, carry)
        held = s2; s2 = lesser(held, carry); carry = greater(held, carry)
        held = s3; s3 = lesser(held, carry); carry = greater(held, carry)
        s4 = lesser(s4, carry)
    }

    var kth: SIMD2<Double> { s4 }

    /// Lane `i` as a scalar list, to continue that query alone.
    func lane(_ i: Int) -> Best5 { Best5(s0[i], s1[i], s2[i], s3[i], s4[i]) }
}

extension Best5 {
    init(_ s0: Double, _ s1: Double, _ s2: Double, _ s3: Double, _ s4: Double) {
        self.s0 = s0; self.s1 = s1; self.s2 = s2; self.s3 = s3; self.s4 = s4
    }
}

/// Puts the smaller of `a` and `b` (per lane) in `a`, the larger in `b`: a sorting network's
/// compare-exchange, two instructions.
@inline(__always)
private func order(_ a: inout SIMD2<Double>, _ b: inout SIMD2<Double>) {
    let low = lesser(a, b)
    b = greater(a, b)
    a = low
}
