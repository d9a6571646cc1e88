import Support
import COpenBLAS

/// The top principal components of an n × d sample: the eigenvectors of its covariance with the
/// largest eigenvalues, for compressing a wide variable to a few dimensions before a full
/// (unsliced) estimate.
///
/// The covariance is Σ = (X − μ)ᵀ(X − μ)/(n − 1) (one `cblas_dsyrk`; numpy's `np.cov`), its top
/// eigenpairs come from LAPACK `dsyevr`. An eigenvector is defined up to sign, so each is
/// flipped to make its entry of largest magnitude positive (the first such entry on a tie):
/// the same data give the same components on every run. Within a repeated eigenvalue the
/// basis is whatever LAPACK returns, deterministic for a fixed OpenBLAS build and thread count.
///
/// Memory is a centred copy of the data (n × d) and the d × d covariance: 5 MB at d = 784, but
/// 34 GB at a conv-scale d = 65,536, where the n × n Gram matrix or a randomised SVD would be
/// needed instead.
public struct PrincipalComponents: Sendable, Equatable {
    /// The data's dimension d.
    public let dimension: Int
    /// The column means μ the data are centred by.
    public let mean: [Double]
    /// The eigenvalues of the covariance (the variance along each component), descending.
    public let variances: [Double]
    /// The components as the columns of a d × ``count`` row-major matrix, unit length.
    public let components: [Double]

    /// How many components are kept.
    public var count: Int { variances.count }

    /// The top `components` principal components of `data`; a matrix of d ≤ `components` columns
    /// keeps all d (its scores are then a rotation of the centred data).
    /// - Throws: ``InfoPlaneError`` for fewer than two rows, no columns, `components` < 1, or a
    ///   value that is not finite.
    public init(fitting data: SampleMatrix, components wanted: Int, name: String = "X") throws {
        let n = data.rows, d = data.columns
        guard wanted >= 1 else { throw InfoPlaneError("PCA needs at least 1 component, got \(wanted); choose --pca 1 or more") }
        guard d >= 1 else { throw InfoPlaneError("\(name) has no columns: nothing to project onto principal components") }
        guard n >= 2 else { throw InfoPlaneError("PCA of \(name) needs at least 2 samples for a covariance, got \(n)") }
        try data.values.withUnsafeBufferPointer { try KSGValidation.checkFinite($0, dimension: d, name: name) }
        let p = min(wanted, d)
        let mean = Self.columnMeans(data)
        var centred = Self.centre(data, by: mean)
        var covariance = [Double](repeating: 0, count: d * d)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, blasint(d), blasint(n), 1 / Double(n - 1),
                    &centred, blasint(d), 0, &covariance, blasint(d))
        // dsyrk fills the upper triangle; mirror it so the layout does not matter.
        for i in 0..<d { for j in 0..<i { covariance[i * d + j] = covariance[j * d + i] } }
        var (values, vectors) = try LinearAlgebra.topEigenpairs(of: covariance, dimension: d, count: p)
        for c in 0..<p {
            var largest = 0
            for i in 1..<d where abs(vectors[i * p + c]) > abs(vectors[largest * p + c]) { largest = i }
            if vectors[largest * p + c] < 0 { for i in 0..<d { vectors[i * p + c] = -vectors[i * p + c] } }
        }
        dimension = d
        self.mean = mean
        variances = values
        components = vectors
    }

    /// The scores (X − μ)·V of `data` (n × d, d = ``dimension``) on the components: n × ``count``.
    public func scores(_ data: SampleMatrix) -> SampleMatrix {
        precondition(data.columns == dimension, "PCA scores: data of \(data.columns) columns for components of \(dimension)")
        let centred = Self.centre(data, by: mean)
        var out = [Double](repeating: 0, count: data.rows * count)
        centred.withUnsafeBufferPointer { x in
            components.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer {
                    BlockProjection.project(data: x, n: data.rows, d: dimension, directions: v, m: count, into: $0)
                }
            }
        }
        return SampleMatrix(rows: data.rows, columns: count, values: out)
    }

    /// `data` projected onto its own top `components` principal components (n × min(components, d)).
    public static func compress(_ data: SampleMatrix, components: Int, name: String = "X") throws -> SampleMatrix {
        try PrincipalComponents(fitting: data, components: components, name: name).scores(data)
    }

    /// Column means, each summed in row order.
    static func columnMeans(_ data: SampleMatrix) -> [Double] {
        var sums = [Double](repeating: 0, count: data.columns)
        for i in 0..<data.rows { for c in 0..<data.columns { sums[c] += data.values[i * data.columns + c] } }
        return sums.map { $0 / Double(data.rows) }
    }

    /// `data` with `mean` subtracted from every row.
    static func centre(_ data: SampleMatrix, by mean: [Double]) -> [Double] {
        var out = data.values
        for i in 0..<data.rows { for c in 0..<data.columns { out[i * data.columns + c] -= mean[c] } }
        return out
    }
}
