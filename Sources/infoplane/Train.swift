import ArgumentParser
import Config
import Files
import Training
import Foundation
import Pipeline
import Support

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

    @OptionGroup var output: OutputOptions

    func run() throws {
        let config = try options.load()
        let directory = out ?? "runs/\(config.name)"
        guard config.replicas > 1 else { return try train(config, directory: directory) }
        // An ensemble: the copies one after another (`infoplane run` spreads them over ranks).
        for r in 0..<config.replicas {
            try train(config.copy(r), directory: RunDirectory(directory).copy(r).path, label: "copy \(r): ")
        }
    }

    private func train(_ config: ExperimentConfig, directory: String, label: String = "") throws {
        let session = TrainingSession(config: config, directory: directory, log: ProgressLog(quiet: output.quiet, prefix: label))
        let summary = try session.run(resume: output.resume, force: output.force)
        if let final = summary.final {
            let stop = summary.stoppedEpoch.map { ", stopped by the information rule (chosen epoch \(summary.chosenEpoch ?? $0))" } ?? ""
            // Regression has no accuracy (NaN): its test loss is the MSE.
            let score = final.testAccuracy.isNaN ? String(format: "test MSE %.4f", final.testLoss)
                                                 : String(format: "test accuracy %.2f%%", 100 * final.testAccuracy)
            print("\(summary.runPath): \(final.epoch) epochs\(stop), \(score), \(summary.snapshots.count) snapshots")
        } else {
            print("\(summary.runPath): complete, \(summary.snapshots.count) snapshots")
        }
    }
}
