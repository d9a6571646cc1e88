@testable import Config
import Foundation
import Testing

/// The canonical text a run file stores (and `--resume` compares) is the one recorded before the
/// redesign, byte for byte; a config survives the trip to the other ranks unchanged.
@Suite struct CanonicalTextTests {
    /// The recorded texts: shipped file (or `file#copyR`) → text, and inline name → yaml and text.
    struct Fixture: Decodable {
        var shipped: [String: String]
        var inline: [String: [String: String]]
    }

    static let fixture = try! JSONDecoder().decode(
        Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: checkoutDirectory + "/Tests/Fixtures/canonical-configs.json")))
    static let shipped = fixture.shipped
    static let inline = fixture.inline

    @Test(arguments: shipped.keys.sorted())
    func shippedConfigsKeepTheirCanonicalText(entry: String) throws {
        let parts = entry.split(separator: "#")
        var config = try ExperimentConfig.load(path: "\(configsDirectory)/\(parts[0])")
        if parts.count == 2, let r = Int(parts[1].dropFirst("copy".count)) { config = config.copy(r) }
        #expect(config.canonicalText == Self.shipped[entry])
    }

    @Test(arguments: inline.keys.sorted())
    func inlineConfigsKeepTheirCanonicalText(name: String) throws {
        let entry = try #require(Self.inline[name])
        let config = try ExperimentConfig.parse(yaml: entry["yaml"]!, source: name)
        #expect(config.canonicalText == entry["canonical"])
        // The canonical text reads back as the same config.
        #expect(try ExperimentConfig.parse(yaml: config.canonicalText, source: "canonical") == config)
    }

    /// Rank 0 sends the parsed config as JSON; a training rank must get every number exactly.
    @Test(arguments: shipped.keys.sorted().filter { !$0.contains("#") })
    func configsSurviveJSON(file: String) throws {
        var config = try ExperimentConfig.load(path: "\(configsDirectory)/\(file)")
        config.training.learningRate = 0.1 + 0.2  // not a short decimal
        config.analysis.jitter = 1e-10 / 3
        config.seed = UInt64.max - 1
        let decoded = try JSONDecoder().decode(ExperimentConfig.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
        #expect(decoded.canonicalText == config.canonicalText)
    }
}
