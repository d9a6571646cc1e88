import Analysis
import Config
import Estimators
import Files
import Foundation
import Randomness
import Testing

private func gaussianMatrix(rows: Int, columns: Int, seed: UInt64, purpose: String) -> SampleMatrix {
    var stream = RandomStream(seed: seed, purpose: purpose)
    return SampleMatrix(rows: rows, columns: columns, values: (0..<(rows * columns)).map { _ in stream.nextGaussian() })
}

private func plan(slices: Int, baseline: Bool = false, epochs: [Int] = [0, 3], layers: [Int] = [1, 2], samples: Int = 300) throws -> AnalysisPlan {
    var settings = try ExperimentConfig.parse(yaml: "seed: 11", source: "test").analysis
    settings.slices = slices
    settings.shuffleBaseline = baseline
    return AnalysisPlan(settings: settings, epochs: epochs, layers: layers, widths: [6, 4],
                        samples: samples, features: 5, source: "test")
}

/// Float32 activations that depend on X (plus noise), n × 4, and labels from X's first coordinates.
private func layerAndLabels(_ x: SampleMatrix) -> (t: [Float], labels: [Int32]) {
    let n = x.rows
    let noise = gaussianMatrix(rows: n, columns: 4, seed: 2, purpose: "t")
    let t: [Float] = (0..<(4 * n)).map { (e: Int) -> Float in
        let source: Double = x.values[(e / 4) * 5 + e % 4]
        return Float(source + 0.5 * noise.values[e])
    }
    let labels: [Int32] = (0..<n).map { (i: Int) -> Int32 in
        let a: Int32 = x.values[i * 5] > 0 ? 1 : 0
        let b: Int32 = x.values[i * 5 + 1] > 0.5 ? 2 : 0
        return a + b
    }
    return (t, labels)
}

@Suite struct SliceWorkerTests {
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

    /// A work item's values are exactly what the sliced estimator gives for the same slices on the
    /// activations widened to Double, so the pipeline, `analyze` and library users agree.
    @Test func workerValuesEqualTheSlicedEstimator() throws {
        let p = try plan(slices: 40, baseline: true)
        let x = gaussianMatrix(rows: 300, columns: 5, seed: 1, purpose: "x")
        let (activations, labels) = layerAndLabels(x)
        let t = SampleMatrix(rows: 300, columns: 4, values: activations.map(Double.init))
        let worker = SliceWorker(settings: p.settings, inputs: x, targets: .labels(labels))
        let estimator = p.settings.estimator
        var sxt: [Double] = [], sty: [Double] = [], sxtBaseline: [Double] = [], styBaseline: [Double] = []
        for block in 0..<p.blocksPerLayer {
            let values = worker.compute(WorkItem(epochIndex: 1, layerIndex: 1, block: block), of: p, activations: activations)
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

    /// More samples than one widening block of the float32 projection (1024 rows): the values
    /// still equal the estimator's on the whole layer widened to Double, bit for bit.
    @Test func floatActivationsProjectedBlockByBlockEqualTheDoublePath() throws {
        let n = 2500
        let p = try plan(slices: 40, samples: n)
        let x = gaussianMatrix(rows: n, columns: 5, seed: 4, purpose: "x")
        let (activations, labels) = layerAndLabels(x)
        let t = SampleMatrix(rows: n, columns: 4, values: activations.map(Double.init))
        let worker = SliceWorker(settings: p.settings, inputs: x, targets: .labels(labels))
        let measured = worker.measure(layer: 2, slices: 40, activations: activations, width: 4)
        #expect(measured[0] == p.settings.estimator.inputInformation(x: x, t: t, layer: 2, slices: 0..<40))
        #expect(measured[1] == p.settings.estimator.labelInformation(t: t, labels: labels, layer: 2, slices: 0..<40))
    }

    /// A batch of items projected in one pass over the rows (as a rank does from its node's
    /// window) gives each item the values it gets alone.
    @Test func aBatchOfItemsGivesEachTheValuesItGetsAlone() throws {
        let n = 1100
        let p = try plan(slices: 100, baseline: true, samples: n)
        let x = gaussianMatrix(rows: n, columns: 5, seed: 6, purpose: "x")
        let (activations, labels) = layerAndLabels(x)
        let worker = SliceWorker(settings: p.settings, inputs: x, targets: .labels(labels))
        let items = (0..<p.blocksPerLayer).map { WorkItem(epochIndex: 1, layerIndex: 1, block: $0) }
        let batch = activations.withUnsafeBufferPointer { worker.project(items, of: p, activations: $0) }.map { worker.values(of: $0) }
        let alone = items.map { SliceWorker(settings: p.settings, inputs: x, targets: .labels(labels)).compute($0, of: p, activations: activations) }
        #expect(batch.map { $0.map(\.bitPattern) } == alone.map { $0.map(\.bitPattern) })
    }

    /// Cutting a plan to the epochs training reached keeps every remaining item's number.
    @Test func truncatedPlanKeepsItemNumbers() throws {
        var settings = try ExperimentConfig.parse(yaml: "seed: 3", source: "test").analysis
        settings.slices = 70
        let full = AnalysisPlan(settings: settings, epochs: [0, 1, 2, 4, 8], layers: [1, 2], widths: [5, 3],
                                samples: 100, features: 4, source: "test")
        let cut = full.truncated(toEpochs: 3)
        #expect(cut.epochs == [0, 1, 2])
        #expect(cut.itemCount == 3 * full.itemsPerEpoch)
        for index in 0..<cut.itemCount { #expect(cut.item(index) == full.item(index)) }
        #expect(cut.identityLines.contains("epochs: [0, 1, 2]"))
    }
}

/// The time left is measured from the work done since work was handed out, and withheld until
/// every rank has delivered an item.
@Suite struct AnalysisProgressTests {
    @Test func theTimeLeftWaitsForEveryRankThenFollowsTheMeasuredRate() {
        #expect(AnalysisProgress.timeLeft(measured: 1, toMeasure: 2, remaining: 47, elapsed: 12) == "estimating…")
        #expect(AnalysisProgress.timeLeft(measured: 0, toMeasure: 0, remaining: 47, elapsed: 12) == "estimating…")
        #expect(AnalysisProgress.timeLeft(measured: 2, toMeasure: 2, remaining: 46, elapsed: 3) == "1 min 9 s")
        #expect(AnalysisProgress.timeLeft(measured: 40, toMeasure: 2, remaining: 0, elapsed: 30) == "0 s")
    }
}
