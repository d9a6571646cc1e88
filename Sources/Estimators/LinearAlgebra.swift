import Support
import COpenBLAS

/// The two LAPACK routines the estimators need, from OpenBLAS (declared in the COpenBLAS shim):
/// a few top eigenpairs of a symmetric matrix and the minimum-norm solution of an
/// underdetermined system. Nothing here solves anything by hand.
enum LinearAlgebra {
    /// The `count` largest eigenvalues of the symmetric d × d matrix `matrix` (both triangles
    /// filled, so row- and column-major agree) in descending order, with their unit eigenvectors
    /// as the columns of a d × count row-major matrix. LAPACK `dsyevr` (relatively robust
    /// representations) with RANGE = 'I', so only the wanted eigenvectors are computed.
    /// - Throws: ``InfoPlaneError`` if LAPACK reports a failure.
    static func topEigenpairs(of matrix: [Double], dimension d: Int, count: Int) throws -> (values: [Double], vectors: [Double]) {
        precondition(d >= 1 && count >= 1 && count <= d && matrix.count == d * d)
        var a = matrix
        var found: blasint = 0
        var w = [Double](repeating: 0, count: d)
        var z = [Double](repeating: 0, count: d * count)
        var isuppz = [blasint](repeating: 0, count: 2 * count)
        let il = blasint(d - count + 1), iu = blasint(d)
        // Workspace query, then the decomposition.
        var workSize = 0.0
        var iworkSize: blasint = 0
        var info = infoplane_dsyevr(blasint(d), &a, blasint(d), il, iu, &found, &w, &z, blasint(d), &isuppz,
                                    &workSize, -1, &iworkSize, -1)
        guard info == 0 else { throw InfoPlaneError("LAPACK dsyevr workspace query failed (INFO = \(info))") }
        var work = [Double](repeating: 0, count: max(1, Int(workSize)))
        var iwork = [blasint](repeating: 0, count: max(1, Int(iworkSize)))
        info = infoplane_dsyevr(blasint(d), &a, blasint(d), il, iu, &found, &w, &z, blasint(d), &isuppz,
                                &work, blasint(work.count), &iwork, blasint(iwork.count))
        guard info == 0, Int(found) == count else {
            throw InfoPlaneError("LAPACK dsyevr failed on a \(d) × \(d) covariance (INFO = \(info)); check the data for NaN or Inf")
        }
        // LAPACK returns ascending eigenvalues and column-major vectors; reverse both.
        var values = [Double](repeating: 0, count: count)
        var vectors = [Double](repeating: 0, count: d * count)
        for c in 0..<count {
            let source = count - 1 - c
            values[c] = w[source]
            for i in 0..<d { vectors[i * count + c] = z[source * d + i] }
        }
        return (values, vectors)
    }

    /// The minimum-Euclidean-norm x with A·x = b for a `rows × columns` matrix A (row-major),
    /// rows ≤ columns, by the SVD (LAPACK `dgelsd`, the routine behind numpy's `lstsq`). Returns
    /// nil when A is numerically rank-deficient — a singular value below `rcond` times the
    /// largest, i.e. a condition number above 1/rcond — or LAPACK fails.
    static func minimumNormSolution(_ matrix: [Double], rows m: Int, columns n: Int, rightHandSide b: [Double],
                                    rcond: Double) -> [Double]? {
        precondition(m >= 1 && m <= n && matrix.count == m * n && b.count == m)
        // Column-major copy; the right-hand side needs room for the n-long solution.
        var a = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { a[j * m + i] = matrix[i * n + j] } }
        var x = b + [Double](repeating: 0, count: n - m)
        var singular = [Double](repeating: 0, count: m)
        var rank: blasint = 0
        var workSize = 0.0
        var iworkSize: blasint = 0
        var info = infoplane_dgelsd(blasint(m), blasint(n), 1, &a, blasint(m), &x, blasint(n), &singular, rcond, &rank,
                                    &workSize, -1, &iworkSize)
        guard info == 0 else { return nil }
        var work = [Double](repeating: 0, count: max(1, Int(workSize)))
        var iwork = [blasint](repeating: 0, count: max(1, Int(iworkSize)))
        info = infoplane_dgelsd(blasint(m), blasint(n), 1, &a, blasint(m), &x, blasint(n), &singular, rcond, &rank,
                                &work, blasint(work.count), &iwork)
        guard info == 0, Int(rank) == m else { return nil }
        return Array(x.prefix(n))
    }
}
