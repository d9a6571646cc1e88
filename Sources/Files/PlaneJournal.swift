import Foundation
import Storage
import Support

/// An append-only record of completed work items (`plane.journal` beside `plane.h5`), so that a
/// job killed at any moment resumes without recomputing them.
///
/// Text, one line per item: `item <index> <value>… <checksum>`, every value as the 16 hex
/// digits of its IEEE bit pattern (exact), the checksum an FNV-1a hash of the rest of the line.
/// A line is appended with a single `write(2)` on an `O_APPEND` descriptor, so a kill leaves at
/// most one torn line at the end, which reading drops (and truncates away). The file starts with
/// the plan's identity lines (`= key: value`) so a resume under other settings is refused.
public final class PlaneJournal {
    /// The journal file.
    public let path: String
    private var descriptor: Int32 = -1

    /// The journal at `path` (nothing is opened yet).
    public init(path: String) { self.path = path }

    /// The journal of the plane file at `planePath` (same stem, `.journal`).
    public convenience init(planePath: String) { self.init(path: RunDirectory.sibling(of: planePath, ".journal")) }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Whether the file exists.
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// The identity lines and item records of an existing journal. A torn last line (what a
    /// kill leaves) is cut off the file; damage anywhere else — the identity header, or a bad
    /// line followed by good ones — is refused without changing the file, since cutting there
    /// would throw away records. `valueCount` says how many values an item has (nil: no such item).
    public func read(valueCount: (Int) -> Int?) throws -> (identity: [String], records: [(Int, [Double])]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InfoPlaneError("cannot read \(path): check its permissions, or pass --force to start the analysis over")
        }
        var identity: [String] = []
        var records: [(Int, [Double])] = []
        var goodLength = 0
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            guard let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let line = String(decoding: bytes[offset..<newline], as: UTF8.self)
            if line.hasPrefix("= "), records.isEmpty {
                identity.append(String(line.dropFirst(2)))
            } else if !identity.isEmpty, let record = Self.parse(line, valueCount: valueCount) {
                records.append(record)
            } else {
                break
            }
            offset = newline + 1
            goodLength = offset
        }
        // Only the last line may be torn: the bad bytes must not contain a line break.
        let rest = bytes[goodLength...]
        let lastBreak = rest.dropLast().contains(UInt8(ascii: "\n"))
        if identity.isEmpty || (goodLength < bytes.count && (lastBreak || records.isEmpty && !Self.startsAnItem(rest))) {
            let line = bytes[..<goodLength].filter { $0 == UInt8(ascii: "\n") }.count + 1
            throw InfoPlaneError("\(path) is damaged at line \(line) (not a torn last line): it was left unchanged; pass --force to start the analysis over")
        }
        if goodLength < bytes.count {
            guard truncate(path, off_t(goodLength)) == 0 else {
                throw InfoPlaneError("cannot repair the torn end of \(path): check its permissions, or pass --force")
            }
        }
        return (identity, records)
    }

    /// Starts a new journal holding `identity` (replacing any old one).
    public func create(identity: [String]) throws {
        // An open descriptor would keep appending to the replaced file.
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        let text = identity.map { "= " + $0 + "\n" }.joined()
        try writeTextAtomically(text, to: path, hint: "check that the output directory is writable, or choose another --out")
    }

    /// Appends one completed item.
    public func append(item: Int, values: [Double]) throws {
        if descriptor < 0 {
            descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard descriptor >= 0 else { throw InfoPlaneError("cannot append to \(path): \(String(cString: strerror(errno)))") }
        }
        var line = "item \(item)"
        for v in values { line += " " + Self.hex(v.bitPattern) }
        line += " " + Self.hex(Self.checksum(line)) + "\n"
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let code = errno
            if written >= 0 { _ = ftruncate(descriptor, lseek(descriptor, 0, SEEK_END) - off_t(written)) }
            if code == ENOSPC || code == EDQUOT || written >= 0 {
                throw InfoPlaneError("cannot append to \(path): the device is full — free space, then run the same command with --resume")
            }
            throw InfoPlaneError("cannot append to \(path) (\(String(cString: strerror(code)))): check the output directory, then rerun with --resume")
        }
    }

    /// Removes the journal (its items are all in plane.h5).
    public func remove() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(path)
    }

    /// Whether `bytes` are the start of an item line (a torn first record), however short.
    private static func startsAnItem(_ bytes: ArraySlice<UInt8>) -> Bool {
        let lead = Array("item ".utf8)
        return bytes.starts(with: lead) || lead.starts(with: bytes)
    }

    private static func parse(_ line: String, valueCount: (Int) -> Int?) -> (Int, [Double])? {
        let fields = line.split(separator: " ")
        guard fields.count >= 3, fields[0] == "item", let index = Int(fields[1]), let count = valueCount(index),
              fields.count == count + 3, let sum = UInt64(fields.last!, radix: 16) else { return nil }
        let body = line[..<line.lastIndex(of: " ")!]
        guard checksum(String(body)) == sum else { return nil }
        var values: [Double] = []
        values.reserveCapacity(count)
        for field in fields[2..<(fields.count - 1)] {
            guard field.count == 16, let bits = UInt64(field, radix: 16) else { return nil }
            values.append(Double(bitPattern: bits))
        }
        return (index, values)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// FNV-1a, 64-bit.
    private static func checksum(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
