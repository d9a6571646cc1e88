#ifndef INFOPLANE_CINTRINSICS_SHIM_H
#define INFOPLANE_CINTRINSICS_SHIM_H
// Kernels Swift cannot express: code for an instruction set beyond the build's baseline
// (x86-64, SSE2), compiled for it by a target attribute and called only after the processor
// was checked at run time. Each computes exactly what its portable Swift counterpart does.
// SwiftPM does not track this header for rebuilds: after editing it, touch the Swift files that
// call what changed (a debug build recompiles only touched files), or `swift package clean`;
// else the old kernels stay in the build.
#include <stdint.h>

/// A hint to fetch the cache line holding `address` for reading (any architecture; a no-op where
/// the compiler has none): for gathers whose indices are known ahead of the loads.
static inline void infoplane_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#else
    (void)address;
#endif
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/// Whether the OS saves every register state of `states` (XCR0 bits: 6 YMM, 0xE6 also opmask and
/// ZMM) and the processor has all of `features` in CPUID leaf 7's EBX (with `leaf1` in leaf 1's ECX).
static inline int infoplane_cpu_runs(unsigned leaf1, unsigned states, unsigned features) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_OSXSAVE) || (c & leaf1) != leaf1) return 0;
    unsigned low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    if ((low & states) != states) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & features) == features;
}

/// Whether this processor and its OS run AVX2 and POPCNT code (CPUID leaves 1 and 7, and the
/// YMM state enabled in XCR0).
static inline int infoplane_has_avx2(void) { return infoplane_cpu_runs(bit_AVX | bit_POPCNT, 6, bit_AVX2); }

/// Whether this processor and its OS run the AVX-512 code of Skylake-X and later (F, DQ, BW, VL,
/// with FMA; the YMM, opmask and ZMM states enabled in XCR0).
static inline int infoplane_has_avx512(void) {
    return infoplane_cpu_runs(bit_FMA, 0xE6, bit_AVX512F | bit_AVX512DQ | bit_AVX512BW | bit_AVX512VL);
}

/// Whether this processor and its OS run the AVX2 code of Haswell and later (AVX2 with FMA).
static inline int infoplane_has_avx2_fma(void) { return infoplane_cpu_runs(bit_AVX | bit_FMA, 6, bit_AVX2); }

/// For positions t in [first, first + n) of the ascending array `a` (padded with at least 1 entry
/// of −∞ before and 8 of +∞ after), #{p : |a[p] − a[t]| < radius[t]} into counts[t − first],
/// found through the bucket index (`start`, `lowest`, `scale`, `top`, `shift`), or −1 where the
/// index cannot pin a boundary: Swift's `bucketedCount` (KSGBucketIndex.swift), the same operations on each value,
/// with the two 8-entry windows compared four lanes at a time and their passing lanes counted
/// from the compare masks. Meaningless where radius[t] ≤ 0.
__attribute__((target("avx2,popcnt")))
static inline void infoplane_bucketed_counts_avx2(const double *a, const int32_t *start, double lowest, double scale,
                                                  double top, int64_t shift, const double *radius, int64_t first,
                                                  int64_t n, int32_t *counts) {
    const __m128d low = _mm_set1_pd(lowest), factor = _mm_set1_pd(scale), last = _mm_set1_pd(top);
    const __m128d round = _mm_set1_pd(0x1p52);
    const __m128i mantissa = _mm_set1_epi64x(0xFFFFFFFFFFFFFLL), bits = _mm_cvtsi64_si128(shift);
    for (int64_t i = 0; i < n; i++) {
        const double v = a[first + i], r = radius[first + i];
        // Lane 0: the upper boundary's value v + r; lane 1: the lower one's, v − r.
        __m128d q = _mm_mul_pd(_mm_sub_pd(_mm_set_pd(v - r, v + r), low), factor);
        q = _mm_min_pd(_mm_max_pd(q, _mm_setzero_pd()), last);
        const __m128i bucket = _mm_srl_epi64(_mm_and_si128(_mm_castpd_si128(_mm_add_pd(q, round)), mantissa), bits);
        const int64_t upperBase = (int64_t)start[_mm_cvtsi128_si64(bucket)] - 1;
        const int64_t lowerBase = (int64_t)start[_mm_extract_epi64(bucket, 1)] - 1;
        const __m256d vs = _mm256_set1_pd(v), rs = _mm256_set1_pd(r);
        // a[p] − v < r holds on a prefix of the upper window, v − a[p] < r on a suffix of the lower.
        const int upper = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(_mm256_loadu_pd(a + upperBase), vs), rs, _CMP_LT_OQ))
            | _mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(_mm256_loadu_pd(a + upperBase + 4), vs), rs, _CMP_LT_OQ)) << 4;
        const int lower = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(vs, _mm256_loadu_pd(a + lowerBase)), rs, _CMP_LT_OQ))
            | _mm256_movemask_pd(_mm256_cmp_pd(_mm256_sub_pd(vs, _mm256_loadu_pd(a + lowerBase + 4)), rs, _CMP_LT_OQ)) << 4;
        const int64_t passUpper = _mm_popcnt_u32((unsigned)upper), passLower = _mm_popcnt_u32((unsigned)lower);
        // The window's first position must be below the boundary and its last at or above it.
        const int64_t miss = ((passUpper - 1) | (7 - passUpper) | (passLower - 1) | (7 - passLower)) >> 63;
        counts[i] = (int32_t)(((upperBase + passUpper) - (lowerBase + 8 - passLower)) | miss);
    }
}

