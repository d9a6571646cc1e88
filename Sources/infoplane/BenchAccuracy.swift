import Analysis
import ArgumentParser
import Config
import Files
import Foundation
import Support

/// The known-MI benchmark: full KSG and sliced MI against closed-form truths on Gaussian pairs.
struct AccuracyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Compare full KSG MI and sliced MI with their true values on Gaussian X, Y in growing dimensions.",
        discussion: """
            For each dimension d and set value, draws n samples of X ~ N(0, I_d), Y = ρX + √(1−ρ²)Z \
            (mode correlation: ρ set; mode mi: I(X;Y) = −(d/2)log(1−ρ²) set), estimates I(X;Y) by KSG in \
            all 2d dimensions and S1(X;Y) over m slices, and compares them with the closed forms (S1 by \
            quadrature over θ·φ). Writes OUT/accuracy.csv (one row per point) and OUT/summary.csv, and \
            prints per dimension the Pearson correlation of estimate and truth and the relative bias. \
            Defaults come from --config (else built in: the values of configs/bench-accuracy.yaml); \
            flags override it. Plot with `.venv/bin/python -m infoplane.plots accuracy OUT`.
            """)

    @Option(help: "YAML settings, e.g. configs/bench-accuracy.yaml (default: built-in, the same values).") var config: String?
    @Option(help: "mi (set I(X;Y) in nats) | correlation (set ρ).", completion: .list(AccuracyBenchSettings.Mode.allValueStrings))
    var mode: String?
    @Option(parsing: .unconditional, help: "Dimensions, comma-separated, e.g. 1,2,5,10,20,50,100.") var dimensions: String?
    @Option(parsing: .unconditional, help: "Number of set values, evenly spaced from 0 to --max.") var levels: Int?
    @Option(parsing: .unconditional, help: "Largest set value (default ρ = 0.9, or 2 nats in mode mi).") var max: Double?
    @Option(parsing: .unconditional, help: "Explicit set values, comma-separated (replace --levels and --max).") var values: String?
    @Option(parsing: .unconditional, help: "Samples n per point.") var samples: Int?
    @Option(parsing: .unconditional, help: "Projections m of the sliced estimate.") var slices: Int?
    @Option(parsing: .unconditional, help: "KSG neighbours.") var k: Int?
    @Option(parsing: .unconditional, help: "Seed of samples, projections and jitter.") var seed: UInt64?
    @Option(help: "Output directory (created if missing; its CSVs are replaced).") var out = "runs/bench-accuracy"
    @Option(parsing: .unconditional, help: "Worker threads for the slices (results do not depend on it; default: all cores).") var threads: Int?
    @Flag(help: "Print nothing but errors and the table.") var quiet = false

    func validate() throws {
        if let mode { _ = try AccuracyBenchSettings.Mode.choice(mode, or: "--mode \(mode) is unknown: choose mi or correlation") }
    }

    func run() throws {
        let settings = try self.settings()
        try AccuracyBenchmark.memoryEstimate(settings, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount).check(perRank: false)
        try AccuracyBenchFiles.prepare(out)
        let start = DispatchTime.now().uptimeNanoseconds
        let result = AccuracyBenchmark.run(settings, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                           log: ProgressLog(quiet: quiet))
        try AccuracyBenchmark.write(result, settings: settings, to: out)
        AccuracyBenchmark.table(result, settings: settings).forEach { print($0) }
        print(String(format: "wrote %@/accuracy.csv and %@/summary.csv in %.1f s", out, out,
                     Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }

    /// The config file's (or built-in) settings with the flags applied, validated.
    func settings() throws -> AccuracyBenchSettings {
        var settings = try config.map { try AccuracyBenchSettings.load(path: $0) } ?? AccuracyBenchSettings()
        if let mode { settings.mode = try AccuracyBenchSettings.Mode.choice(mode, or: "--mode \(mode) is unknown") }
        if let dimensions { settings.dimensions = try CommaSeparated.integers(dimensions, option: "--dimensions", example: "1,2,10") }
        if let values {
            settings.values = try CommaSeparated.numbers(values, option: "--values", example: "0,0.3,0.6,0.9")
        } else if levels != nil || max != nil {
            settings.values = nil
        }
        if let levels { settings.levels = levels }
        if let max { settings.maximum = max }
        if let samples { settings.samples = samples }
        if let slices { settings.slices = slices }
        if let k { settings.k = k }
        if let seed { settings.seed = seed }
        if let threads, threads < 1 { throw InfoPlaneError("--threads \(threads) is impossible: give 1 or more") }
        try settings.validate()
        return settings
    }
}
