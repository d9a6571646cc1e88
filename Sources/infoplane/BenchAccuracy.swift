import ArgumentParser
import Config
import Estimators
import Training
import Foundation
import Storage
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
            flags override it. Plot with `python analysis/plots.py accuracy OUT`.
            """)

    @Option(help: "YAML settings, e.g. configs/bench-accuracy.yaml (default: built-in, the same values).") var config: String?
    @Option(help: "mi (set I(X;Y) in nats) | correlation (set ρ).") var mode: String?
    @Option(help: "Dimensions, comma-separated, e.g. 1,2,5,10,20,50,100.") var dimensions: String?
    @Option(help: "Number of set values, evenly spaced from 0 to --max.") var levels: Int?
    @Option(help: "Largest set value (default ρ = 0.9, or 2 nats in mode mi).") var max: Double?
    @Option(help: "Explicit set values, comma-separated (replace --levels and --max).") var values: String?
    @Option(help: "Samples n per point.") var samples: Int?
    @Option(help: "Projections m of the sliced estimate.") var slices: Int?
    @Option(help: "KSG neighbours.") var k: Int?
    @Option(help: "Seed of samples, projections and jitter.") var seed: UInt64?
    @Option(help: "Output directory (created if missing; its CSVs are replaced).") var out = "runs/bench-accuracy"
    @Option(help: "Worker threads for the slices (results do not depend on it; default: all cores).") var threads: Int?
    @Flag(help: "Print nothing but errors and the table.") var quiet = false

    func run() throws {
        let settings = try resolvedSettings()
        let log = ProgressLog(quiet: quiet)
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw InfoPlaneError("cannot create the output directory \(out) (a file is in the way, or no permission): choose another --out")
        }
        let estimator = SlicedMutualInformation(k: settings.k, seed: settings.seed,
                                                threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let set = settings.setValues
        log("bench accuracy: mode \(settings.mode.rawValue), values \(set.map { String(format: "%.4g", $0) }.joined(separator: ", ")), "
            + "d ∈ \(settings.dimensions), n = \(settings.samples), m = \(settings.slices), k = \(settings.k)")

        var rows = ["mode,dimension,set_value,correlation,samples,slices,k,true_mi,full_ksg,true_smi,true_smi_on_slices,sliced,sliced_se"]
        var summaries: [KnownInformationSummary] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for d in settings.dimensions {
            var points: [KnownInformationPoint] = []
            var fullSeconds = 0.0, slicedSeconds = 0.0
            for (level, value) in set.enumerated() {
                let pair = settings.mode == .mi ? GaussianPair(dimension: d, mutualInformation: value)
                                                : GaussianPair(dimension: d, correlation: value)
                let (point, full, sliced) = KnownInformationPoint.measure(pair, samples: settings.samples, slices: settings.slices,
                                                                          estimator: estimator, sampleIndices: [d, level])
                points.append(point)
                fullSeconds += full
                slicedSeconds += sliced
                rows.append([settings.mode.rawValue, "\(d)", "\(value)", "\(pair.correlation)", "\(settings.samples)",
                             "\(settings.slices)", "\(settings.k)", "\(point.trueInformation)", "\(point.fullEstimate)",
                             "\(point.trueSlicedInformation)", "\(point.trueSlicedOnSlices)", "\(point.slicedEstimate.mean)",
                             "\(point.slicedEstimate.standardError)"].joined(separator: ","))
                log(String(format: "d = %d, value %.4g (%d/%d): full %.4f (true %.4f), sliced %.5f (true %.5f)",
                           d, value, level + 1, set.count, point.fullEstimate, point.trueInformation,
                           point.slicedEstimate.mean, point.trueSlicedInformation))
            }
            summaries.append(KnownInformationSummary(dimension: d, points: points))
            log(String(format: "d = %d done: full KSG %.1f s, sliced %.1f s (%d points)", d, fullSeconds, slicedSeconds, points.count))
        }
        let summaryRows = ["dimension,full_correlation,sliced_correlation,full_relative_bias,sliced_relative_bias,full_mean_abs_error,sliced_mean_abs_error"]
            + summaries.map { s in
                ["\(s.dimension)", "\(s.fullCorrelation)", "\(s.slicedCorrelation)", "\(s.fullRelativeBias)",
                 "\(s.slicedRelativeBias)", "\(s.fullMeanAbsoluteError)", "\(s.slicedMeanAbsoluteError)"].joined(separator: ",")
            }
        try writeTextAtomically(rows.joined(separator: "\n") + "\n", to: out + "/accuracy.csv")
        try writeTextAtomically(summaryRows.joined(separator: "\n") + "\n", to: out + "/summary.csv")

        print("known-MI benchmark, mode \(settings.mode.rawValue): n = \(settings.samples), m = \(settings.slices), k = \(settings.k), "
              + "\(set.count) set values per dimension; Pearson r of estimate and truth, relative bias Σ(estimate − truth)/Σ truth")
        print("    d | r full KSG  r sliced | bias full  bias sliced")
        for s in summaries {
            print(String(format: "%5d | %10.4f %9.4f | %+8.1f%% %+10.1f%%", s.dimension, s.fullCorrelation, s.slicedCorrelation,
                         100 * s.fullRelativeBias, 100 * s.slicedRelativeBias))
        }
        print(String(format: "wrote %@/accuracy.csv and %@/summary.csv in %.1f s", out, out,
                     Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }

    /// The config file's (or built-in) settings with the flags applied, validated.
    func resolvedSettings() throws -> AccuracyBenchSettings {
        var settings = try config.map { try AccuracyBenchSettings.load(path: $0) } ?? AccuracyBenchSettings()
        if let mode {
            guard let parsed = AccuracyBenchSettings.Mode(rawValue: mode) else {
                throw InfoPlaneError("--mode \(mode) is unknown: choose mi or correlation")
            }
            settings.mode = parsed
        }
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
