@testable import Config
import Foundation
import Support
import Testing

/// The config reader under a few thousand mutated shipped configs (byte flips, hostile tokens,
/// hostile values, lines dropped, duplicated and shuffled): every document either parses, and
/// its canonical text parses back to the same config, or is refused with one InfoPlaneError
/// line. A crash would end the test process. Deterministic (a fixed seed), bounded in time.
@Suite struct ConfigFuzzTests {
    /// SplitMix64: a small deterministic generator, independent of library code.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    static let tokens = ["[", "]", "{", "}", ",", ":", ": ", "- ", "? ", "&a ", "*a", "*b", "!!str ", "!!binary ", "'", "\"", "#", "|", ">",
                         "\t", "\n", "\n  ", "---\n", "...\n", "%YAML 1.1\n", "~", "null", "\u{0}", "\u{FEFF}", "é", "\\", "&x [1, *x]"]
    static let values = ["-1", "0", "1e308", "-1e308", "nan", ".nan", ".inf", "-.inf", "NaN", "99999999999999999999", "9223372036854775807",
                         "-9223372036854775808", "0x10", "1_000", "", "''", "[]", "{}", "[1, [2]]", "true", "yes", "\"\"", "1.5", "1e-320",
                         "[100000, 100000]", "[0]", "[-4]", "a/b", "..", "10000000", "4096"]

    static func mutate(_ text: String, _ random: inout Generator) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<(1 + random.below(4)) {
            let i = random.below(max(lines.count, 1))
            guard !lines.isEmpty else { break }
            switch random.below(7) {
            case 0:  // a hostile token somewhere in a line
                var line = Array(lines[i])
                line.insert(contentsOf: random.pick(tokens), at: random.below(line.count + 1))
                lines[i] = String(line)
            case 1:  // a hostile value for a key
                if let colon = lines[i].firstIndex(of: ":") { lines[i] = String(lines[i][...colon]) + " " + random.pick(values) }
            case 2: lines.remove(at: i)
            case 3: lines.insert(lines[i], at: random.below(lines.count + 1))
            case 4: lines.swapAt(i, random.below(lines.count))
            case 5:  // a flipped byte
                var bytes = Array(lines[i].utf8)
                if !bytes.isEmpty { bytes[random.below(bytes.count)] ^= UInt8(1 << random.below(8)) }
                lines[i] = String(decoding: bytes, as: UTF8.self)
            default:  // re-indented
                lines[i] = String(repeating: " ", count: random.below(6)) + lines[i].drop { $0 == " " }
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test func mutatedShippedConfigsParseOrGiveOneLine() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: configsDirectory)
            .filter { $0.hasSuffix(".yaml") && !["redundancy.yaml", "bench-accuracy.yaml"].contains($0) }.sorted()
        let texts = try names.map { try String(contentsOfFile: "\(configsDirectory)/\($0)", encoding: .utf8) }
        #expect(texts.count >= 8, "configs/ was not found")
        var random = Generator(state: 12)
        let deadline = Date().addingTimeInterval(20)
        var parsed = 0, refused = 0
        for round in 0..<3_000 where Date() < deadline {
            let text = Self.mutate(random.pick(texts), &random)
            do {
                let config = try ExperimentConfig.parse(yaml: text, source: "fuzz", overrides: round % 5 == 0 ? ["training.epochs=" + random.pick(Self.values)] : [])
                parsed += 1
                let again = try ExperimentConfig.parse(yaml: config.canonicalText, source: "canonical")
                #expect(again == config, "canonical text does not parse back:\n\(text)")
            } catch let error as InfoPlaneError {
                refused += 1
                #expect(!error.description.contains("\n") && !error.description.isEmpty, "\(error)")
            } catch {
                Issue.record("not an InfoPlaneError: \(error)\n\(text)")
            }
        }
        #expect(parsed > 100 && refused > 100, "parsed \(parsed), refused \(refused)")
    }
}