/// `infoplane_bucketed_counts_avx2` with AVX-512: the boundary buckets of eight positions
/// computed at once (the same operations on each value, lane by lane), their starts gathered,
/// and each 8-entry window compared in one register. The same counts.
__attribute__((target("avx512f,avx512dq,avx512vl,popcnt")))
static inline void infoplane_bucketed_counts_avx512(const double *a, const int32_t *start, double lowest, double scale,
                                                    double top, int64_t shift, const double *radius, int64_t first,
                                                    int64_t n, int32_t *counts) {
    const __m512d low = _mm512_set1_pd(lowest), factor = _mm512_set1_pd(scale), last = _mm512_set1_pd(top);
    const __m512d round = _mm512_set1_pd(0x1p52), zero = _mm512_setzero_pd();
    const __m512i mantissa = _mm512_set1_epi64(0xFFFFFFFFFFFFFLL);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m512d v = _mm512_loadu_pd(a + first + i), r = _mm512_loadu_pd(radius + first + i);
        __m512d qu = _mm512_mul_pd(_mm512_sub_pd(_mm512_add_pd(v, r), low), factor);
        __m512d ql = _mm512_mul_pd(_mm512_sub_pd(_mm512_sub_pd(v, r), low), factor);
        qu = _mm512_min_pd(_mm512_max_pd(qu, zero), last);
        ql = _mm512_min_pd(_mm512_max_pd(ql, zero), last);
        const __m512i bu = _mm512_srli_epi64(_mm512_and_si512(_mm512_castpd_si512(_mm512_add_pd(qu, round)), mantissa), (unsigned)shift);
        const __m512i bl = _mm512_srli_epi64(_mm512_and_si512(_mm512_castpd_si512(_mm512_add_pd(ql, round)), mantissa), (unsigned)shift);
        int32_t upperStart[8], lowerStart[8];
        _mm256_storeu_si256((__m256i *)upperStart, _mm512_i64gather_epi32(bu, start, 4));
        _mm256_storeu_si256((__m256i *)lowerStart, _mm512_i64gather_epi32(bl, start, 4));
        for (int j = 0; j < 8; j++) {
            const __m512d vs = _mm512_set1_pd(a[first + i + j]), rs = _mm512_set1_pd(radius[first + i + j]);
            const int64_t upperBase = (int64_t)upperStart[j] - 1, lowerBase = (int64_t)lowerStart[j] - 1;
            const int64_t passUpper = _mm_popcnt_u32(_mm512_cmp_pd_mask(_mm512_sub_pd(_mm512_loadu_pd(a + upperBase), vs), rs, _CMP_LT_OQ));
            const int64_t passLower = _mm_popcnt_u32(_mm512_cmp_pd_mask(_mm512_sub_pd(vs, _mm512_loadu_pd(a + lowerBase)), rs, _CMP_LT_OQ));
            const int64_t miss = ((passUpper - 1) | (7 - passUpper) | (passLower - 1) | (7 - passLower)) >> 63;
            counts[i + j] = (int32_t)(((upperBase + passUpper) - (lowerBase + 8 - passLower)) | miss);
        }
    }
    if (i < n) infoplane_bucketed_counts_avx2(a, start, lowest, scale, top, shift, radius, first + i, n - i, counts + i);
}

