import CHDF5

extension HDF5Group {
    /// Reads the block `rows` × `columns` of the 2-D dataset `name` into `buffer`, row-major
    /// (`rows.count · columns.count` values), converting as ``read(_:as:)`` does, or from any
    /// stored number type when `converting` (as ``readConverting(_:as:)``). Memory the caller
    /// owns (a node's shared window, a slice of a larger matrix) is filled in place: no array is
    /// made, so a conv-scale layer is read with no second copy. A dataset of more than two
    /// dimensions (a conv map n × C × H × W) is read as rows of its trailing dimensions
    /// flattened, whole rows only.
    public func readBlock<T: HDF5Scalar>(_ name: String, rows: Range<Int>, columns: Range<Int>,
                                         into buffer: UnsafeMutableBufferPointer<T>, converting: Bool = false) throws {
        try withIDs { ids in
            let open = try openDataset(ids, name, forWriting: false)
            if converting {
                guard open.type.isNumeric else {
                    throw StorageError(.typeMismatch, "\(open.display) holds \(open.type.description) values, expected numbers")
                }
            } else {
                try requireReadable(T.self, from: open)
            }
            let fileSpace = try ids.space(H5Dget_space(open.id), "cannot read \(open.display)")
            let shape = try extent(of: fileSpace).shape
            guard shape.count >= 2 else {
                throw StorageError(.shapeMismatch, "cannot read a block of \(open.display): it has shape \(shape), not rows × columns")
            }
            let width = shape.dropFirst().reduce(1, *)
            guard rows.lowerBound >= 0, rows.upperBound <= shape[0], columns.lowerBound >= 0, columns.upperBound <= width,
                  shape.count == 2 || columns == 0..<width else {
                throw StorageError(.shapeMismatch, "rows \(rows.lowerBound)..<\(rows.upperBound), columns \(columns.lowerBound)..<\(columns.upperBound) "
                                   + "are outside \(open.display), which is \(shape.map(String.init).joined(separator: " × "))")
            }
            let count = [rows.count, columns.count]
            guard buffer.count == count[0] * count[1] else {
                throw StorageError(.invalidArgument, "a buffer of \(buffer.count) values cannot hold \(count[0]) × \(count[1]) of \(open.display)")
            }
            guard !buffer.isEmpty else { return }
            // Whole trailing dimensions for a map; the column range itself for a matrix.
            let start = shape.count == 2 ? [rows.lowerBound, columns.lowerBound] : [rows.lowerBound] + Array(repeating: 0, count: shape.count - 1)
            let selected = shape.count == 2 ? count : [rows.count] + shape.dropFirst()
            try check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, hsizes(start), nil, hsizes(selected), nil),
                      "cannot select a block of \(open.display)")
            let memorySpace = try ids.space(H5Screate_simple(2, hsizes(count), nil), "cannot create a dataspace for \(open.display)")
            try check(H5Dread(open.id, T.elementType.nativeType, memorySpace, fileSpace, infoplane_h5p_default(), buffer.baseAddress),
                      "cannot read \(open.display)")
        }
    }
}
