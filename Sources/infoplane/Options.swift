import Analysis
import ArgumentParser
import Cluster
import Config
import Pipeline
import Support

/// Options shared by commands that read a config.
struct ConfigOptions: ParsableArguments {
    @Argument(help: "A YAML config file, e.g. configs/fashion-h64.yaml.")
    var config: String

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Override a config key, e.g. --set training.epochs=5 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    /// The config file with the overrides applied, checked.
    func load() throws -> ExperimentConfig {
        try ExperimentConfig.load(path: config, overrides: overrides)
    }
}

/// `--resume`, `--force` and `--quiet`, shared by the commands that write outputs.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Continue what the output already holds from where it stopped (start it if absent).")
    var resume = false

    @Flag(help: "Replace outputs that already exist.")
    var force = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if resume && force { throw InfoPlaneError("--resume and --force contradict each other: choose one") }
    }
}

/// What a per-slice analysis of a run file measures: slices, neighbours, seed, label estimator,
/// and which layers and epochs (`analyze`, `redundancy`). Unset options take the run's settings.
struct SliceSelectionOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Random projections m per layer.")
    var slices: Int?

    @Option(parsing: .unconditional, help: "KSG neighbours.")
    var k: Int?

    @Option(parsing: .unconditional, help: "Seed of projections and jitter.")
    var seed: UInt64?

    @Option(help: "Slice estimator: ross or micd (KSG for S1(X;T), this for S1(T;Y); micd is biased upward at small n: its shuffle baseline is about +0.02 nats at n = 500), or wkl (weighted Kozachenko–Leonenko for S1(X;T), hence micd for S1(T;Y); analyze only).",
            completion: .list(LabelEstimator.allValueStrings + ["wkl"]))
    var estimator: String?

    @Option(parsing: .unconditional, help: "Hidden layers by number or name, e.g. 1,3 or conv1,fc (default: all).")
    var layers: String?

    @Option(parsing: .unconditional, help: "Snapshot epochs, e.g. 0,5,30 (default: all).")
    var epochs: String?

    func validate() throws {
        _ = try selection()
    }

    /// `--estimator` as the slice estimator and the label estimator it implies: `ross` and
    /// `micd` estimate S1(X;T) with KSG; `wkl` estimates it with WKL and S1(T;Y) with micd (WKL's
    /// entropy difference against labels).
    func estimators() throws -> (slice: SliceEstimator, label: LabelEstimator)? {
        guard let estimator else { return nil }
        if estimator == SliceEstimator.wkl.rawValue { return (.wkl, .micd) }
        return (.ksg, try LabelEstimator.choice(estimator, or: "--estimator \(estimator) is unknown: use ross or micd (label estimators), or wkl"))
    }

    /// The options as the analysis takes them.
    func selection() throws -> SliceSelection {
        let chosen = try estimators()
        var overrides = AnalysisOverrides(slices: slices, k: k, labelEstimator: chosen?.label, seed: seed)
        overrides.sliceEstimator = chosen?.slice
        return SliceSelection(settings: overrides,
                       layers: try layers.map { try CommaSeparated.names($0, option: "--layers", example: "1,3 or conv1,fc") },
                       epochs: try epochs.map { try CommaSeparated.integers($0, option: "--epochs", example: "0,5,30", minimum: 0) })
    }
}

// Choices are enums of the modules that use them; the command line reads them as arguments.
extension LabelEstimator: ExpressibleByArgument {}
extension AnalysisMethod: ExpressibleByArgument {}
extension EstimationRequest.Method: ExpressibleByArgument {}
extension AccuracyBenchSettings.Mode: ExpressibleByArgument {}

extension ExpressibleByArgument {
    /// `text` as a choice, or the one-line error `message`. Options keep their text and are
    /// turned into choices in `validate()`: an enum-typed option's parse error would print
    /// ArgumentParser's usage block instead of one line.
    static func choice(_ text: String, or message: String) throws -> Self {
        guard let choice = Self(argument: text) else { throw InfoPlaneError(message) }
        return choice
    }
}

/// Runs a job on every MPI rank (alone without a launcher) and prints rank 0's summary; a
/// failure rank 0 already reported exits non-zero without another line.
func onEveryRank(_ body: (Communicator) throws -> String?) throws {
    do {
        try Job.onEveryRank(body)
    } catch is ReportedFailure {
        throw ExitCode(1)
    }
}

/// The options `redundancy` and `memorisation` share after their run file and output: the
/// settings file, the slice selection, threads, --force and --quiet, read into one request.
struct RunMeasurementOptions: ParsableArguments {
    @Option(help: "Settings file (strict YAML: slices, k, label_estimator, seed, jitter), e.g. configs/redundancy.yaml.")
    var config: String?

    @OptionGroup var selection: SliceSelectionOptions

    @Option(parsing: .unconditional, help: "Worker threads per rank (results do not depend on it; default: the cores shared among ranks).")
    var threads: Int?

    @Flag(help: "Replace outputs that already exist.")
    var force = false

    @Flag(help: "Print no progress lines.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw InfoPlaneError("--threads \(threads) is impossible: use at least 1") }
    }

    /// The options as one request for `runFile` (the settings file read and checked).
    func request(runFile: String, out: String?) throws -> RunMeasurementRequest {
        var request = RunMeasurementRequest(runPath: runFile)
        request.out = out
        request.config = try config.map { try RedundancyConfig.load(path: $0) }
        request.selection = try selection.selection()
        request.threads = threads
        request.force = force
        request.quiet = quiet
        return request
    }
}
