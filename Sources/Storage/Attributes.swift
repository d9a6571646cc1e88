import CHDF5
import Foundation

/// A value stored as an HDF5 attribute.
///
/// Written as: `string` — a scalar variable-length UTF-8 string (h5py reads it as `str`);
/// `int` / `double` — a scalar int64 / float64; `ints` / `doubles` — a 1-D int64 / float64 array;
/// `strings` — a 1-D array of variable-length UTF-8 strings (h5py reads an array of `str`).
/// Attributes written by other tools are read into the nearest case: any integer or boolean
/// scalar as `int`, any float scalar as `double`, integer or float arrays (of any rank, flattened)
/// as `ints` / `doubles`, a fixed- or variable-length string scalar as `string`, and string
/// arrays (of any rank, flattened) as `strings`.
public enum AttributeValue: Equatable, Sendable, CustomStringConvertible {
    /// A text value.
    case string(String)
    /// An integer scalar.
    case int(Int64)
    /// A floating-point scalar.
    case double(Double)
    /// An array of integers.
    case ints([Int64])
    /// An array of floating-point values.
    case doubles([Double])
    /// An array of texts.
    case strings([String])

    /// The value as written in listings: strings quoted, arrays in brackets.
    public var description: String {
        switch self {
        case .string(let text): return "\"\(text)\""
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .ints(let values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
        case .doubles(let values): return "[" + values.map { String($0) }.joined(separator: ", ") + "]"
        case .strings(let texts): return "[" + texts.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }

    /// "a string", "an integer", … for type-mismatch messages.
    var kindPhrase: String {
        switch self {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a floating-point number"
        case .ints: return "an integer array"
        case .doubles: return "a floating-point array"
        case .strings: return "a string array"
        }
    }
}

/// An attribute as found in a file: a value this layer reads, or a type it does not.
enum StoredAttribute {
    case value(AttributeValue)
    /// The stored type and extent, e.g. "compound [3]".
    case unsupported(String)
}

extension HDF5Object {
    /// Sets attribute `name`, replacing any existing attribute of that name (whatever its type).
    public func setAttribute(_ name: String, _ value: AttributeValue) throws {
        try withIDs { ids in
            let (object, display) = try openObject(ids, forWriting: true)
            guard !name.isEmpty else {
                throw StorageError(.invalidArgument, "cannot set an attribute with an empty name on \(display)")
            }
            let failure = "cannot set attribute '\(name)' on \(display)"
            if try check(H5Aexists(object, name), failure) > 0 {
                try check(H5Adelete(object, name), failure)
            }
            switch value {
            case .string(let text):
                try writeStrings(ids, object, name, [text], scalar: true, failure: failure)
            case .strings(let texts):
                try writeStrings(ids, object, name, texts, scalar: false, failure: failure)
            case .int(let number):
                try writeNumbers(ids, object, name, [number], scalar: true, failure: failure)
            case .double(let number):
                try writeNumbers(ids, object, name, [number], scalar: true, failure: failure)
            case .ints(let numbers):
                try writeNumbers(ids, object, name, numbers, scalar: false, failure: failure)
            case .doubles(let numbers):
                try writeNumbers(ids, object, name, numbers, scalar: false, failure: failure)
            }
        }
    }

    /// Attribute `name`, or nil if the object has no such attribute. An attribute of a type this
    /// layer does not read (compound, string arrays, …) is an ``StorageError/Kind/unsupported`` error.
    public func attribute(_ name: String) throws -> AttributeValue? {
        switch try storedAttribute(name) {
        case nil: return nil
        case .value(let value)?: return value
        case .unsupported(let type)?:
            throw StorageError(.unsupported, "attribute '\(name)' on \(describedObject()) holds \(type), "
                               + "which this program does not read")
        }
    }

    /// Names of the object's attributes, sorted.
    public func attributeNames() throws -> [String] {
        return try withIDs { ids in
            let (object, display) = try openObject(ids, forWriting: false)
            let names = NameCollector()
            _ = try withExtendedLifetime(names) {
                try check(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nil, { _, name, _, data in
                    guard let name, let data else { return 0 }
                    Unmanaged<NameCollector>.fromOpaque(data).takeUnretainedValue().list.append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(names).toOpaque()), "cannot list the attributes of \(display)")
            }
            return names.list.sorted()
        }
    }

    /// Removes attribute `name` if it exists.
    public func removeAttribute(_ name: String) throws {
        try withIDs { ids in
            let (object, display) = try openObject(ids, forWriting: true)
            let failure = "cannot remove attribute '\(name)' from \(display)"
            if try check(H5Aexists(object, name), failure) > 0 {
                try check(H5Adelete(object, name), failure)
            }
        }
    }

    /// String attribute `name` (a scalar or a one-element array), nil if absent; an error if it
    /// holds something else.
    public func stringAttribute(_ name: String) throws -> String? {
        switch try attribute(name) {
        case nil: return nil
        case .string(let text)?: return text
        case .strings(let texts)? where texts.count == 1: return texts[0]
        case let other?: throw mismatch(name, other, expected: "a string")
        }
    }

    /// String-array attribute `name` (a scalar string reads as one element), nil if absent; an
    /// error if it holds something else.
    public func stringsAttribute(_ name: String) throws -> [String]? {
        switch try attribute(name) {
        case nil: return nil
        case .strings(let texts)?: return texts
        case .string(let text)?: return [text]
        case let other?: throw mismatch(name, other, expected: "strings")
        }
    }

    /// Integer attribute `name` (a scalar or a one-element array), nil if absent; an error if it
    /// holds something else.
    public func intAttribute(_ name: String) throws -> Int64? {
        switch try attribute(name) {
        case nil: return nil
        case .int(let number)?: return number
        case .ints(let numbers)? where numbers.count == 1: return numbers[0]
        case let other?: throw mismatch(name, other, expected: "an integer")
        }
    }

    /// Integer-array attribute `name` (a scalar reads as one element), nil if absent; an error
    /// if it holds something else.
    public func intsAttribute(_ name: String) throws -> [Int64]? {
        switch try attribute(name) {
        case nil: return nil
        case .ints(let numbers)?: return numbers
        case .int(let number)?: return [number]
        case let other?: throw mismatch(name, other, expected: "integers")
        }
    }

    /// Floating-point attribute `name` (a scalar, a one-element array, or an integer that a
    /// `Double` holds exactly), nil if absent; an error if it holds something else.
    public func doubleAttribute(_ name: String) throws -> Double? {
        switch try attribute(name) {
        case nil: return nil
        case .double(let number)?: return number
        case .doubles(let numbers)? where numbers.count == 1: return numbers[0]
        case .int(let number)? where Double(exactly: number) != nil: return Double(number)
        case let other?: throw mismatch(name, other, expected: "a floating-point number")
        }
    }

    // MARK: Internals

    /// The object opened as an HDF5 id, and how messages name it.
    func openObject(_ ids: IDs, forWriting: Bool) throws -> (id: hid_t, display: String) {
        let fid = try file.id(forWriting: forWriting)
        guard objectKind(at: path, fid: fid) != nil else {
            throw missingObjectError("object", at: path, fid: fid, in: file)
        }
        let display = describedObject()
        return (try ids.object(H5Oopen(fid, path, infoplane_h5p_default()), "cannot open \(display)"), display)
    }

    /// "the root group of run.h5" or "'evaluation/inputs' in run.h5".
    func describedObject() -> String {
        path == "/" ? "the root group of \(file.displayName)"
                    : "'\(ObjectPath.display(path))' in \(file.displayName)"
    }

    /// Attribute `name` as stored, or nil if absent.
    func storedAttribute(_ name: String) throws -> StoredAttribute? {
        try withIDs { ids in
            let (object, display) = try openObject(ids, forWriting: false)
            let failure = "cannot read attribute '\(name)' on \(display)"
            guard try check(H5Aexists(object, name), failure) > 0 else { return nil }
            let attribute = try ids.attribute(H5Aopen(object, name, infoplane_h5p_default()), failure)
            let type = try ids.type(H5Aget_type(attribute), failure)
            let space = try ids.space(H5Aget_space(attribute), failure)
            return try readAttribute(ids, attribute, type: type, space: space, failure: failure)
        }
    }

    private func mismatch(_ name: String, _ value: AttributeValue, expected: String) -> StorageError {
        StorageError(.typeMismatch, "attribute '\(name)' on \(describedObject()) holds \(value.kindPhrase), "
                     + "expected \(expected)")
    }
}

/// Receives attribute names from HDF5's C iteration callback, which cannot capture context.
private final class NameCollector {
    var list: [String] = []
}

/// A variable-length string type in character set `cset`.
private func variableStringType(_ ids: IDs, cset: H5T_cset_t) throws -> hid_t {
    let type = try ids.type(H5Tcopy(infoplane_h5t_c_s1()), "cannot create a string type")
    try check(H5Tset_size(type, infoplane_h5t_variable()), "cannot create a string type")
    try check(H5Tset_cset(type, cset), "cannot create a string type")
    return type
}

/// Writes `texts` as variable-length UTF-8 strings: one scalar, or a 1-D array.
private func writeStrings(_ ids: IDs, _ object: hid_t, _ name: String, _ texts: [String], scalar: Bool,
                          failure: String) throws {
    guard !texts.contains(where: { $0.utf8.contains(0) }) else {
        throw StorageError(.invalidArgument, "\(failure): the text contains a NUL character")
    }
    let type = try variableStringType(ids, cset: H5T_CSET_UTF8)
    let space = try ids.space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, [hsize_t(texts.count)], nil), failure)
    let attribute = try ids.attribute(H5Acreate2(object, name, type, space, infoplane_h5p_default(),
                                                 infoplane_h5p_default()), failure)
    guard !texts.isEmpty else { return }
    // HDF5 reads one C string pointer per element; strdup keeps each alive for the write.
    var pointers: [UnsafeMutablePointer<CChar>?] = texts.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    try check(H5Awrite(attribute, type, &pointers), failure)
}

