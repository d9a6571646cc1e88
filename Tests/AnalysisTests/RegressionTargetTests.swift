import Analysis
import Config
import Estimators
import Randomness
import Testing

/// Work items for continuous targets (regression).
@Suite struct RegressionTargetTests {
    @Test func workerValuesForContinuousTargetsEqualTheSlicedEstimatorAndTheBaselineIsNearZero() throws {
        var section = try ExperimentConfig.parse(yaml: "seed: 11", source: "test").analysis
        section.slices = 40
        section.shuffleBaseline = true
        let plan = AnalysisPlan(settings: section, epochs: [0], layers: [1], widths: [4], samples: 400, features: 1,
                                source: "test", targetWidth: 1)
        var stream = RandomStream(seed: 3, purpose: "test.regression")
        let x = (0..<400).map { _ in 6 * stream.nextUniform() - 3 }
        let y = x.map { $0 * $0 - $0 - 1 + 0.2 * stream.nextGaussian() }
        let activations = x.flatMap { [max($0, 0), max(-$0, 0), $0 * $0, 1 - $0] }.map(Float.init)
        let t = SampleMatrix(rows: 400, columns: 4, values: activations.map(Double.init))
        let worker = SliceWorker(settings: section, inputs: x.map(Float.init), features: 1, targets: .continuous(y, width: 1))
        var sty: [Double] = [], baseline: [Double] = []
        for block in 0..<plan.blocksPerLayer {
            let values = worker.compute(WorkItem(epochIndex: 0, layerIndex: 0, block: block), of: plan, activations: activations)
            let count = plan.slices(ofBlock: block).count
            #expect(values.count == 4 * count)
            sty += values[count..<(2 * count)]
            baseline += values[(3 * count)..<(4 * count)]
        }
        let targets = SampleMatrix(rows: 400, columns: 1, values: y)
        #expect(sty == section.estimator.targetInformation(t: t, targets: targets, layer: 1, slices: 0..<40))
        #expect(SlicedEstimate(values: sty).mean > 1, "T determines x, which carries most of y")
        #expect(abs(SlicedEstimate(values: baseline).mean) < 0.05, "shuffled pairings carry nothing")
        #expect(plan.identityLines.last == "targets: continuous 1")
    }
}
