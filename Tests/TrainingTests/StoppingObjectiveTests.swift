import Analysis
import Config
import Estimators
import Files
import Foundation
import Support
import Testing
import Training

private let stoppingSmoke = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("configs/stopping-smoke.yaml").path

@Suite struct StoppingObjectiveTests {
    /// The smoke-sized stopping run: the rule fires where its recorded objectives say it must, and
    /// each recorded objective equals a recomputation from the activations stored in the file.
    @Test func recordedObjectivesAndDecisionMatchARecomputationFromTheRunFile() throws {
        let config = try ExperimentConfig.load(path: stoppingSmoke)
        let stopping = try #require(config.stopping)
        let directory = NSTemporaryDirectory() + "infoplane-stopping-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = try TrainingSession(config: config, directory: directory, log: ProgressLog(quiet: true))
            .run(resume: false, force: false)
        let record = try StoppingRecord.read(runPath: summary.runPath)

        // Training ended at the stop, well before training.epochs, with a snapshot at every epoch.
        let stopped = try #require(summary.stoppedEpoch)
        #expect(stopped < config.training.epochs)
        #expect(summary.final?.epoch == stopped)
        #expect(summary.snapshots == Array(0...stopped))
        #expect(record.epochs == summary.snapshots)
        #expect(record.stoppedEpoch == stopped)

        // Replaying the pure rule on the recorded objectives stops at the same epoch, not before.
        var rule = InformationStoppingRule(window: stopping.window, tolerance: stopping.tolerance)
        let firstStop = zip(record.epochs, record.objectives).first { rule.record(epoch: $0.0, objective: $0.1) }?.0
        #expect(firstStop == stopped)
        let best = record.objectives.indices.max { record.objectives[$0] < record.objectives[$1] }!
        #expect(record.chosenEpoch == record.epochs[best])
        #expect(summary.chosenEpoch == record.chosenEpoch)
        #expect(record.chosenEpoch != stopped, "this config is meant to stop after its best epoch")

        // J = S1(T;Y) − β S1(X;T), each part recomputed from the stored activations.
        let source = try RunFileReader(path: summary.runPath)
        let evaluation = try source.evaluation()
        let labels = try #require(evaluation.targets.classLabels)
        let x = SampleMatrix(rows: evaluation.samples, columns: evaluation.features, values: evaluation.inputs.map(Double.init))
        let estimator = SlicedMutualInformation(k: stopping.k, seed: stopping.seed,
                                                preparation: SlicePreparation(standardize: true, jitter: 1e-10, seed: stopping.seed))
        for (row, epoch) in record.epochs.enumerated() where [0, record.chosenEpoch!, stopped].contains(epoch) {
            let values = try source.activations(epoch: epoch, layer: stopping.layer)
            let t = SampleMatrix(rows: evaluation.samples, columns: values.count / evaluation.samples, values: values.map(Double.init))
            let sxt = SlicedEstimate(values: estimator.inputInformation(x: x, t: t, layer: stopping.layer, slices: 0..<stopping.slices))
            let sty = SlicedEstimate(values: estimator.labelInformation(t: t, labels: labels, layer: stopping.layer,
                                                                        slices: 0..<stopping.slices))
            #expect(record.inputInformation[row] == sxt.mean)
            #expect(record.labelInformation[row] == sty.mean)
            #expect(record.objectives[row] == sty.mean - stopping.beta * sxt.mean)
            #expect(sxt.mean > 0.05 && sty.mean > 0.3, "the parts are real information, not zeros")
        }
    }
}