private func writeNumbers<T: HDF5Scalar>(_ ids: IDs, _ object: hid_t, _ name: String, _ values: [T],
                                         scalar: Bool, failure: String) throws {
    let space = try ids.space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, [hsize_t(values.count)], nil),
                              failure)
    let attribute = try ids.attribute(H5Acreate2(object, name, T.elementType.fileType, space,
                                                 infoplane_h5p_default(), infoplane_h5p_default()), failure)
    guard !values.isEmpty else { return }
    _ = try values.withUnsafeBytes { buffer in
        try check(H5Awrite(attribute, T.elementType.nativeType, buffer.baseAddress), failure)
    }
}

/// Reads an opened attribute into the nearest ``AttributeValue`` case.
func readAttribute(_ ids: IDs, _ attribute: hid_t, type: hid_t, space: hid_t,
                   failure: String) throws -> StoredAttribute {
    let summary = TypeSummary(type)
    let spaceClass = H5Sget_simple_extent_type(space)
    let isScalar = spaceClass == H5S_SCALAR
    let count = spaceClass == H5S_NULL ? 0 : Int(try check(H5Sget_simple_extent_npoints(space), failure))

    func numbers<T: HDF5Scalar>(_: T.Type) throws -> [T] {
        try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            guard count > 0 else { return }
            try check(H5Aread(attribute, T.elementType.nativeType, buffer.baseAddress), failure)
            initialized = count
        }
    }

    switch summary.typeClass {
    case H5T_INTEGER:
        let values = try numbers(Int64.self)
        return .value(isScalar ? .int(values[0]) : .ints(values))
    case H5T_FLOAT:
        let values = try numbers(Double.self)
        return .value(isScalar ? .double(values[0]) : .doubles(values))
    case H5T_ENUM:
        // h5py stores booleans as an int8 enum; HDF5 will not convert enums to integers, so read
        // the native enum's raw base integers.
        guard let values = try enumIntegers(ids, attribute, type: type, count: count, failure: failure) else {
            break
        }
        return .value(isScalar ? .int(values[0]) : .ints(values))
    case H5T_STRING:
        let strings = try readStrings(ids, attribute, type: type, space: space, count: count, failure: failure)
        return .value(isScalar ? .string(strings.first ?? "") : .strings(strings))
    default:
        break
    }
    let extent = isScalar ? "" : " [\(count)]"
    return .unsupported("\(summary.description)\(extent)")
}

