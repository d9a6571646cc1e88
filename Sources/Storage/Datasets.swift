import CHDF5

/// The element types this layer writes, stored as little-endian IEEE floats and standard
/// integers so every HDF5 reader (h5py, h5dump) sees plain numeric types.
public enum HDF5ElementType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// IEEE 754 binary32 (`Float`).
    case float32
    /// IEEE 754 binary64 (`Double`).
    case float64
    /// Signed 32-bit integer (`Int32`).
    case int32
    /// Signed 64-bit integer (`Int64`).
    case int64
    /// Unsigned 8-bit integer (`UInt8`).
    case uint8

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8: return 1
        }
    }

    /// Whether the type is a floating-point type.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The name used in messages and listings, e.g. "float32".
    public var description: String { rawValue }

    /// The in-memory type HDF5 converts to and from.
    var nativeType: hid_t {
        switch self {
        case .float32: return infoplane_h5t_native_float()
        case .float64: return infoplane_h5t_native_double()
        case .int32: return infoplane_h5t_native_int32()
        case .int64: return infoplane_h5t_native_int64()
        case .uint8: return infoplane_h5t_native_uint8()
        }
    }

    /// The type written to files (explicitly little-endian, whatever the machine).
    var fileType: hid_t {
        switch self {
        case .float32: return infoplane_h5t_ieee_f32le()
        case .float64: return infoplane_h5t_ieee_f64le()
        case .int32: return infoplane_h5t_std_i32le()
        case .int64: return infoplane_h5t_std_i64le()
        case .uint8: return infoplane_h5t_std_u8le()
        }
    }
}

/// A Swift type whose arrays can be stored as HDF5 datasets: `Float`, `Double`, `Int32`,
/// `Int64` and `UInt8`. Other types must not conform — the layout must match ``elementType``.
public protocol HDF5Scalar: BitwiseCopyable, Sendable, Equatable {
    /// The stored element type matching this Swift type's memory layout.
    static var elementType: HDF5ElementType { get }
}

extension Float: HDF5Scalar {
    /// `float32`.
    public static var elementType: HDF5ElementType { .float32 }
}

extension Double: HDF5Scalar {
    /// `float64`.
    public static var elementType: HDF5ElementType { .float64 }
}

extension Int32: HDF5Scalar {
    /// `int32`.
    public static var elementType: HDF5ElementType { .int32 }
}

extension Int64: HDF5Scalar {
    /// `int64`.
    public static var elementType: HDF5ElementType { .int64 }
}

extension UInt8: HDF5Scalar {
    /// `uint8`.
    public static var elementType: HDF5ElementType { .uint8 }
}

/// What a dataset holds, without reading its values.
public struct DatasetInfo: Sendable, Equatable {
    /// The dataset's absolute path.
    public let path: String
    /// Current extent; empty for a scalar dataset.
    public let shape: [Int]
    /// Maximum extent; `nil` marks an unlimited (extendible) axis.
    public let maxShape: [Int?]
    /// The stored type as a short name: "float32", "int64", "uint8", "string", "string[8]", ….
    public let elementType: String
    /// The stored type as one of this layer's element types, if it is one (any byte order).
    public let scalarType: HDF5ElementType?
    /// Chunk extent when the dataset is chunked.
    public let chunkShape: [Int]?
    /// Names of the filters applied to chunks, e.g. ["deflate"].
    public let filters: [String]

    /// Number of elements (1 for a scalar dataset).
    public var count: Int { shape.reduce(1, *) }

    /// Whether the stored type is an integer or floating-point number of any width (what
    /// ``HDF5Group/readConverting(_:as:)`` reads).
    public var isNumeric: Bool { ["int", "uint", "float"].contains { elementType.hasPrefix($0) } }
}

/// A dataset in an open file, addressed by path; carries attributes and reads its values.
public struct HDF5Dataset: HDF5Object {
    /// The file the dataset lives in.
    public let file: HDF5File
    /// The dataset's absolute path.
    public let path: String

