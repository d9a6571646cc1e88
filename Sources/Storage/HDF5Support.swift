import CHDF5
import Foundation

/// Process-wide HDF5 state.
///
/// HDF5 is thread-safe only when built so (Debian's is; many builds are not), so every call into
/// the library from this module runs under one recursive lock (recursive because public
/// operations call one another, and `deinit` may close a file during another operation).
enum HDF5Library {
    private static let lock = NSRecursiveLock()

    /// Runs `body` holding the library lock.
    @discardableResult
    static func run<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        _ = noCleanupAtExit
        // Thread-safe builds keep the error-printing switch per thread, so set it on every entry
        // (it is cheap); this layer reports errors itself.
        infoplane_h5_silence_errors()
        return try body()
    }

    /// HDF5's exit handler closes every file still open, and after a failed write (a full
    /// disk) that file's half-torn state makes it dereference a null pointer: the process died
    /// with SIGSEGV (exit 139) right after printing its one-line error. Our files are closed
    /// explicitly when complete, and an abandoned one is a temporary that is deleted anyway, so
    /// the handler is turned off before the library's first use.
    private static let noCleanupAtExit: Void = { _ = H5dont_atexit() }()

    /// The innermost description on HDF5's error stack, e.g. "unable to lock file, errno = 11".
    ///
    /// Must be called right after the failing call: the next API call clears the stack.
    static func lastErrorDetail() -> String {
        final class Box { var detail: String? }
        let box = Box()
        _ = withExtendedLifetime(box) {
            H5Ewalk2(infoplane_h5e_default(), H5E_WALK_UPWARD, { _, error, data in
                guard let error, let data, let text = error.pointee.desc else { return 0 }
                let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
                let detail = String(cString: text)
                if box.detail == nil, !detail.isEmpty { box.detail = detail }
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        return box.detail ?? "unknown HDF5 error"
    }
}

/// Checks an HDF5 id or status: negative means failure, reported as `message` plus HDF5's detail.
@discardableResult
func check<T: BinaryInteger>(_ result: T, _ message: @autoclosure () -> String) throws -> T {
    if result < 0 {
        let detail = HDF5Library.lastErrorDetail()
        throw StorageError(.library, "\(message()) (HDF5: \(detail))")
    }
    return result
}

/// Closes ids in reverse order of registration when the scope ends.
///
/// Every id opened inside an operation goes into one `IDs` so no failure path can leak it; a
/// class (rather than `defer` per id) keeps the call sites short.
final class IDs {
    private var entries: [(hid_t, (hid_t) -> herr_t)] = []

    /// Registers `id` (after checking it) to be closed with `close`.
    @discardableResult
    func keep(_ id: hid_t, _ close: @escaping (hid_t) -> herr_t,
              _ message: @autoclosure () -> String) throws -> hid_t {
        try check(id, message())
        entries.append((id, close))
        return id
    }

    @discardableResult
    func space(_ id: hid_t, _ message: @autoclosure () -> String) throws -> hid_t {
        try keep(id, H5Sclose, message())
    }

    @discardableResult
    func type(_ id: hid_t, _ message: @autoclosure () -> String) throws -> hid_t {
        try keep(id, H5Tclose, message())
    }

    @discardableResult
    func plist(_ id: hid_t, _ message: @autoclosure () -> String) throws -> hid_t {
        try keep(id, H5Pclose, message())
    }

    @discardableResult
    func dataset(_ id: hid_t, _ message: @autoclosure () -> String) throws -> hid_t {
        try keep(id, H5Dclose, message())
    }

    @discardableResult
    func attribute(_ id: hid_t, _ message: @autoclosure () -> String) throws -> hid_t {
        try keep(id, H5Aclose, message())
    }

    @discardableResult
    func group(_ id: hid_t, _ message: @autoclosure () -> String) throws -> hid_t {
        try keep(id, H5Gclose, message())
    }

    @discardableResult
    func object(_ id: hid_t, _ message: @autoclosure () -> String) throws -> hid_t {
        try keep(id, H5Oclose, message())
    }

    deinit {
        for (id, close) in entries.reversed() { _ = close(id) }
    }
}

/// Runs `body` under the library lock with an `IDs` that closes everything `body` opened.
func withIDs<R>(_ body: (IDs) throws -> R) throws -> R {
    try HDF5Library.run {
        let ids = IDs()
        return try withExtendedLifetime(ids) { try body(ids) }
    }
}

// MARK: - Paths

/// HDF5 object paths: absolute ("/a/b") inside the library, relative ("a/b") in messages.
enum ObjectPath {
    /// `name` resolved against the group at `base`; a leading "/" makes `name` absolute.
    static func resolve(_ name: String, in base: String) throws -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.isEmpty else {
            throw StorageError(.invalidArgument, "'\(name)' is not a usable HDF5 object name")
        }
        let prefix = name.hasPrefix("/") ? [] : components(base)
        return "/" + (prefix + parts).joined(separator: "/")
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }

    /// The form used in messages: "evaluation/inputs", or "/" for the root group.
    static func display(_ path: String) -> String {
        let trimmed = components(path).joined(separator: "/")
        return trimmed.isEmpty ? "/" : trimmed
    }

    static func parent(_ path: String) -> String {
        "/" + components(path).dropLast().joined(separator: "/")
    }

    static func lastComponent(_ path: String) -> String {
        components(path).last ?? "/"
    }
}

// MARK: - Types

/// What an HDF5 datatype is, as far as conversion decisions need to know.
struct TypeSummary {
    var typeClass: H5T_class_t
    var size: Int
    var isSigned: Bool
    /// "float32", "int64", "uint8", "string", "string[12]", "enum(int8)", "compound", …
    var description: String

    init(_ type: hid_t) {
        typeClass = H5Tget_class(type)
        size = H5Tget_size(type)
        isSigned = typeClass == H5T_INTEGER && H5Tget_sign(type) != H5T_SGN_NONE
        switch typeClass {
        case H5T_INTEGER: description = "\(isSigned ? "int" : "uint")\(size * 8)"
        case H5T_FLOAT: description = "float\(size * 8)"
        case H5T_STRING: description = H5Tis_variable_str(type) > 0 ? "string" : "string[\(size)]"
        case H5T_ENUM:
            let base = H5Tget_super(type)
            if base >= 0 {
                description = "enum(\(TypeSummary(base).description))"
                H5Tclose(base)
            } else {
                description = "enum"
            }
        case H5T_COMPOUND: description = "compound"
        case H5T_ARRAY: description = "array"
        case H5T_VLEN: description = "vlen"
        case H5T_OPAQUE: description = "opaque"
        case H5T_REFERENCE: description = "reference"
        case H5T_BITFIELD: description = "bitfield\(size * 8)"
        case H5T_TIME: description = "time"
        default: description = "unknown type"
        }
    }

    init(_ element: HDF5ElementType) {
        typeClass = element.isFloatingPoint ? H5T_FLOAT : H5T_INTEGER
        size = element.byteCount
        isSigned = element == .int32 || element == .int64
        description = element.description
    }

    var isNumeric: Bool { typeClass == H5T_INTEGER || typeClass == H5T_FLOAT }

    /// Whether every value of `self` converts exactly to `target`. Integer↔float is refused on
    /// purpose: a class change almost always means the wrong dataset was named.
    func convertsLosslessly(to target: TypeSummary) -> Bool {
        guard isNumeric, typeClass == target.typeClass else { return false }
        if typeClass == H5T_FLOAT { return target.size >= size }
        switch (isSigned, target.isSigned) {
        case (true, true), (false, false): return target.size >= size
        case (false, true): return target.size > size
        case (true, false): return false
        }
    }

    /// The matching element type of this layer, if any (byte order does not matter).
    var elementType: HDF5ElementType? {
        HDF5ElementType.allCases.first { element in
            let summary = TypeSummary(element)
            return summary.typeClass == typeClass && summary.size == size && summary.isSigned == isSigned
        }
    }
}

// MARK: - Small helpers

func hsizes(_ values: [Int]) -> [hsize_t] { values.map { hsize_t($0) } }

/// Shape and maximum shape of a dataspace; `nil` in `maxShape` means unlimited.
func extent(of space: hid_t) throws -> (shape: [Int], maxShape: [Int?]) {
    let rank = Int(try check(H5Sget_simple_extent_ndims(space), "cannot read a dataspace's rank"))
    guard rank > 0 else { return ([], []) }
    var dims = [hsize_t](repeating: 0, count: rank)
    var maxDims = [hsize_t](repeating: 0, count: rank)
    try check(H5Sget_simple_extent_dims(space, &dims, &maxDims), "cannot read a dataspace's shape")
    let unlimited = infoplane_h5s_unlimited()
    return (dims.map { Int($0) }, maxDims.map { $0 == unlimited ? nil : Int($0) })
}

/// "a, b, c" limited to `limit` names, so errors about huge groups stay one line.
func listNames(_ names: [String], limit: Int = 20) -> String {
    guard names.count > limit else { return names.joined(separator: ", ") }
    return names.prefix(limit).joined(separator: ", ") + ", … (\(names.count - limit) more)"
}

/// The system's text for `code`, lowercased as it reads inside a sentence.
func errnoText(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
}
