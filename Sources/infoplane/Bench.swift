import ArgumentParser

/// `infoplane bench`: the benchmarks (each subcommand in its own file, Bench<Name>.swift).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (run `make bench-training` for the side-by-side comparison with numpy).",
        subcommands: [TrainingBench.self, CNNBench.self, EstimatorsBench.self, AccuracyBench.self, GemmBench.self])
}
