import Foundation
import Support

/// The contents of an unsigned-byte IDX file: its dimensions and its payload.
public struct IDXArray: Sendable, Equatable {
    /// Sizes from the header, outermost first (e.g. `[60000, 28, 28]` for MNIST images).
    public let dimensions: [Int]
    /// The payload bytes after the header, row-major; `bytes.count` is the product of `dimensions`.
    public let bytes: [UInt8]

    /// An array over `bytes`, whose count must be the product of `dimensions`.
    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(bytes.count == dimensions.reduce(1, *), "IDX payload does not match its dimensions")
        self.dimensions = dimensions
        self.bytes = bytes
    }
}

/// Reads IDX files, the format of MNIST and Fashion-MNIST (LeCun et al.): two zero bytes, a type
/// code, the number of dimensions, one big-endian `UInt32` per dimension, then the payload.
///
/// Only type `0x08` (unsigned byte) is supported. Files may be gzip-compressed; compression is
/// detected from the content, not the file name. Every failure is a one-line ``InfoPlaneError``
/// naming the file, the problem and the fix.
public enum IDXReader {
    /// IDX allows up to 255 dimensions; no image or label file has more than a handful, so a
    /// larger count is taken as a sign of a wrong or damaged file.
    static let maximumDimensions = 4

    /// Reads and validates the IDX file at `path`, decompressing it if it is gzip data.
    public static func read(path: String) throws -> IDXArray {
        let contents = try decompressedIfNeeded(readFile(path: path), name: path)
        return try parse(contents, name: path)
    }

    /// Validates and splits IDX data (raw or gzip-compressed); `name` is used in error messages.
    public static func parse(_ data: [UInt8], name: String) throws -> IDXArray {
        let data = try decompressedIfNeeded(data, name: name)
        let fix = "replace it with a good copy"
        guard !data.isEmpty else {
            throw InfoPlaneError("\(name) is empty (0 bytes): the file is truncated; \(fix)")
        }
        guard data.count >= 4 else {
            throw InfoPlaneError("\(name) is only \(data.count) bytes long, too short for an IDX header: the file is truncated; \(fix)")
        }
        guard data[0] == 0, data[1] == 0 else {
            let found = data.prefix(4).map { hexByte($0) }.joined(separator: " ")
            throw InfoPlaneError("\(name) is not an IDX file: it starts with bytes \(found), expected 00 00 08 followed by a dimension count; check the path or \(fix)")
        }
        guard data[2] == 0x08 else {
            throw InfoPlaneError("\(name) holds IDX type 0x\(hexByte(data[2])) (\(typeName(data[2]))); only type 0x08 (unsigned byte) is supported, as in MNIST; use an unsigned-byte IDX file")
        }
        let rank = Int(data[3])
        guard rank >= 1, rank <= maximumDimensions else {
            throw InfoPlaneError("\(name) declares \(rank) dimensions; expected 1 to \(maximumDimensions) (labels have 1, images 3): the header is damaged or this is not an image/label file; \(fix)")
        }
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else {
            throw InfoPlaneError("\(name) is \(data.count) bytes long, shorter than its \(headerSize)-byte header: the file is truncated; \(fix)")
        }
        var dimensions = [Int]()
        var expected = 1
        for axis in 0..<rank {
            let offset = 4 + 4 * axis
            let size = Int(data[offset]) << 24 | Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            guard size > 0 else {
                throw InfoPlaneError("\(name) has size 0 in dimension \(axis + 1) of \(rank): the file holds no data; \(fix)")
            }
            let (product, overflow) = expected.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw InfoPlaneError("\(name) declares dimensions whose product overflows: the header is damaged; \(fix)")
            }
            dimensions.append(size)
            expected = product
        }
        let found = data.count - headerSize
        let shape = dimensions.map(String.init).joined(separator: "×")
        guard found >= expected else {
            throw InfoPlaneError("\(name) is truncated: its header promises \(shape) = \(expected) payload bytes, found \(found); \(fix)")
        }
        guard found == expected else {
            throw InfoPlaneError("\(name) has \(found - expected) bytes of trailing garbage after the \(shape) = \(expected) payload bytes its header promises; \(fix)")
        }
        return IDXArray(dimensions: dimensions, bytes: Array(data[headerSize...]))
    }

    /// The bytes of the file at `path`, with errors that name the path.
    static func readFile(path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InfoPlaneError("no such file: \(path) — check the path (dataset.path) or fetch/install the dataset")
        }
        guard !isDirectory.boolValue else {
            throw InfoPlaneError("\(path) is a directory, not a file: point to the file itself")
        }
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw InfoPlaneError("cannot read \(path): check its permissions")
        }
        return [UInt8](contents)
    }

    /// `data` decompressed if it starts with the gzip magic number, else `data` itself.
    static func decompressedIfNeeded(_ data: [UInt8], name: String) throws -> [UInt8] {
        guard Gzip.isGzip(data) else { return data }
        do {
            return try Gzip.decompress(data)
        } catch let error as InfoPlaneError {
            throw InfoPlaneError("\(name): \(error.description): replace it with a good copy")
        }
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    private static func typeName(_ code: UInt8) -> String {
        switch code {
        case 0x09: "signed byte"
        case 0x0B: "16-bit integer"
        case 0x0C: "32-bit integer"
        case 0x0D: "32-bit float"
        case 0x0E: "64-bit float"
        default: "not an IDX type code"
        }
    }
}