// The walks' list operations, for the vector type of s0 and the IP_MIN / IP_MAX each walk defines:
// a compare-exchange, the optimal six-input sorting network (ascending), and an offer of a
// distance to the five-entry list s0 ≤ … ≤ s4 (insertion by minima and maxima, no branches).
#define IP_ORDER(a, b) do { const __typeof__(a) low_ = IP_MIN(a, b); b = IP_MAX(a, b); a = low_; } while (0)
#define IP_SORT_SIX(v0, v1, v2, v3, v4, v5) do { \
        IP_ORDER(v0, v5); IP_ORDER(v1, v3); IP_ORDER(v2, v4); \
        IP_ORDER(v1, v2); IP_ORDER(v3, v4); \
        IP_ORDER(v0, v3); IP_ORDER(v2, v5); \
        IP_ORDER(v0, v1); IP_ORDER(v2, v3); IP_ORDER(v4, v5); \
        IP_ORDER(v1, v2); IP_ORDER(v3, v4); } while (0)
#define IP_OFFER(d) do { __typeof__(s0) carry_ = (d), held_; \
        held_ = s0; s0 = IP_MIN(held_, carry_); carry_ = IP_MAX(held_, carry_); \
        held_ = s1; s1 = IP_MIN(held_, carry_); carry_ = IP_MAX(held_, carry_); \
        held_ = s2; s2 = IP_MIN(held_, carry_); carry_ = IP_MAX(held_, carry_); \
        held_ = s3; s3 = IP_MIN(held_, carry_); carry_ = IP_MAX(held_, carry_); \
        s4 = IP_MIN(s4, carry_); } while (0)

/// The window walk of KSG's joint k-NN (KSGJointNeighbours.swift, `jointRadiiPaired`) for the
/// m queries of one strip, four at a time (one per lane) where the Swift walk takes two: query q
/// at (points[2q], points[2q + 1]) with its own window slot `slots[q]`, over the window `wx`/`wy`
/// (slots `lowest`…`highest`, at least 8 sentinels each end). Its k-best list (k = 4 or 5, the
/// first 5 − k entries −∞) goes to lists[j·stride + q], j = 0…4 (stride ≥ m + 3): the first three
/// slots each way sorted by a network, `warm_up` − 3 more steps unbounded, then steps while a lane
/// still has a side within its k-th distance. The same distances (one rounded subtraction per
/// coordinate, the max-norm by `max`) and the same min/max order as the Swift list, so each list
/// holds the same k values; a lane that finished walks on with the others, offering only
/// candidates at or beyond its k-th distance (or sentinels), which change no entry.
__attribute__((target("avx2")))
static inline void infoplane_window_walk_avx2(const double *wx, const double *wy, int64_t lowest, int64_t highest,
                                              const double *points, const int32_t *slots, int64_t m, int64_t k,
                                              int64_t warm_up, double *lists, int64_t stride) {
    const __m256d sign = _mm256_set1_pd(-0.0);
#define IP_MIN _mm256_min_pd
#define IP_MAX _mm256_max_pd
#define IP_GATHER(v, i) _mm256_set_pd(v[i[3]], v[i[2]], v[i[1]], v[i[0]])
#define IP_UP_DISTANCE(i) _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_sub_pd(IP_GATHER(wx, i), xp)), \
                                         _mm256_sub_pd(IP_GATHER(wy, i), yp))
