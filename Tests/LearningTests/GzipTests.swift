import Foundation
import Support
import Testing
@testable import Learning

@Suite struct GzipTests {
    /// Mildly compressible bytes: a pattern with pseudo-random bytes sprinkled in.
    static func sample(_ count: Int) -> [UInt8] {
        var state: UInt32 = 12345
        return (0..<count).map { i in
            state = state &* 1_664_525 &+ 1_013_904_223
            return i % 5 == 0 ? UInt8(truncatingIfNeeded: state >> 24) : UInt8(truncatingIfNeeded: i / 64)
        }
    }

    @Test func detectsTheMagicNumber() {
        #expect(Gzip.isGzip([0x1F, 0x8B, 0x08]))
        #expect(!Gzip.isGzip([0x1F]))
        #expect(!Gzip.isGzip([0, 0, 8, 1]))
    }

    @Test func roundTripsSmallAndLargeData() throws {
        for count in [1, 1000, 3_000_000] {
            let data = Self.sample(count)
            #expect(try Gzip.decompress(Fixture.gzip(data)) == data)
        }
    }

    @Test func decompressesConcatenatedMembers() throws {
        // A large first member and a tiny last one: the trailer's size hint is far too small,
        // so the output buffer has to grow.
        let first = Self.sample(2_000_000), second = Array("tail".utf8)
        let joined = try Fixture.gzip(first) + Fixture.gzip(second)
        #expect(try Gzip.decompress(joined) == first + second)
    }

    @Test func ignoresZeroPaddingAfterTheLastMember() throws {
        let data = Self.sample(500)
        #expect(try Gzip.decompress(Fixture.gzip(data) + [0, 0, 0, 0]) == data)
    }

    @Test func truncatedStreamThrows() throws {
        let compressed = try Fixture.gzip(Self.sample(100_000))
        for keep in [10, compressed.count / 2, compressed.count - 1] {
            let error = #expect(throws: InfoPlaneError.self) { try Gzip.decompress(Array(compressed.prefix(keep))) }
            #expect(error?.description.contains("gzip stream is truncated or corrupt") == true)
        }
    }

    @Test func corruptStreamThrows() throws {
        var compressed = try Fixture.gzip(Self.sample(100_000))
        for i in stride(from: 20, to: compressed.count - 8, by: 97) { compressed[i] ^= 0x5A }
        let error = #expect(throws: InfoPlaneError.self) { try Gzip.decompress(compressed) }
        #expect(error?.description.contains("gzip stream is truncated or corrupt (") == true)
    }

    @Test func damagedChecksumThrows() throws {
        var compressed = try Fixture.gzip(Self.sample(1000))
        compressed[compressed.count - 6] ^= 0xFF  // inside the CRC-32 of the trailer
        let error = #expect(throws: InfoPlaneError.self) { try Gzip.decompress(compressed) }
        #expect(error?.description.contains("corrupt") == true)
    }

    @Test func trailingGarbageThrows() throws {
        let compressed = try Fixture.gzip(Self.sample(1000)) + Array("junk".utf8)
        let error = #expect(throws: InfoPlaneError.self) { try Gzip.decompress(compressed) }
        #expect(error?.description.contains("4 bytes of trailing data") == true)
    }

    @Test func emptyInputThrows() {
        let error = #expect(throws: InfoPlaneError.self) { try Gzip.decompress([]) }
        #expect(error?.description.contains("no input bytes") == true)
    }
}
