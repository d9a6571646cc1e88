/// A dense row-major matrix of `Float`, the layout `cblas_sgemm` is called with throughout.
public struct Matrix: Sendable, Equatable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    /// `rows × columns` values, row after row.
    public var storage: [Float]

    /// A matrix of zeros.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: 0, count: rows * columns)
    }

    /// A matrix over existing row-major values; `storage.count` must equal `rows × columns`.
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(storage.count == rows * columns, "storage holds \(storage.count) values, not \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get { storage[row * columns + column] }
        set { storage[row * columns + column] = newValue }
    }

    /// The rows at `indices`, in that order (a minibatch or a subset).
    public func gatheringRows(_ indices: some Collection<Int>) -> Matrix {
        var result = Matrix(rows: indices.count, columns: columns)
        result.storage.withUnsafeMutableBufferPointer { out in
            storage.withUnsafeBufferPointer { src in
                var destination = 0
                for index in indices {
                    let start = index * columns
                    for c in 0..<columns { out[destination + c] = src[start + c] }
                    destination += columns
                }
            }
        }
        return result
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, columns: columns,
               storage: Array(storage[(range.lowerBound * columns)..<(range.upperBound * columns)]))
    }
}
