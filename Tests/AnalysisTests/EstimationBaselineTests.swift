import Analysis
import Estimators
import Foundation
import Randomness
import Storage
import Testing

/// `infoplane estimate --shuffle-baseline` re-pairs each slice by its own permutation, the same
/// streams as the plane's baseline.
@Suite struct EstimationBaselineTests {
    @Test func eachBaselineSliceIsThatSliceOnItsOwnPermutation() throws {
        let n = 300
        var stream = RandomStream(seed: 5, purpose: "test.estimate-baseline")
        let x = SampleMatrix(rows: n, columns: 3, values: (0..<(3 * n)).map { _ in stream.nextGaussian() })
        let y = SampleMatrix(rows: n, columns: 2, values: (0..<(2 * n)).map { e in x.values[(e / 2) * 3 + e % 2] + 0.3 * stream.nextGaussian() })
        let path = NSTemporaryDirectory() + "estimate-baseline-\(UUID().uuidString.prefix(8)).h5"
        defer { unlink(path) }
        let file = try HDF5File.create(at: path, overwrite: true)
        try file.root.write("x", x.values, shape: [n, 3])
        try file.root.write("y", y.values, shape: [n, 2])
        try file.close()

        // Jitter 0 (Gaussian data has no ties): the baseline's re-pairing of prepared slices then
        // equals re-pairing the data, up to rounding in the standardisation.
        let estimator = SlicedMutualInformation(k: 5, seed: 3, preparation: SlicePreparation(standardize: true, jitter: 0, seed: 3))
        // 40 slices, seed 3, no jitter, with the shuffle baseline.
        func request(y: String, discreteY: Bool) -> EstimationRequest {
            var request = EstimationRequest(input: path, xName: "x", yName: y)
            request.discreteY = discreteY
            request.slices = 40
            request.seed = 3
            request.jitter = 0
            request.shuffleBaseline = true
            return request
        }
        let report = try Estimation.run(request(y: "y", discreteY: false))
        let baseline = try #require(report.baseline)
        #expect(baseline.values.count == 40)
        for j in [0, 1, 31, 32, 39] {
            let permutation = SlicedMutualInformation.baselinePermutation(seed: 3, slice: j, samples: n)
            let alone = estimator.inputInformation(x: x, t: y.permutingRows(permutation), layer: 0, slices: j..<(j + 1))[0]
            #expect(abs(baseline.values[j] - alone) < 1e-9, "slice \(j): \(baseline.values[j]) against \(alone)")
        }
        #expect(report.estimate.mean > 0.1 && abs(baseline.mean) < 0.05, "estimate \(report.estimate.mean), baseline \(baseline.mean)")

        // Labels: the layer (here x) is re-paired with the labels slice by slice.
        let labels = (0..<n).map { Int64(x.values[$0 * 3] > 0 ? 1 : 0) }
        let labelled = try HDF5File.open(at: path, writable: true)
        try labelled.root.write("labels", labels, shape: [n])
        try labelled.close()
        let labelReport = try Estimation.run(request(y: "labels", discreteY: true))
        let labelBaseline = try #require(labelReport.baseline)
        for j in [0, 17, 39] {
            let permutation = SlicedMutualInformation.baselinePermutation(seed: 3, slice: j, samples: n)
            let alone = estimator.labelInformation(t: x.permutingRows(permutation), labels: labels.map { Int32($0) }, layer: 0, slices: j..<(j + 1))[0]
            #expect(abs(labelBaseline.values[j] - alone) < 1e-9, "slice \(j): \(labelBaseline.values[j]) against \(alone)")
        }
    }
}
