import ArgumentParser
import Support

/// `infoplane`: train networks and measure their Sliced Information Plane. Each subcommand lives
/// in a file named after it (Run.swift, Analyze.swift, …); the option groups they share are in
/// Options.swift. Commands turn their options into a request and hand it to the modules.
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
