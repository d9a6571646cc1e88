import Config
import Files
import Foundation
import Support

/// `infoplane train`: the training sessions of a config without the analysis, one after another
/// (an ensemble's copies too; `infoplane run` spreads those over ranks).
public enum TrainingJob {
    /// Trains every copy of `config` into `out` (default `runs/<name>`), handing each copy's
    /// summary line to `done` as it finishes.
    public static func run(_ config: ExperimentConfig, out: String?, resume: Bool, force: Bool, log: ProgressLog,
                           done: (String) -> Void) throws {
        let directory = out.map { RunDirectory($0) } ?? RunDirectory(name: config.name)
        guard config.replicas > 1 else { return done(try train(config, in: directory, resume: resume, force: force, log: log)) }
        for r in 0..<config.replicas {
            var copyLog = log
            copyLog.prefix = "copy \(r): "
            done(try train(config.copy(r), in: directory.copy(r), resume: resume, force: force, log: copyLog))
        }
    }

    private static func train(_ config: ExperimentConfig, in directory: RunDirectory, resume: Bool, force: Bool, log: ProgressLog) throws -> String {
        let summary = try TrainingSession(config: config, directory: directory.path, log: log).run(resume: resume, force: force)
        guard let final = summary.final else { return "\(summary.runPath): complete, \(summary.snapshots.count) snapshots" }
        let stop = summary.stoppedEpoch.map { ", stopped by the information rule (chosen epoch \(summary.chosenEpoch ?? $0))" } ?? ""
        // Regression has no accuracy (NaN): its test loss is the MSE.
        let score = final.testAccuracy.isNaN ? String(format: "test MSE %.4f", final.testLoss)
                                             : String(format: "test accuracy %.2f%%", 100 * final.testAccuracy)
        return "\(summary.runPath): \(final.epoch) epochs\(stop), \(score), \(summary.snapshots.count) snapshots"
    }
}