#define IP_DOWN_DISTANCE(i) _mm256_max_pd(_mm256_andnot_pd(sign, _mm256_sub_pd(IP_GATHER(wx, i), xp)), \
                                           _mm256_sub_pd(yp, IP_GATHER(wy, i)))
    for (int64_t q = 0; q < m; q += 4) {
        // An incomplete last group repeats its last query.
        int64_t lane[4], up[4], down[4];
        for (int j = 0; j < 4; j++) {
            lane[j] = q + j < m ? q + j : m - 1;
            up[j] = (int64_t)slots[lane[j]] + 1;
            down[j] = up[j] - 2;
        }
        const __m256d xp = _mm256_set_pd(points[2 * lane[3]], points[2 * lane[2]], points[2 * lane[1]], points[2 * lane[0]]);
        const __m256d yp = _mm256_set_pd(points[2 * lane[3] + 1], points[2 * lane[2] + 1], points[2 * lane[1] + 1],
                                         points[2 * lane[0] + 1]);
        // Three slots each way, nearest first, sorted by the optimal six-input network.
        __m256d v0 = IP_UP_DISTANCE(up), v1 = IP_DOWN_DISTANCE(down);
        for (int j = 0; j < 4; j++) { up[j] += 1; down[j] -= 1; }
        __m256d v2 = IP_UP_DISTANCE(up), v3 = IP_DOWN_DISTANCE(down);
        for (int j = 0; j < 4; j++) { up[j] += 1; down[j] -= 1; }
        __m256d v4 = IP_UP_DISTANCE(up), v5 = IP_DOWN_DISTANCE(down);
        for (int j = 0; j < 4; j++) { up[j] += 1; down[j] -= 1; }
        IP_SORT_SIX(v0, v1, v2, v3, v4, v5);
        __m256d s0, s1, s2, s3, s4;
        if (k == 5) { s0 = v0; s1 = v1; s2 = v2; s3 = v3; s4 = v4; }
        else { s0 = _mm256_set1_pd(-__builtin_inf()); s1 = v0; s2 = v1; s3 = v2; s4 = v3; }
        for (int64_t step = 3; step < warm_up; step++) {
            IP_OFFER(IP_UP_DISTANCE(up));
            IP_OFFER(IP_DOWN_DISTANCE(down));
            for (int j = 0; j < 4; j++) { up[j] += 1; down[j] -= 1; }
        }
        for (;;) {
            const __m256d near = _mm256_min_pd(_mm256_sub_pd(IP_GATHER(wy, up), yp), _mm256_sub_pd(yp, IP_GATHER(wy, down)));
            if (!_mm256_movemask_pd(_mm256_cmp_pd(near, s4, _CMP_LT_OQ))) break;
            IP_OFFER(IP_UP_DISTANCE(up));
            IP_OFFER(IP_DOWN_DISTANCE(down));
            for (int j = 0; j < 4; j++) { up[j] += up[j] < highest; down[j] -= down[j] > lowest; }
        }
        double out[5][4];
        _mm256_storeu_pd(out[0], s0); _mm256_storeu_pd(out[1], s1); _mm256_storeu_pd(out[2], s2);
        _mm256_storeu_pd(out[3], s3); _mm256_storeu_pd(out[4], s4);
        for (int e = 0; e < 5; e++)
            for (int j = 0; j < 4; j++) lists[e * stride + q + j] = out[e][j];
    }
#undef IP_MIN
#undef IP_MAX
#undef IP_GATHER
#undef IP_UP_DISTANCE
#undef IP_DOWN_DISTANCE
}

