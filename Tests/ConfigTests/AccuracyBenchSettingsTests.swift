@testable import Config
import Foundation
import Testing

/// Settings of `infoplane bench accuracy`: the shipped config holds the built-in defaults, and
/// impossible or unknown settings are one-line errors naming the key.
@Suite struct AccuracyBenchSettingsTests {
    @Test func shippedConfigHoldsTheDefaults() throws {
        let shipped = try AccuracyBenchSettings.load(path: "\(configsDirectory)/bench-accuracy.yaml")
        let defaults = AccuracyBenchSettings()
        #expect(shipped.mode == defaults.mode && shipped.dimensions == defaults.dimensions)
        #expect(shipped.setValues == defaults.setValues)
        #expect(shipped.samples == 3000 && shipped.slices == 2000 && shipped.k == 5)
        #expect(shipped.samples == defaults.samples && shipped.slices == defaults.slices && shipped.k == defaults.k)
        #expect(shipped.seed == defaults.seed)
        #expect(shipped.dimensions.first == 1 && shipped.dimensions.last == 100)
        #expect(defaults.setValues.count == 8 && defaults.setValues.first == 0)
    }

    @Test func valuesAndModes() throws {
        let mi = try AccuracyBenchSettings.parse(yaml: "mode: mi\nlevels: 3\nmax: 4\n", source: "inline")
        #expect(mi.mode == .mi && mi.setValues == [0, 2, 4])
        let explicit = try AccuracyBenchSettings.parse(yaml: "values: [0.1, 0.5]\ndimensions: [3]\n", source: "inline")
        #expect(explicit.setValues == [0.1, 0.5] && explicit.dimensions == [3])
    }

    @Test(arguments: [
        ("colour: red\n", ["unknown key 'colour'"]),
        ("sample: 10\n", ["unknown key 'sample'", "did you mean 'samples'"]),
        ("samples: 5\nk: 5\n", ["samples", "more samples than neighbours"]),
        ("slices: 0\n", ["'slices' = 0 is impossible"]),
        ("dimensions: [0, 2]\n", ["'dimensions' = 0 is impossible"]),
        ("levels: 1\n", ["'levels' = 1 is impossible"]),
        ("max: 1\n", ["max", "between 0 and 1"]),
        ("values: [0.5, 0.5]\n", ["two or more different values"]),
        ("values: [0, 1.2]\n", ["correlation 1.2 is impossible"]),
        ("mode: mi\nvalues: [0, 40]\ndimensions: [1, 5]\n", ["MI 40.0 nats in dimension 1", "at most 15"]),
        ("values: [0, 0.5]\nlevels: 4\n", ["'values' replaces 'levels'"]),
        ("mode: entropy\n", ["'mode' is 'entropy'", "mi, correlation"]),
    ])
    func badSettingsAreOneLineErrors(yaml: String, fragments: [String]) {
        do {
            _ = try AccuracyBenchSettings.parse(yaml: yaml, source: "bench.yaml")
            Issue.record("\(yaml) was accepted")
        } catch {
            let message = String(describing: error)
            #expect(!message.contains("\n") && message.hasPrefix("bench.yaml: "), "\(message)")
            for fragment in fragments { #expect(message.contains(fragment), "\(message) lacks \(fragment)") }
        }
    }
}
