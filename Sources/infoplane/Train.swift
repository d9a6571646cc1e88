import ArgumentParser
import Experiment
import Foundation

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the network of a config and record its hidden activations in run.h5.",
        discussion: """
            Writes <out>/run.h5: the evaluation set, per-epoch training curves, the hidden-layer \
            activations at each snapshot epoch, and a checkpoint after every epoch.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Run directory (default: runs/<config name>).")
    var out: String?

    @Flag(help: "Continue the run in the output directory from its last checkpoint (start it if there is none).")
    var resume = false

    @Flag(help: "Replace a run that already exists in the output directory.")
    var force = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if resume && force { throw UsageError("--resume and --force contradict each other: choose one") }
    }

    func run() throws {
        let config = try options.load()
        let directory = out ?? "runs/\(config.name)"
        let session = TrainingSession(config: config, directory: directory, log: ProgressLog(quiet: quiet))
        let summary = try session.run(resume: resume, force: force)
        if let final = summary.final {
            print(String(format: "%@: %d epochs, test accuracy %.2f%%, %d snapshots",
                         summary.runPath, config.training.epochs, 100 * final.testAccuracy, summary.snapshots.count))
        } else {
            print("\(summary.runPath): complete, \(summary.snapshots.count) snapshots")
        }
    }
}
