import Foundation
import Support
import Testing
@testable import Learning

/// Small on-disk fixtures shared by the data-loading tests.
enum Fixture {
    /// A fresh empty directory under the system's temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "infoplane-learning-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// An IDX file image: header (type `type`, big-endian dimensions) then `payload`.
    static func idx(_ dimensions: [Int], _ payload: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for size in dimensions {
            bytes += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
        }
        return bytes + payload
    }

    /// `bytes` compressed by the system's `gzip` (through files, so large inputs cannot
    /// deadlock a pipe).
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let directory = try temporaryDirectory()
        defer { remove(directory) }
        let input = directory + "/data"
        try write(bytes, to: input)
        try run("/usr/bin/gzip", ["-n", input])
        return try read(input + ".gz")
    }

    /// Runs `tool` and returns its standard output; fails the caller on a non-zero exit.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InfoPlaneError("\(tool) \(arguments) exited with status \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Pixels of `count` 28×28 (or `rows`×28) images in a fixed pattern.
    static func pixels(count: Int, rows: Int = 28, salt: Int = 0) -> [UInt8] {
        (0..<(count * rows * 28)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ salt &* 11 &+ $0 / 7) }
    }

    /// Writes an MNIST-style set of four IDX files into `directory` and returns each file's
    /// uncompressed contents, keyed by base name.
    @discardableResult
    static func writeImageSet(
        in directory: String, train: Int = 6, test: Int = 4, trainLabels: Int? = nil,
        badLabel: UInt8? = nil, imageRows: Int = 28, compress: Bool = false
    ) throws -> [String: [UInt8]] {
        var labels = (0..<(trainLabels ?? train)).map { UInt8($0 % 10) }
        if let badLabel { labels[labels.count - 1] = badLabel }
        let contents: [String: [UInt8]] = [
            "train-images-idx3-ubyte": idx([train, imageRows, 28], pixels(count: train, rows: imageRows)),
            "train-labels-idx1-ubyte": idx([labels.count], labels),
            "t10k-images-idx3-ubyte": idx([test, imageRows, 28], pixels(count: test, rows: imageRows, salt: 1)),
            "t10k-labels-idx1-ubyte": idx([test], (0..<test).map { UInt8(($0 * 3) % 10) }),
        ]
        for (base, bytes) in contents {
            if compress {
                try write(gzip(bytes), to: directory + "/" + base + ".gz")
            } else {
                try write(bytes, to: directory + "/" + base)
            }
        }
        return contents
    }
}

@Suite struct IDXTests {
    @Test func parsesRawUnsignedByteData() throws {
        let array = try IDXReader.parse(Fixture.idx([2, 3], [1, 2, 3, 4, 5, 6]), name: "x")
        #expect(array.dimensions == [2, 3])
        #expect(array.bytes == [1, 2, 3, 4, 5, 6])
    }

    @Test func readsRawAndGzipFilesAlike() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let contents = Fixture.idx([3, 28, 28], Fixture.pixels(count: 3))
        try Fixture.write(contents, to: directory + "/raw")
        // Named without .gz on purpose: compression is detected from the content.
        try Fixture.write(Fixture.gzip(contents), to: directory + "/compressed")
        let raw = try IDXReader.read(path: directory + "/raw")
        let compressed = try IDXReader.read(path: directory + "/compressed")
        #expect(raw.dimensions == [3, 28, 28])
        #expect(raw.bytes == Array(contents[16...]))
        #expect(compressed == raw)
    }

    @Test func missingFileIsNamed() throws {
        let path = NSTemporaryDirectory() + "infoplane-does-not-exist-\(UUID().uuidString)"
        let error = #expect(throws: InfoPlaneError.self) { try IDXReader.read(path: path) }
        #expect(error?.description.contains("no such file: \(path)") == true)
    }

    @Test func directoryIsRejected() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let error = #expect(throws: InfoPlaneError.self) { try IDXReader.read(path: directory) }
        #expect(error?.description.contains("is a directory") == true)
    }

    @Test func emptyFileIsReported() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let path = directory + "/empty"
        try Fixture.write([], to: path)
        let error = #expect(throws: InfoPlaneError.self) { try IDXReader.read(path: path) }
        #expect(error?.description.contains("\(path) is empty") == true)
    }

    @Test func truncatedPayloadSaysExpectedAndFound() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let path = directory + "/train-images-idx3-ubyte"
        try Fixture.write(Array(Fixture.idx([2, 28, 28], Fixture.pixels(count: 2)).dropLast(100)), to: path)
        let error = #expect(throws: InfoPlaneError.self) { try IDXReader.read(path: path) }
        let message = error?.description ?? ""
        #expect(message.contains(path))
        #expect(message.contains("truncated"))
        #expect(message.contains("2×28×28 = 1568"))
        #expect(message.contains("found 1468"))
    }

    @Test func truncatedHeaderIsReported() throws {
        let error = #expect(throws: InfoPlaneError.self) {
            try IDXReader.parse([0, 0, 8, 3, 0, 0, 0, 2, 0], name: "short.idx")
        }
        #expect(error?.description.contains("short.idx") == true)
        #expect(error?.description.contains("truncated") == true)
    }

    @Test func wrongMagicNamesTheBytesFound() throws {
        let error = #expect(throws: InfoPlaneError.self) {
            try IDXReader.parse(Array("PK\u{3}\u{4}whatever".utf8), name: "archive.zip")
        }
        let message = error?.description ?? ""
        #expect(message.contains("archive.zip is not an IDX file"))
        #expect(message.contains("50 4B 03 04"))
    }

    @Test func unsupportedTypeIsRejected() throws {
        let error = #expect(throws: InfoPlaneError.self) {
            try IDXReader.parse(Fixture.idx([1], [0, 0, 0, 0], type: 0x0D), name: "floats.idx")
        }
        let message = error?.description ?? ""
        #expect(message.contains("0x0D"))
        #expect(message.contains("32-bit float"))
        #expect(message.contains("unsigned byte"))
    }

    @Test func dimensionCountMustBeSensible() throws {
        let none = #expect(throws: InfoPlaneError.self) { try IDXReader.parse([0, 0, 8, 0, 1, 2], name: "a") }
        #expect(none?.description.contains("declares 0 dimensions") == true)
        let many = #expect(throws: InfoPlaneError.self) {
            try IDXReader.parse(Fixture.idx([1, 1, 1, 1, 1], [7]), name: "b")
        }
        #expect(many?.description.contains("declares 5 dimensions") == true)
        let empty = #expect(throws: InfoPlaneError.self) { try IDXReader.parse(Fixture.idx([0, 28], []), name: "c") }
        #expect(empty?.description.contains("size 0") == true)
    }

    @Test func trailingGarbageIsRejected() throws {
        let error = #expect(throws: InfoPlaneError.self) {
            try IDXReader.parse(Fixture.idx([2], [1, 2, 9, 9, 9]), name: "labels")
        }
        #expect(error?.description.contains("3 bytes of trailing garbage") == true)
    }

    @Test func corruptGzipNamesTheFile() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let path = directory + "/t10k-labels-idx1-ubyte.gz"
        var compressed = try Fixture.gzip(Fixture.idx([1000], (0..<1000).map { UInt8($0 % 10) }))
        compressed.removeLast(compressed.count / 2)
        try Fixture.write(compressed, to: path)
        let error = #expect(throws: InfoPlaneError.self) { try IDXReader.read(path: path) }
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("gzip stream is truncated or corrupt") == true)
    }
}