/// `infoplane_window_walk_avx2` eight queries at a time (AVX-512; stride ≥ m + 7): the same
/// distances and the same min/max order per lane, so the same lists.
__attribute__((target("avx512f,avx512dq,avx512vl")))
static inline void infoplane_window_walk_avx512(const double *wx, const double *wy, int64_t lowest, int64_t highest,
                                                const double *points, const int32_t *slots, int64_t m, int64_t k,
                                                int64_t warm_up, double *lists, int64_t stride) {
    const __m512d sign = _mm512_set1_pd(-0.0);
    const __m512i one = _mm512_set1_epi64(1), low = _mm512_set1_epi64(lowest), high = _mm512_set1_epi64(highest);
    const __m512i lanes = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
#define IP_MIN _mm512_min_pd
#define IP_MAX _mm512_max_pd
#define IP_GATHER(v, i) _mm512_i64gather_pd(i, v, 8)
#define IP_ABS(v) _mm512_andnot_pd(sign, v)
#define IP_UP_DISTANCE(i) _mm512_max_pd(IP_ABS(_mm512_sub_pd(IP_GATHER(wx, i), xp)), _mm512_sub_pd(IP_GATHER(wy, i), yp))
#define IP_DOWN_DISTANCE(i) _mm512_max_pd(IP_ABS(_mm512_sub_pd(IP_GATHER(wx, i), xp)), _mm512_sub_pd(yp, IP_GATHER(wy, i)))
    for (int64_t q = 0; q < m; q += 8) {
        // An incomplete last group repeats its last query.
        const __m512i lane = _mm512_min_epi64(_mm512_add_epi64(_mm512_set1_epi64(q), lanes), _mm512_set1_epi64(m - 1));
        const __m512i twice = _mm512_add_epi64(lane, lane);
        const __m512d xp = _mm512_i64gather_pd(twice, points, 8);
        const __m512d yp = _mm512_i64gather_pd(_mm512_add_epi64(twice, one), points, 8);
        __m512i up = _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_i64gather_epi32(lane, slots, 4)), one);
        __m512i down = _mm512_sub_epi64(_mm512_sub_epi64(up, one), one);
        // Three slots each way, nearest first, sorted by the optimal six-input network.
        __m512d v0 = IP_UP_DISTANCE(up), v1 = IP_DOWN_DISTANCE(down);
        up = _mm512_add_epi64(up, one); down = _mm512_sub_epi64(down, one);
        __m512d v2 = IP_UP_DISTANCE(up), v3 = IP_DOWN_DISTANCE(down);
        up = _mm512_add_epi64(up, one); down = _mm512_sub_epi64(down, one);
        __m512d v4 = IP_UP_DISTANCE(up), v5 = IP_DOWN_DISTANCE(down);
        up = _mm512_add_epi64(up, one); down = _mm512_sub_epi64(down, one);
        IP_SORT_SIX(v0, v1, v2, v3, v4, v5);
        __m512d s0, s1, s2, s3, s4;
        if (k == 5) { s0 = v0; s1 = v1; s2 = v2; s3 = v3; s4 = v4; }
        else { s0 = _mm512_set1_pd(-__builtin_inf()); s1 = v0; s2 = v1; s3 = v2; s4 = v3; }
        for (int64_t step = 3; step < warm_up; step++) {
            IP_OFFER(IP_UP_DISTANCE(up));
            IP_OFFER(IP_DOWN_DISTANCE(down));
            up = _mm512_add_epi64(up, one); down = _mm512_sub_epi64(down, one);
        }
        for (;;) {
            const __m512d yu = IP_GATHER(wy, up), yd = IP_GATHER(wy, down);
            const __m512d dyu = _mm512_sub_pd(yu, yp), dyd = _mm512_sub_pd(yp, yd);
            if (!_mm512_cmp_pd_mask(_mm512_min_pd(dyu, dyd), s4, _CMP_LT_OQ)) break;
            IP_OFFER(_mm512_max_pd(IP_ABS(_mm512_sub_pd(IP_GATHER(wx, up), xp)), dyu));
            IP_OFFER(_mm512_max_pd(IP_ABS(_mm512_sub_pd(IP_GATHER(wx, down), xp)), dyd));
            up = _mm512_mask_add_epi64(up, _mm512_cmplt_epi64_mask(up, high), up, one);
            down = _mm512_mask_sub_epi64(down, _mm512_cmpgt_epi64_mask(down, low), down, one);
        }
        _mm512_storeu_pd(lists + q, s0); _mm512_storeu_pd(lists + stride + q, s1);
        _mm512_storeu_pd(lists + 2 * stride + q, s2); _mm512_storeu_pd(lists + 3 * stride + q, s3);
        _mm512_storeu_pd(lists + 4 * stride + q, s4);
    }
#undef IP_MIN
#undef IP_MAX
#undef IP_GATHER
#undef IP_ABS
#undef IP_UP_DISTANCE
#undef IP_DOWN_DISTANCE
}

