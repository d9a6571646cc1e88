import ArgumentParser
import Config
import Training
import Support

/// `infoplane`: train networks and measure their Sliced Information Plane.
@main
struct InfoPlane: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infoplane",
        abstract: "Train neural networks and measure their Sliced Information Plane.",
        discussion: """
            Typical use: `infoplane train configs/fashion-h64.yaml`, then `infoplane inspect runs/fashion-h64/run.h5`.
            Configs are strict YAML files (see configs/); errors name the key and the fix.
            """,
        version: InfoPlaneVersion.string,
        subcommands: [Train.self, Run.self, Analyze.self, Redundancy.self, ClusterCheck.self, Estimate.self, Inspect.self, DataCommand.self, Bench.self])
}

/// Options shared by commands that read a config.
struct ConfigOptions: ParsableArguments {
    @Argument(help: "A YAML config file, e.g. configs/fashion-h64.yaml.")
    var config: String

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Override a config key, e.g. --set training.epochs=5 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

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
