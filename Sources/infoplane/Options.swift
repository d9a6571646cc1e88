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
    @Option(parsing: .unconditional, help: "Random projections per layer (redundancy: also per half).")
    var slices: Int?

    @Option(parsing: .unconditional, help: "KSG neighbours.")
    var k: Int?

    @Option(parsing: .unconditional, help: "Seed of projections and jitter.")
    var seed: UInt64?

    @Option(help: "Label estimator for S1(T;Y): ross or micd (biased upward at small n: its shuffle baseline is about +0.02 nats at n = 500).", completion: .list(LabelEstimator.allValueStrings))
    var estimator: String?

    @Option(parsing: .unconditional, help: "Hidden layers by number or name, e.g. 1,3 or conv1,fc (default: all).")
    var layers: String?

    @Option(parsing: .unconditional, help: "Snapshot epochs, e.g. 0,5,30 (default: all).")
    var epochs: String?

    func validate() throws {
        if let estimator {
            _ = try LabelEstimator.choice(estimator, or: "--estimator \(estimator) is not a label estimator: use ross or micd")
        }
        _ = try selection()
    }

    /// The options as the analysis takes them.
    func selection() throws -> SliceSelection {
        SliceSelection(settings: AnalysisOverrides(slices: slices, k: k, labelEstimator: estimator.flatMap(LabelEstimator.init(argument:)),
                                                   seed: seed),
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
