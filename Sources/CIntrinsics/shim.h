#ifndef INFOPLANE_CINTRINSICS_SHIM_H
#define INFOPLANE_CINTRINSICS_SHIM_H
// Kernels Swift cannot express: code for an instruction set beyond the build's baseline
// (x86-64, SSE2), compiled for it by a target attribute and called only after the processor
// was checked at run time. Each computes exactly what its portable Swift counterpart does.
#include <stdint.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/// Whether this processor and its OS run AVX2 and POPCNT code (CPUID leaves 1 and 7, and the
/// YMM state enabled in XCR0).
static inline int infoplane_has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX) || !(c & bit_POPCNT)) return 0;
    unsigned low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    if ((low & 6) != 6) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & bit_AVX2) != 0;
}

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
#else
static inline int infoplane_has_avx2(void) { return 0; }
static inline void infoplane_bucketed_counts_avx2(const double *a, const int32_t *start, double lowest, double scale,
                                                  double top, int64_t shift, const double *radius, int64_t first,
                                                  int64_t n, int32_t *counts) {
    (void)a; (void)start; (void)lowest; (void)scale; (void)top; (void)shift; (void)radius; (void)first; (void)n;
    (void)counts;
}
#endif

#endif