private func enumIntegers(_ ids: IDs, _ attribute: hid_t, type: hid_t, count: Int,
                          failure: String) throws -> [Int64]? {
    let base = try ids.type(H5Tget_super(type), failure)
    guard H5Tget_class(base) == H5T_INTEGER else { return nil }
    let isSigned = H5Tget_sign(base) != H5T_SGN_NONE
    let native = try ids.type(H5Tget_native_type(type, H5T_DIR_ASCEND), failure)
    let size = H5Tget_size(native)
    guard [1, 2, 4, 8].contains(size) else { return nil }
    var raw = [UInt8](repeating: 0, count: max(count * size, 1))
    if count > 0 { try check(H5Aread(attribute, native, &raw), failure) }
    return raw.withUnsafeBytes { bytes in
        (0..<count).map { index -> Int64 in
            let offset = index * size
            switch (size, isSigned) {
            case (1, true): return Int64(bytes.loadUnaligned(fromByteOffset: offset, as: Int8.self))
            case (1, false): return Int64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt8.self))
            case (2, true): return Int64(bytes.loadUnaligned(fromByteOffset: offset, as: Int16.self))
            case (2, false): return Int64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            case (4, true): return Int64(bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self))
            case (4, false): return Int64(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            case (_, true): return bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self)
            default:
                return Int64(clamping: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            }
        }
    }
}

/// Fixed- or variable-length strings; variable-length buffers are handed back to HDF5.
private func readStrings(_ ids: IDs, _ attribute: hid_t, type: hid_t, space: hid_t, count: Int,
                         failure: String) throws -> [String] {
    guard count > 0 else { return [] }
    if try check(H5Tis_variable_str(type), failure) > 0 {
        let memoryType = try variableStringType(ids, cset: H5Tget_cset(type))
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try check(H5Aread(attribute, memoryType, &pointers), failure)
        defer { _ = H5Dvlen_reclaim(memoryType, space, infoplane_h5p_default(), &pointers) }
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }
    let size = H5Tget_size(type)
    let memoryType = try ids.type(H5Tcopy(type), failure)
    var raw = [UInt8](repeating: 0, count: count * size)
    try check(H5Aread(attribute, memoryType, &raw), failure)
    let spacePadded = H5Tget_strpad(type) == H5T_STR_SPACEPAD
    return (0..<count).map { index in
        var bytes = raw[index * size ..< (index + 1) * size].prefix { $0 != 0 }
        if spacePadded {
            while bytes.last == UInt8(ascii: " ") { bytes = bytes.dropLast() }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