    /// Shape, type and layout of the dataset.
    public func info() throws -> DatasetInfo { try file.root.datasetInfo(path) }

    /// All values (row-major) and the shape; see ``HDF5Group/read(_:as:)``.
    public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws -> (values: [T], shape: [Int]) {
        try file.root.read(path, as: type)
    }

    /// The values of rows `rows` along the first axis; see ``HDF5Group/readRows(_:rows:as:)``.
    public func readRows<T: HDF5Scalar>(_ rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
        try file.root.readRows(path, rows: rows, as: type)
    }
}

/// Chunks of about this many bytes balance compression ratio against partial-read cost.
private let targetChunkBytes = 1 << 20

extension HDF5Group {
    /// The existing dataset `name`; an error lists what exists instead.
    public func dataset(_ name: String) throws -> HDF5Dataset {
        try withIDs { _ in
            let target = try ObjectPath.resolve(name, in: path)
            try requireKind(.dataset, at: target, fid: try file.id(), in: file)
            return HDF5Dataset(file: file, path: target)
        }
    }

    /// Creates dataset `name` (and any missing parent groups) holding `values` in row-major order.
    ///
    /// - Parameters:
    ///   - shape: The extent; `nil` means one-dimensional, `[]` a scalar (one value).
    ///   - chunked: Store in chunks of about 1 MiB along the first axis (needed for compression).
    ///   - compressionLevel: Deflate level 0–9; implies `chunked`. Ignored, like `chunked`, for
    ///     scalars and empty shapes, which HDF5 cannot chunk.
    ///   - shuffle: Byte-shuffle before deflate (groups the bytes of equal significance, which
    ///     compresses floats far better); only with `compressionLevel`.
    public func write<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int]? = nil,
                                     chunked: Bool = false, compressionLevel: Int? = nil, shuffle: Bool = false) throws {
        let shape = shape ?? [values.count]
        try withIDs { ids in
            let fid = try file.id(forWriting: true)
            let target = try ObjectPath.resolve(name, in: path)
            let display = "dataset '\(ObjectPath.display(target))' in \(file.displayName)"
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw StorageError(.invalidArgument, "cannot write \(display): shape \(shape) has a negative extent")
            }
            guard shape.reduce(1, *) == values.count else {
                throw StorageError(.shapeMismatch, "cannot write \(display): shape \(shape) holds "
                                   + "\(shape.reduce(1, *)) values, got \(values.count)")
            }
            if let kind = objectKind(at: target, fid: fid) {
                throw StorageError(.alreadyExists, "cannot write \(display): a \(kindName(kind)) of that "
                                   + "name exists — remove it first, or use overwrite for the same shape")
            }
            let space = try ids.space(shape.isEmpty ? H5Screate(H5S_SCALAR)
                                                    : H5Screate_simple(Int32(shape.count), hsizes(shape), nil),
                                      "cannot create a dataspace for \(display)")
            let dcpl = try ids.plist(H5Pcreate(infoplane_h5p_dataset_create()),
                                     "cannot create dataset properties for \(display)")
            if chunked || compressionLevel != nil, !shape.isEmpty, !shape.contains(0) {
                let rowBytes = shape.dropFirst().reduce(T.elementType.byteCount, *)
                var chunk = shape
                chunk[0] = max(1, min(shape[0], targetChunkBytes / max(rowBytes, 1)))
                try configureChunks(dcpl, chunk: chunk, compressionLevel: compressionLevel, shuffle: shuffle, display: display)
            }
            try createAndWrite(ids, fid: fid, target: target, display: display, space: space, dcpl: dcpl,
                               values: values)
        }
    }

    /// Creates an empty dataset `name` that grows along its first axis with ``append(_:_:)``:
    /// one-dimensional, or `rows × columns` when `columns` is given.
    ///
    /// - Parameters:
    ///   - chunkRows: Rows per chunk; HDF5 grows and reads extendible datasets chunk by chunk.
    ///   - compressionLevel: Deflate level 0–9, or `nil` for none.
    public func createExtendible<T: HDF5Scalar>(_ name: String, of type: T.Type, columns: Int? = nil,
                                                chunkRows: Int = 1024, compressionLevel: Int? = nil) throws {
        try withIDs { ids in
            let fid = try file.id(forWriting: true)
            let target = try ObjectPath.resolve(name, in: path)
            let display = "dataset '\(ObjectPath.display(target))' in \(file.displayName)"
            guard chunkRows > 0, (columns ?? 1) > 0 else {
                throw StorageError(.invalidArgument, "cannot create \(display): chunkRows and columns "
                                   + "must be positive (got \(chunkRows), \(columns ?? 1))")
            }
            if let kind = objectKind(at: target, fid: fid) {
                throw StorageError(.alreadyExists, "cannot create \(display): a \(kindName(kind)) of that "
                                   + "name exists — remove it first")
            }
            let unlimited = infoplane_h5s_unlimited()
            let dims: [hsize_t] = columns.map { [0, hsize_t($0)] } ?? [0]
            let maxDims: [hsize_t] = columns.map { [unlimited, hsize_t($0)] } ?? [unlimited]
            let space = try ids.space(H5Screate_simple(Int32(dims.count), dims, maxDims),
                                      "cannot create a dataspace for \(display)")
            let dcpl = try ids.plist(H5Pcreate(infoplane_h5p_dataset_create()),
                                     "cannot create dataset properties for \(display)")
            try configureChunks(dcpl, chunk: columns.map { [chunkRows, $0] } ?? [chunkRows],
                                compressionLevel: compressionLevel, display: display)
            try createAndWrite(ids, fid: fid, target: target, display: display, space: space, dcpl: dcpl,
                               values: [T]())
        }
    }

    /// Appends rows to an extendible dataset; `values.count` must be a whole number of rows.
    public func append<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
        try withIDs { ids in
            let open = try openDataset(ids, name, forWriting: true)
            try requireStorable(T.self, in: open, verb: "append")
            let (shape, maxShape) = try extent(of: ids.space(H5Dget_space(open.id), "cannot read \(open.display)"))
            guard let rows = shape.first else {
                throw StorageError(.shapeMismatch, "cannot append to \(open.display): it is a scalar")
            }
            let rowCount = shape.dropFirst().reduce(1, *)
            guard rowCount > 0, values.count % rowCount == 0 else {
                throw StorageError(.shapeMismatch, "cannot append \(values.count) values to \(open.display): "
                                   + "rows have \(rowCount) values (shape \(shape))")
            }
            let newRows = values.count / rowCount
            guard newRows > 0 else { return }
            if let limit = maxShape[0], rows + newRows > limit {
                throw StorageError(.shapeMismatch, "cannot append to \(open.display): its shape is fixed at "
                                   + "\(shape) — create it with createExtendible")
            }
            var newShape = shape
            newShape[0] += newRows
            try check(H5Dset_extent(open.id, hsizes(newShape)), "cannot extend \(open.display)")
            do {
                try writeRows(ids, open, values, start: rows, rowShape: Array(shape.dropFirst()))
            } catch {
                // Drop the fill-value rows the failed write would otherwise leave behind.
                _ = H5Dset_extent(open.id, hsizes(shape))
                throw error
            }
        }
    }

    /// Sets the number of rows of an extendible dataset, dropping rows past `rows` (used when
    /// resuming after a crash) or adding zero-filled rows.
    public func resize(_ name: String, rows: Int) throws {
        try withIDs { ids in
            let open = try openDataset(ids, name, forWriting: true)
            let (shape, maxShape) = try extent(of: ids.space(H5Dget_space(open.id), "cannot read \(open.display)"))
            guard !shape.isEmpty, rows >= 0 else {
                throw StorageError(.shapeMismatch, "cannot resize \(open.display) to \(rows) rows")
            }
            if let limit = maxShape[0], rows > limit {
                throw StorageError(.shapeMismatch, "cannot resize \(open.display): its shape is fixed at "
                                   + "\(shape) — create it with createExtendible")
            }
            var newShape = shape
            newShape[0] = rows
            try check(H5Dset_extent(open.id, hsizes(newShape)), "cannot resize \(open.display)")
        }
    }

    /// Rewrites all values of an existing dataset in place; the count must match its shape.
    public func overwrite<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
        try withIDs { ids in
            let open = try openDataset(ids, name, forWriting: true)
            try requireStorable(T.self, in: open, verb: "write")
            let space = try ids.space(H5Dget_space(open.id), "cannot read \(open.display)")
            let count = Int(H5Sget_simple_extent_npoints(space))
            guard count == values.count else {
                throw StorageError(.shapeMismatch, "cannot overwrite \(open.display): it has shape "
                                   + "\(try extent(of: space).shape) (\(count) values), got \(values.count)")
            }
            guard count > 0 else { return }
            _ = try values.withUnsafeBytes { buffer in
                try check(H5Dwrite(open.id, T.elementType.nativeType, infoplane_h5s_all(), infoplane_h5s_all(),
                                   infoplane_h5p_default(), buffer.baseAddress), "cannot write \(open.display)")
            }
        }
    }

    /// All values of dataset `name` in row-major order, with its shape (`[]` for a scalar).
    ///
    /// Stored values are converted only when no value can change: float32 reads as `Double`,
    /// int32 or uint8 as `Int64`, but float64 does not read as `Float`, and integers never read
    /// as floats (or the reverse) — that is an error naming both types.
    public func read<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws -> (values: [T], shape: [Int]) {
        try withIDs { ids in
            let open = try openDataset(ids, name, forWriting: false)
            try requireReadable(T.self, from: open)
            return try readWhole(open, T.self, ids)
        }
    }

    /// All values of numeric dataset `name` converted to `T` by HDF5 whatever the stored number
    /// type — float64 and float16 rounded to float32, integers to the nearest float — with the
    /// stored type's name ("float64", "int16", …) so the caller can note the conversion. For
    /// readers of other tools' files, where refusing numpy's float64 helps no one; a stored type
    /// that is not a number (strings, compounds) is an error naming it.
    public func readConverting<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws
        -> (values: [T], shape: [Int], stored: String) {
        try withIDs { ids in
            let open = try openDataset(ids, name, forWriting: false)
            guard open.type.isNumeric else {
                throw StorageError(.typeMismatch, "\(open.display) holds \(open.type.description) values, expected numbers")
            }
            let (values, shape) = try readWhole(open, T.self, ids)
            return (values, shape, open.type.description)
        }
    }

    /// The values of rows `rows` along the first axis (all other axes whole), row-major — for
    /// workers that each analyse a slice without loading the whole dataset.
    public func readRows<T: HDF5Scalar>(_ name: String, rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
        try withIDs { ids in
            let open = try openDataset(ids, name, forWriting: false)
            try requireReadable(T.self, from: open)
            let fileSpace = try ids.space(H5Dget_space(open.id), "cannot read \(open.display)")
            let shape = try extent(of: fileSpace).shape
            guard let rowTotal = shape.first else {
                throw StorageError(.shapeMismatch, "cannot read rows of \(open.display): it is a scalar")
            }
            guard rows.lowerBound >= 0, rows.upperBound <= rowTotal else {
                throw StorageError(.shapeMismatch, "rows \(rows.lowerBound)..<\(rows.upperBound) are outside "
                                   + "\(open.display), which has \(rowTotal) rows")
            }
            var count = shape
            count[0] = rows.count
            let total = count.reduce(1, *)
            guard total > 0 else { return [] }
            var start = [hsize_t](repeating: 0, count: shape.count)
            start[0] = hsize_t(rows.lowerBound)
            try check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, hsizes(count), nil),
                      "cannot select rows of \(open.display)")
            let memorySpace = try ids.space(H5Screate_simple(Int32(count.count), hsizes(count), nil),
                                            "cannot create a dataspace for \(open.display)")
            return try [T](unsafeUninitializedCapacity: total) { buffer, initialized in
                initialized = 0
                try check(H5Dread(open.id, T.elementType.nativeType, memorySpace, fileSpace,
                                  infoplane_h5p_default(), buffer.baseAddress), "cannot read \(open.display)")
                initialized = total
            }
        }
    }

    /// Shape, type and layout of dataset `name`.
    public func datasetInfo(_ name: String) throws -> DatasetInfo {
        try withIDs { ids in
            let open = try openDataset(ids, name, forWriting: false)
            let (shape, maxShape) = try extent(of: ids.space(H5Dget_space(open.id), "cannot read \(open.display)"))
            let dcpl = try ids.plist(H5Dget_create_plist(open.id), "cannot read \(open.display)")
            var chunkShape: [Int]?
            if H5Pget_layout(dcpl) == H5D_CHUNKED {
                var chunk = [hsize_t](repeating: 0, count: max(shape.count, 1))
                let rank = try check(H5Pget_chunk(dcpl, Int32(chunk.count), &chunk), "cannot read \(open.display)")
                chunkShape = chunk.prefix(Int(rank)).map { Int($0) }
            }
            var filters: [String] = []
            for index in 0..<max(0, H5Pget_nfilters(dcpl)) {
                var flags: UInt32 = 0
                var valueCount = 0
                var filterConfig: UInt32 = 0
                var name = [CChar](repeating: 0, count: 64)
                let filter = H5Pget_filter2(dcpl, UInt32(index), &flags, &valueCount, nil, name.count, &name,
                                            &filterConfig)
                let bytes = name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                filters.append(filter == infoplane_h5z_filter_deflate() ? "deflate"
                               : bytes.isEmpty ? "filter \(filter)" : String(decoding: bytes, as: UTF8.self))
            }
            return DatasetInfo(path: open.path, shape: shape, maxShape: maxShape,
                               elementType: open.type.description, scalarType: open.type.elementType,
                               chunkShape: chunkShape, filters: filters)
        }
    }

    // MARK: Internals (callers hold the library lock through withIDs)

    /// An opened dataset with what messages and type checks need.
    struct OpenDataset {
        var id: hid_t
        var path: String
        var display: String
        var type: TypeSummary
    }

    func openDataset(_ ids: IDs, _ name: String, forWriting: Bool) throws -> OpenDataset {
        let fid = try file.id(forWriting: forWriting)
        let target = try ObjectPath.resolve(name, in: path)
        try requireKind(.dataset, at: target, fid: fid, in: file)
        let display = "dataset '\(ObjectPath.display(target))' in \(file.displayName)"
        let id = try ids.dataset(H5Dopen2(fid, target, infoplane_h5p_default()), "cannot open \(display)")
        let type = try ids.type(H5Dget_type(id), "cannot read the type of \(display)")
        return OpenDataset(id: id, path: target, display: display, type: TypeSummary(type))
    }

    /// Every value of an open dataset as `T` (HDF5 converting from the stored type), with its shape.
    private func readWhole<T: HDF5Scalar>(_ open: OpenDataset, _: T.Type, _ ids: IDs) throws -> (values: [T], shape: [Int]) {
        let space = try ids.space(H5Dget_space(open.id), "cannot read \(open.display)")
        let shape = try extent(of: space).shape
        let count = Int(H5Sget_simple_extent_npoints(space))
        let values = try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            guard count > 0 else { return }
            try check(H5Dread(open.id, T.elementType.nativeType, infoplane_h5s_all(), infoplane_h5s_all(),
                              infoplane_h5p_default(), buffer.baseAddress), "cannot read \(open.display)")
            initialized = count
        }
        return (values, shape)
    }

    /// Throws unless the stored type converts to `T` without loss.
    func requireReadable<T: HDF5Scalar>(_: T.Type, from open: OpenDataset) throws {
        let wanted = TypeSummary(T.elementType)
        guard !open.type.convertsLosslessly(to: wanted) else { return }
        let lossy = open.type.isNumeric && open.type.typeClass == wanted.typeClass
        throw StorageError(.typeMismatch, "\(open.display) holds \(open.type.description) values, expected "
                           + "\(T.elementType)" + (lossy ? " (reading it as \(T.elementType) would lose "
                                                    + "precision; read it as a wider type)" : ""))
    }

    /// Throws unless `T` values fit the stored type without loss.
    private func requireStorable<T: HDF5Scalar>(_: T.Type, in open: OpenDataset, verb: String) throws {
        guard !TypeSummary(T.elementType).convertsLosslessly(to: open.type) else { return }
        throw StorageError(.typeMismatch, "cannot \(verb) \(T.elementType) values to \(open.display), which "
                           + "holds \(open.type.description)")
    }

    private func configureChunks(_ dcpl: hid_t, chunk: [Int], compressionLevel: Int?, shuffle: Bool = false,
                                 display: String) throws {
        try check(H5Pset_chunk(dcpl, Int32(chunk.count), hsizes(chunk)), "cannot set chunks for \(display)")
        guard let level = compressionLevel else { return }
        // The shuffle filter runs before deflate because it is added first.
        if shuffle { try check(H5Pset_shuffle(dcpl), "cannot set the shuffle filter for \(display)") }
        guard (0...9).contains(level) else {
            throw StorageError(.invalidArgument, "cannot create \(display): compression level \(level) "
                               + "is outside 0–9")
        }
        guard H5Zfilter_avail(H5Z_filter_t(infoplane_h5z_filter_deflate())) > 0 else {
            throw StorageError(.unsupported, "cannot compress \(display): this HDF5 library lacks deflate")
        }
        try check(H5Pset_deflate(dcpl, UInt32(level)), "cannot set compression for \(display)")
    }

    /// Creates the dataset and writes `values` over its whole extent; a dataset whose write
    /// fails is unlinked again so no half-written dataset is left under the name.
    private func createAndWrite<T: HDF5Scalar>(_ ids: IDs, fid: hid_t, target: String, display: String,
                                               space: hid_t, dcpl: hid_t, values: [T]) throws {
        let lcpl = try intermediateGroupsList(ids)
        let dataset = try ids.dataset(H5Dcreate2(fid, target, T.elementType.fileType, space, lcpl, dcpl,
                                                 infoplane_h5p_default()), "cannot create \(display)")
        guard !values.isEmpty else { return }
        let status = values.withUnsafeBytes { buffer in
            H5Dwrite(dataset, T.elementType.nativeType, infoplane_h5s_all(), infoplane_h5s_all(),
                     infoplane_h5p_default(), buffer.baseAddress)
        }
        if status < 0 {
            let detail = HDF5Library.lastErrorDetail()
            _ = H5Ldelete(fid, target, infoplane_h5p_default())
            throw StorageError(.library, "cannot write \(display) (HDF5: \(detail))")
        }
    }

    /// Writes `values` as whole rows starting at row `start`.
    private func writeRows<T: HDF5Scalar>(_ ids: IDs, _ open: OpenDataset, _ values: [T], start: Int,
                                          rowShape: [Int]) throws {
        let rows = values.count / max(rowShape.reduce(1, *), 1)
        let count = [rows] + rowShape
        var offset = [hsize_t](repeating: 0, count: count.count)
        offset[0] = hsize_t(start)
        let fileSpace = try ids.space(H5Dget_space(open.id), "cannot read \(open.display)")
        try check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, offset, nil, hsizes(count), nil),
                  "cannot select rows of \(open.display)")
        let memorySpace = try ids.space(H5Screate_simple(Int32(count.count), hsizes(count), nil),
                                        "cannot create a dataspace for \(open.display)")
        _ = try values.withUnsafeBytes { buffer in
            try check(H5Dwrite(open.id, T.elementType.nativeType, memorySpace, fileSpace, infoplane_h5p_default(),
                               buffer.baseAddress), "cannot write \(open.display)")
        }
    }
}