/// Swift's `SlicePreparation.columnMoments` for columns [0, m − m mod 8) of the row-major n-row
/// block (row i at block + i·stride), eight columns a register, up to four registers a row (four
/// independent addition chains): per column its sum, then about its mean (sum ÷ n) the sum of
/// squared deviations and the sum of squares, each accumulated in row order, each operation
/// rounded alone (no fused multiply-add), so the same sums. Returns the columns it did.
__attribute__((target("avx512f,avx512dq")))
static inline int64_t infoplane_column_moments_avx512(const double *block, int64_t stride, int64_t n, int64_t m,
                                                      double *sums, double *squares, double *raw) {
#pragma clang fp contract(off)
    const __m512d count = _mm512_set1_pd((double)n);
    int64_t c = 0;
    for (; c + 32 <= m; c += 32) {
        __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
        for (int64_t i = 0; i < n; i++) {
            const double *row = block + i * stride + c;
            s0 = _mm512_add_pd(s0, _mm512_loadu_pd(row)); s1 = _mm512_add_pd(s1, _mm512_loadu_pd(row + 8));
            s2 = _mm512_add_pd(s2, _mm512_loadu_pd(row + 16)); s3 = _mm512_add_pd(s3, _mm512_loadu_pd(row + 24));
        }
        const __m512d m0 = _mm512_div_pd(s0, count), m1 = _mm512_div_pd(s1, count);
        const __m512d m2 = _mm512_div_pd(s2, count), m3 = _mm512_div_pd(s3, count);
        __m512d q0 = _mm512_setzero_pd(), q1 = q0, q2 = q0, q3 = q0, r0 = q0, r1 = q0, r2 = q0, r3 = q0;
        for (int64_t i = 0; i < n; i++) {
            const double *row = block + i * stride + c;
            const __m512d a = _mm512_loadu_pd(row), b = _mm512_loadu_pd(row + 8);
            const __m512d d = _mm512_loadu_pd(row + 16), e = _mm512_loadu_pd(row + 24);
            const __m512d da = _mm512_sub_pd(a, m0), db = _mm512_sub_pd(b, m1), dd = _mm512_sub_pd(d, m2), de = _mm512_sub_pd(e, m3);
            q0 = _mm512_add_pd(q0, _mm512_mul_pd(da, da)); r0 = _mm512_add_pd(r0, _mm512_mul_pd(a, a));
            q1 = _mm512_add_pd(q1, _mm512_mul_pd(db, db)); r1 = _mm512_add_pd(r1, _mm512_mul_pd(b, b));
            q2 = _mm512_add_pd(q2, _mm512_mul_pd(dd, dd)); r2 = _mm512_add_pd(r2, _mm512_mul_pd(d, d));
            q3 = _mm512_add_pd(q3, _mm512_mul_pd(de, de)); r3 = _mm512_add_pd(r3, _mm512_mul_pd(e, e));
        }
        _mm512_storeu_pd(sums + c, s0); _mm512_storeu_pd(sums + c + 8, s1);
        _mm512_storeu_pd(sums + c + 16, s2); _mm512_storeu_pd(sums + c + 24, s3);
        _mm512_storeu_pd(squares + c, q0); _mm512_storeu_pd(squares + c + 8, q1);
        _mm512_storeu_pd(squares + c + 16, q2); _mm512_storeu_pd(squares + c + 24, q3);
        _mm512_storeu_pd(raw + c, r0); _mm512_storeu_pd(raw + c + 8, r1);
        _mm512_storeu_pd(raw + c + 16, r2); _mm512_storeu_pd(raw + c + 24, r3);
    }
    for (; c + 8 <= m; c += 8) {
        __m512d s = _mm512_setzero_pd();
        for (int64_t i = 0; i < n; i++) s = _mm512_add_pd(s, _mm512_loadu_pd(block + i * stride + c));
        const __m512d mean = _mm512_div_pd(s, count);
        __m512d q = _mm512_setzero_pd(), r = q;
        for (int64_t i = 0; i < n; i++) {
            const __m512d a = _mm512_loadu_pd(block + i * stride + c), d = _mm512_sub_pd(a, mean);
            q = _mm512_add_pd(q, _mm512_mul_pd(d, d));
            r = _mm512_add_pd(r, _mm512_mul_pd(a, a));
        }
        _mm512_storeu_pd(sums + c, s); _mm512_storeu_pd(squares + c, q); _mm512_storeu_pd(raw + c, r);
    }
    return c;
}

