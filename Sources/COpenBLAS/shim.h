#ifndef INFOPLANE_COPENBLAS_SHIM_H
#define INFOPLANE_COPENBLAS_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cblas.h>
#include <dlfcn.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// LAPACK. Debian's libopenblas carries LAPACK (compiled with gfortran) and exports its Fortran
// symbols, but ships neither lapack.h nor lapacke.h, so the two routines used are declared here.
// gfortran appends each CHARACTER argument's length as a hidden size_t after the others.
void dsyevr_(const char *jobz, const char *range, const char *uplo, const blasint *n, double *a,
             const blasint *lda, const double *vl, const double *vu, const blasint *il, const blasint *iu,
             const double *abstol, blasint *m, double *w, double *z, const blasint *ldz, blasint *isuppz,
             double *work, const blasint *lwork, blasint *iwork, const blasint *liwork, blasint *info,
             size_t jobz_length, size_t range_length, size_t uplo_length);
void dgelsd_(const blasint *m, const blasint *n, const blasint *nrhs, double *a, const blasint *lda,
             double *b, const blasint *ldb, double *s, const double *rcond, blasint *rank, double *work,
             const blasint *lwork, blasint *iwork, blasint *info);

/// Eigenvalues il..iu (1-based, ascending) and eigenvectors of the symmetric column-major n × n
/// matrix `a` (its upper triangle is read and destroyed): LAPACK dsyevr with JOBZ = 'V',
/// RANGE = 'I', UPLO = 'U'. A workspace query when lwork or liwork is −1. Returns INFO.
static inline blasint infoplane_dsyevr(blasint n, double *a, blasint lda, blasint il, blasint iu,
                                       blasint *found, double *w, double *z, blasint ldz, blasint *isuppz,
                                       double *work, blasint lwork, blasint *iwork, blasint liwork) {
    const double unused = 0, abstol = 0;  // abstol 0: LAPACK's default tolerance
    blasint info = 0;
    dsyevr_("V", "I", "U", &n, a, &lda, &unused, &unused, &il, &iu, &abstol, found, w, z, &ldz, isuppz,
            work, &lwork, iwork, &liwork, &info, 1, 1, 1);
    return info;
}

/// The minimum-norm least-squares solution of the column-major m × n system a·x = b by the SVD
/// (LAPACK dgelsd): singular values below rcond times the largest count as zero. `a` is
/// overwritten, b's first n rows receive x, s the min(m, n) singular values (descending), rank
/// the effective rank. A workspace query when lwork is −1 (iwork[0] then holds its size).
/// Returns INFO.
static inline blasint infoplane_dgelsd(blasint m, blasint n, blasint nrhs, double *a, blasint lda, double *b,
                                       blasint ldb, double *s, double rcond, blasint *rank, double *work,
                                       blasint lwork, blasint *iwork) {
    blasint info = 0;
    dgelsd_(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, rank, work, &lwork, iwork, &info);
    return info;
}

// OpenBLAS's pthread server (the library's default threading) starts its worker threads when it
// loads, sized by OPENBLAS_NUM_THREADS or the cores, and a worker with no work spins on
// sched_yield for about 2^28 cycles before it sleeps: CPU time a one-threaded caller pays, and a
// core's share that `--threads` workers need. The server's own calls stop and restart them
// (blas_thread_shutdown_ is what it runs before a fork, blas_thread_init what restarts them
// lazily); looked up at run time, as builds threaded otherwise (OpenMP, none) lack them.

/// Stops OpenBLAS's worker threads, if this OpenBLAS has a pthread server (a later threaded call
/// restarts them).
static inline void infoplane_blas_stop_workers(void) {
    int (*stop)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
    if (stop) stop();
}

/// Starts OpenBLAS's worker threads again after ``infoplane_blas_stop_workers``, before the
/// thread count is raised (raising it adds workers to a running server only).
static inline void infoplane_blas_start_workers(void) {
    int (*start)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_init");
    if (start) start();
}

// A dynamic-architecture OpenBLAS (Debian's) picks its kernels for the processor when it loads,
// and reads OPENBLAS_CORETYPE then only. Its own gotoblas_dynamic_quit and gotoblas_dynamic_init
// (what its constructor runs) pick them again, which is how a kernel set is chosen after loading.

/// Makes OpenBLAS use its kernels named `core` (an OPENBLAS_CORETYPE value, e.g. "SkylakeX") as if
/// OPENBLAS_CORETYPE had named them when it loaded; 0 where this OpenBLAS has no dynamic
/// architecture (nothing changes). Only at start-up, before any BLAS call, with
/// OPENBLAS_CORETYPE unset (it is set for the call and removed again).
static inline int infoplane_blas_choose_core(const char *core) {
    void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (!quit || !init) return 0;
    setenv("OPENBLAS_CORETYPE", core, 1);
    quit();
    init();
    unsetenv("OPENBLAS_CORETYPE");
    return 1;
}

/// Widens `count` floats to doubles (exactly) for a dgemm operand that does not fit the caches:
/// with SSE2, non-temporal stores, which skip reading each destination line before writing it
/// and leave the caches to the GEMM; at conv widths (a 268 MB row block) plain stores made the
/// widening of two ranks sharing a node's memory bus several times slower. The values are the
/// same either way.
static inline void infoplane_widen(const float *source, double *destination, size_t count) {
    size_t i = 0;
#if defined(__SSE2__)
    while (i < count && ((uintptr_t)(destination + i) & 15) != 0) { destination[i] = (double)source[i]; i++; }
    for (; i + 4 <= count; i += 4) {
        __m128 four = _mm_loadu_ps(source + i);
        _mm_stream_pd(destination + i, _mm_cvtps_pd(four));
        _mm_stream_pd(destination + i + 2, _mm_cvtps_pd(_mm_movehl_ps(four, four)));
    }
    _mm_sfence();
#endif
    for (; i < count; i++) destination[i] = (double)source[i];
}

#endif
