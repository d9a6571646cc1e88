import Config
import Estimators
import Experiment
import Files
import Foundation
@testable import Pipeline
import Randomness
import Testing

private func gaussianMatrix(rows: Int, columns: Int, seed: UInt64, purpose: String) -> SampleMatrix {
    var stream = RandomStream(seed: seed, purpose: purpose)
    return SampleMatrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in stream.nextGaussian() })
}

private func plan(slices: Int, baseline: Bool = false, epochs: [Int] = [0, 3], layers: [Int] = [1, 2]) throws -> AnalysisPlan {
    var section = try ExperimentConfig.parse(yaml: "seed: 11", source: "test").analysis
    section.slices = slices
    section.shuffleBaseline = baseline
    return AnalysisPlan(settings: section, epochs: epochs, layers: layers, widths: [6, 4],
                        samples: 300, features: 5, source: "test")
}

@Suite struct PipelineTests {
    @Test func itemNumberingCoversEverySliceOnce() throws {
        let p = try plan(slices: 70)
        #expect(p.blocksPerLayer == 3 && p.itemsPerEpoch == 6 && p.itemCount == 12)
        var covered = Set<[Int]>()
        for index in 0..<p.itemCount {
            let item = p.item(index)
            #expect(p.index(of: item) == index)
            for j in p.slices(ofBlock: item.block) { covered.insert([item.epochIndex, item.layerIndex, j]) }
        }
        #expect(covered.count == 2 * 2 * 70)
        #expect(p.slices(ofBlock: 2) == 64..<70)
    }

    /// A work item's values are exactly what the sliced estimator gives for the same slices, so
    /// the pipeline, `analyze` and library users agree.
    @Test func workerValuesEqualTheSlicedEstimator() throws {
        let p = try plan(slices: 40, baseline: true)
        let x = gaussianMatrix(rows: 300, columns: 5, seed: 1, purpose: "x")
        let noise = gaussianMatrix(rows: 300, columns: 4, seed: 2, purpose: "t")
        // T depends on X (plus noise), labels on X's first coordinate.
        let mixed: [Double] = (0..<1200).map { (e: Int) -> Double in
            let source: Double = x.values[(e / 4) * 5 + e % 4]
            return source + 0.5 * noise.values[e]
        }
        let t = SampleMatrix(rows: 300, columns: 4, values: mixed)
        let labels: [Int32] = (0..<300).map { i in
            let a: Int32 = x.values[i * 5] > 0 ? 1 : 0
            let b: Int32 = x.values[i * 5 + 1] > 0.5 ? 2 : 0
            return a + b
        }
        let worker = SliceWorker(plan: p, inputs: x, labels: labels)
        let estimator = p.settings.estimator
        var sxt: [Double] = [], sty: [Double] = [], sxtBaseline: [Double] = [], styBaseline: [Double] = []
        for block in 0..<p.blocksPerLayer {
            let values = worker.compute(WorkItem(epochIndex: 1, layerIndex: 1, block: block), activations: t)
            let count = p.slices(ofBlock: block).count
            #expect(values.count == 4 * count)
            sxt += values[0..<count]
            sty += values[count..<(2 * count)]
            sxtBaseline += values[(2 * count)..<(3 * count)]
            styBaseline += values[(3 * count)..<(4 * count)]
        }
        #expect(sxt == estimator.inputInformation(x: x, t: t, layer: 2, slices: 0..<40))
        #expect(sty == estimator.labelInformation(t: t, labels: labels, layer: 2, slices: 0..<40))
        #expect(SlicedEstimate(values: sty).mean > 0.1, "T carries label information")

        // The baseline of slice j is slice j on T re-paired by its own permutation.
        for j in [0, 1, 33] {
            let permutation = SlicedMutualInformation.baselinePermutation(seed: p.settings.seed, slice: j, samples: 300)
            let shuffled = t.permutingRows(permutation)
            #expect([sxtBaseline[j]] == estimator.inputInformation(x: x, t: shuffled, layer: 2, slices: j..<(j + 1)))
            #expect([styBaseline[j]] == estimator.labelInformation(t: shuffled, labels: labels, layer: 2, slices: j..<(j + 1)))
        }
        #expect(SlicedMutualInformation.baselinePermutation(seed: 11, slice: 0, samples: 300) != SlicedMutualInformation.baselinePermutation(seed: 11, slice: 1, samples: 300))
        #expect(abs(SlicedEstimate(values: styBaseline).mean) < 0.05, "shuffled pairings carry nothing")
    }
}