/// Swift's `SlicePreparation.write` (standardised, jittered) for every column c < m of the
/// row-major n-row block (row i at block + i·stride) whose `varies[c]`, into out[c·n + i]:
/// (v − mean[c]) · scale[c] + amplitude · noise, noise the `TieBreakingJitter` value at SplitMix64
/// position key[c] + (i + 1)·step, each operation rounded alone, so the same values. Eight rows
/// of a column a register (gathered down the column), 64 rows of every column at a time, so the
/// block is read from memory once and its rows then from L1. Columns that do not vary are left.
__attribute__((target("avx512f,avx512dq")))
static inline void infoplane_prepare_columns_avx512(const double *block, int64_t stride, int64_t n, int64_t m,
                                                    const double *mean, const double *scale, double amplitude,
                                                    const uint64_t *key, const _Bool *varies, double *out) {
#pragma clang fp contract(off)
    const uint64_t step = 0x9E3779B97F4A7C15ULL;
    const __m512i lanes = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i rows = _mm512_mullo_epi64(lanes, _mm512_set1_epi64(stride));
    const __m512i steps = _mm512_mullo_epi64(lanes, _mm512_set1_epi64((int64_t)step));
    const __m512i advance = _mm512_set1_epi64((int64_t)(8 * step));
    const __m512i c1 = _mm512_set1_epi64((int64_t)0xBF58476D1CE4E5B9ULL), c2 = _mm512_set1_epi64((int64_t)0x94D049BB133111EBULL);
    const __m512i one = _mm512_set1_epi64(0x3FF0000000000000LL);
    const __m512d half = _mm512_set1_pd(1.5), width = _mm512_set1_pd(3.4641016151377544), amp = _mm512_set1_pd(amplitude);
    for (int64_t start = 0; start < n; start += 64) {
        const int64_t count = n - start < 64 ? n - start : 64;
        for (int64_t c = 0; c < m; c++) {
            if (!varies[c]) continue;
            const double *source = block + start * stride + c;
            double *target = out + c * n + start;
            const double mu = mean[c], sc = scale[c];
            const __m512d mus = _mm512_set1_pd(mu), scs = _mm512_set1_pd(sc);
            uint64_t first = key[c] + (uint64_t)(start + 1) * step;
            __m512i state = _mm512_add_epi64(_mm512_set1_epi64((int64_t)first), steps);
            int64_t i = 0;
            for (; i + 8 <= count; i += 8) {
                const __m512d v = _mm512_i64gather_pd(rows, source + i * stride, 8);
                __m512i z = state;
                z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), c1);
                z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), c2);
                z = _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
                const __m512d unit = _mm512_castsi512_pd(_mm512_or_si512(_mm512_srli_epi64(z, 12), one));
                const __m512d noise = _mm512_mul_pd(_mm512_sub_pd(unit, half), width);
                _mm512_storeu_pd(target + i, _mm512_add_pd(_mm512_mul_pd(_mm512_sub_pd(v, mus), scs), _mm512_mul_pd(amp, noise)));
                state = _mm512_add_epi64(state, advance);
            }
            for (uint64_t position = first + (uint64_t)i * step; i < count; i++, position += step) {
                uint64_t z = position;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
                z ^= z >> 31;
                union { uint64_t bits; double value; } unit = { (z >> 12) | 0x3FF0000000000000ULL };
                const double standardized = (source[i * stride] - mu) * sc, noise = (unit.value - 1.5) * 3.4641016151377544;
                const double jitter = amplitude * noise;
                target[i] = standardized + jitter;
            }
        }
    }
}

