/// Unsliced ("full") mutual information with the same preparation of each column.
extension SlicedMutualInformation {
    /// I(X;Y) by KSG in the full dimensions. Columns are prepared one by one; constant columns
    /// carry no information and are dropped (all constant: 0).
    public func fullInformation(x: SampleMatrix, y: SampleMatrix) -> Double {
        guard let a = preparedColumns(x, purpose: "full.x"), let b = preparedColumns(y, purpose: "full.y") else { return 0 }
        return a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                KSGEstimator(k: k).mutualInformation(x: pa, dx: a.columns, y: pb, dy: b.columns)
            }
        }
    }

    /// I(T;Y) for discrete labels in the full dimensions of T.
    public func fullLabelInformation(t: SampleMatrix, labels: [Int32], estimator: DiscreteEstimator = .ross) -> Double {
        guard let a = preparedColumns(t, purpose: "full.t") else { return 0 }
        return a.values.withUnsafeBufferPointer { pa in
            labels.withUnsafeBufferPointer { y in
                switch estimator {
                case .ross: return MixedKSGEstimator(k: k).mutualInformation(x: pa, dx: a.columns, labels: y)
                case .entropyDifference: return EntropyDifferenceEstimator(k: k).mutualInformation(x: pa, dx: a.columns, labels: y)
                }
            }
        }
    }

    /// The matrix with each column prepared and constant columns removed; nil if none is left.
    func preparedColumns(_ matrix: SampleMatrix, purpose: String) -> SampleMatrix? {
        let n = matrix.rows
        var kept: [[Double]] = []
        var column = [Double](repeating: 0, count: n)
        for c in 0..<matrix.columns {
            for i in 0..<n { column[i] = matrix.values[i * matrix.columns + c] }
            if column.withUnsafeMutableBufferPointer({ preparation.prepare($0, identity: [c], purpose: purpose) }) {
                kept.append(column)
            }
        }
        guard !kept.isEmpty else { return nil }
        var values = [Double](repeating: 0, count: n * kept.count)
        for (c, col) in kept.enumerated() { for i in 0..<n { values[i * kept.count + c] = col[i] } }
        return SampleMatrix(rows: n, columns: kept.count, values: values)
    }
}
