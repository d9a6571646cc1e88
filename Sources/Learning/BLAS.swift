import COpenBLAS

/// Thin wrappers over OpenBLAS for the few kernels the network needs.
///
/// Every call is row-major and works on memory the caller owns, so nothing is allocated per call.
/// For bit-identical results across runs keep the OpenBLAS thread count fixed
/// (`OPENBLAS_NUM_THREADS=1` is what the project measures and records with).
public enum BLAS {
    /// `C = α·op(A)·op(B) + β·C` in single precision, row-major (`cblas_sgemm`).
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n` and `C` is `m × n`. With `transposeA` the buffer `a`
    /// holds the `k × m` matrix `A` (and likewise for `b`); `lda`, `ldb`, `ldc` are the row strides
    /// of the stored matrices and default to their column counts.
    /// - Precondition: each buffer holds at least the elements its shape and stride address.
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafeBufferPointer<Float>, lda: Int? = nil,
        b: UnsafeBufferPointer<Float>, ldb: Int? = nil,
        beta: Float = 0,
        c: UnsafeMutableBufferPointer<Float>, ldc: Int? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm dimensions must be non-negative")
        let aRows = transposeA ? k : m, aColumns = transposeA ? m : k
        let bRows = transposeB ? n : k, bColumns = transposeB ? k : n
        let lda = lda ?? aColumns, ldb = ldb ?? bColumns, ldc = ldc ?? n
        precondition(lda >= aColumns && ldb >= bColumns && ldc >= n, "sgemm stride shorter than a row")
        precondition(aRows == 0 || a.count >= (aRows - 1) * lda + aColumns, "sgemm: buffer A is too small")
        precondition(bRows == 0 || b.count >= (bRows - 1) * ldb + bColumns, "sgemm: buffer B is too small")
        precondition(m == 0 || c.count >= (m - 1) * ldc + n, "sgemm: buffer C is too small")
        if m == 0 || n == 0 { return }
        guard k > 0, let aBase = a.baseAddress, let bBase = b.baseAddress else {
            // An empty inner dimension leaves C = β·C; OpenBLAS would reject the zero strides.
            scale(c, rows: m, columns: n, stride: ldc, by: beta)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k),
                    alpha, aBase, blasint(max(1, lda)),
                    bBase, blasint(max(1, ldb)),
                    beta, c.baseAddress!, blasint(max(1, ldc)))
    }

    private static func scale(_ c: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int,
                              stride: Int, by beta: Float) {
        for r in 0..<rows {
            for j in 0..<columns {
                // β = 0 must overwrite (BLAS semantics), even NaN or uninitialised values.
                c[r * stride + j] = beta == 0 ? 0 : beta * c[r * stride + j]
            }
        }
    }
}
