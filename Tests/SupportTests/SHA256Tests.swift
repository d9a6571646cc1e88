import Foundation
import Support
import Testing

@Suite struct SHA256Tests {
    @Test func nistVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func digestIsThirtyTwoBytesForAnyCollection() {
        let contiguous = SHA256.digest([UInt8](repeating: 7, count: 200))
        let lazy = SHA256.digest(repeatElement(UInt8(7), count: 200))
        #expect(contiguous.count == 32)
        #expect(lazy == contiguous)
    }

    /// Lengths around the one- and two-block padding boundaries, checked against `sha256sum`.
    @Test func paddingBoundariesMatchSha256sum() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let lengths = [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]
        var paths = [String]()
        for length in lengths {
            let path = directory + "/\(length)"
            try Fixture.write((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }, to: path)
            paths.append(path)
        }
        let lines = try Fixture.run("/usr/bin/sha256sum", paths).split(separator: "\n")
        #expect(lines.count == lengths.count)
        for (line, path) in zip(lines, paths) {
            #expect(String(line.prefix(64)) == SHA256.hex(try Fixture.read(path)), "length \(path)")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")))
    func matchesSha256sumOnADatasetFile() throws {
        let path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
        let expected = try Fixture.run("/usr/bin/sha256sum", [path]).prefix(64)
        #expect(SHA256.hex(try Fixture.read(path)) == String(expected))
    }
}