/// For each entry t < `members` of the ascending class run `run` (padded with at least k entries
/// of −∞ before and +∞ after, members > k), the distance to its k-th nearest other entry, into
/// radius[position[t]]: the smallest over windows j = t − k … t of max(v − run[j], run[j + k] − v),
/// as Swift's `kthNeighbourDistance` (KSGSearch.swift) takes it, four windows a compare. Minima
/// and maxima of the same differences, so the same distance (a zero may differ in sign, which
/// no reader tells apart: a radius counts only where it is above zero).
__attribute__((target("avx2")))
static inline void infoplane_class_kth_distances_avx2(const double *run, const int32_t *position, int64_t members,
                                                      int64_t k, double *radius) {
    for (int64_t t = 0; t < members; t++) {
        const double v = run[t];
        const __m256d vs = _mm256_set1_pd(v);
        __m256d wide = _mm256_set1_pd(__builtin_inf());
        int64_t j = t - k;
        for (; j + 3 <= t; j += 4)
            wide = _mm256_min_pd(wide, _mm256_max_pd(_mm256_sub_pd(vs, _mm256_loadu_pd(run + j)),
                                                     _mm256_sub_pd(_mm256_loadu_pd(run + j + k), vs)));
        __m128d pair = _mm_min_pd(_mm256_castpd256_pd128(wide), _mm256_extractf128_pd(wide, 1));
        if (j + 1 <= t) {
            const __m128d vp = _mm256_castpd256_pd128(vs);
            pair = _mm_min_pd(pair, _mm_max_pd(_mm_sub_pd(vp, _mm_loadu_pd(run + j)), _mm_sub_pd(_mm_loadu_pd(run + j + k), vp)));
            j += 2;
        }
        double distance = _mm_cvtsd_f64(_mm_min_sd(pair, _mm_unpackhi_pd(pair, pair)));
        if (j == t) {
            const double window = (v - run[t]) > (run[t + k] - v) ? (v - run[t]) : (run[t + k] - v);
            distance = distance < window ? distance : window;
        }
        radius[position[t]] = distance;
    }
}
/// `infoplane_class_kth_distances_avx2` eight entries at a time, one per lane, each window
/// offset a compare for all eight (so no per-entry reduction): the same minima and maxima of the
/// same differences. A last group of fewer than eight loads only its entries' lanes (masked
/// loads), so nothing beyond the run's padding is read.
__attribute__((target("avx512f")))
static inline void infoplane_class_kth_distances_avx512(const double *run, const int32_t *position, int64_t members,
                                                        int64_t k, double *radius) {
    for (int64_t t = 0; t < members; t += 8) {
        const int64_t lanes = members - t < 8 ? members - t : 8;
        const __mmask8 valid = (__mmask8)((1u << lanes) - 1);
        const __m512d v = _mm512_maskz_loadu_pd(valid, run + t);
        __m512d best = _mm512_set1_pd(__builtin_inf());
        for (int64_t o = 0; o <= k; o++) {
            const __m512d low = _mm512_maskz_loadu_pd(valid, run + t - k + o), high = _mm512_maskz_loadu_pd(valid, run + t + o);
            best = _mm512_min_pd(best, _mm512_max_pd(_mm512_sub_pd(v, low), _mm512_sub_pd(high, v)));
        }
        double out[8];
        _mm512_storeu_pd(out, best);
        for (int64_t j = 0; j < lanes; j++) radius[position[t + j]] = out[j];
    }
}
#else
static inline int infoplane_has_avx2(void) { return 0; }
static inline int infoplane_has_avx512(void) { return 0; }
static inline int infoplane_has_avx2_fma(void) { return 0; }
static inline void infoplane_bucketed_counts_avx2(const double *a, const int32_t *start, double lowest, double scale,
                                                  double top, int64_t shift, const double *radius, int64_t first,
                                                  int64_t n, int32_t *counts) {
    (void)a; (void)start; (void)lowest; (void)scale; (void)top; (void)shift; (void)radius; (void)first; (void)n;
    (void)counts;
}
static inline void infoplane_bucketed_counts_avx512(const double *a, const int32_t *start, double lowest, double scale,
                                                    double top, int64_t shift, const double *radius, int64_t first,
                                                    int64_t n, int32_t *counts) {
    (void)a; (void)start; (void)lowest; (void)scale; (void)top; (void)shift; (void)radius; (void)first; (void)n;
    (void)counts;
}
static inline void infoplane_window_walk_avx2(const double *wx, const double *wy, int64_t lowest, int64_t highest,
                                              const double *points, const int32_t *slots, int64_t m, int64_t k,
                                              int64_t warm_up, double *lists, int64_t stride) {
    (void)wx; (void)wy; (void)lowest; (void)highest; (void)points; (void)slots; (void)m; (void)k; (void)warm_up;
    (void)lists; (void)stride;
}
static inline void infoplane_window_walk_avx512(const double *wx, const double *wy, int64_t lowest, int64_t highest,
                                                const double *points, const int32_t *slots, int64_t m, int64_t k,
                                                int64_t warm_up, double *lists, int64_t stride) {
    (void)wx; (void)wy; (void)lowest; (void)highest; (void)points; (void)slots; (void)m; (void)k; (void)warm_up;
    (void)lists; (void)stride;
}
static inline int64_t infoplane_column_moments_avx512(const double *block, int64_t stride, int64_t n, int64_t m,
                                                      double *sums, double *squares, double *raw) {
    (void)block; (void)stride; (void)n; (void)m; (void)sums; (void)squares; (void)raw;
    return 0;
}
static inline void infoplane_prepare_columns_avx512(const double *block, int64_t stride, int64_t n, int64_t m,
                                                    const double *mean, const double *scale, double amplitude,
                                                    const uint64_t *key, const _Bool *varies, double *out) {
    (void)block; (void)stride; (void)n; (void)m; (void)mean; (void)scale; (void)amplitude; (void)key; (void)varies;
    (void)out;
}
static inline void infoplane_class_kth_distances_avx512(const double *run, const int32_t *position, int64_t members,
                                                        int64_t k, double *radius) {
    (void)run; (void)position; (void)members; (void)k; (void)radius;
}
static inline void infoplane_class_kth_distances_avx2(const double *run, const int32_t *position, int64_t members,
                                                      int64_t k, double *radius) {
    (void)run; (void)position; (void)members; (void)k; (void)radius;
}
#endif

#endif
