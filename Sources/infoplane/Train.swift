import ArgumentParser
import Support
import Training

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the network of a config and record its hidden activations in run.h5.",
        discussion: """
            Writes <out>/run.h5: the evaluation set, per-epoch curves, the hidden-layer \
            activations at each snapshot epoch, and a checkpoint after every epoch.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Run directory (default: runs/<config name>).")
    var out: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        try TrainingJob.run(options.load(), out: out, resume: output.resume, force: output.force,
                            log: ProgressLog(quiet: output.quiet)) { print($0) }
    }
}
