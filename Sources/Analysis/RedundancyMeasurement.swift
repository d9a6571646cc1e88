import Estimators
import Files
import Foundation
import Support

extension RedundancyPlan {
    /// The values of `items`, concatenated in order (what one rank computes).
    ///
    /// LabelRedundancy works on a Double matrix of the layer (it selects unit columns and halves),
    /// so each item widens its layer once; only one layer is held at a time.
    public func compute(_ items: [Int], threads: Int, log: ProgressLog) throws -> [Double] {
        let reader = try RunFileReader(path: header.runPath)
        guard let labels = try reader.evaluation().targets.classLabels else { throw Self.regressionRefused(header.runPath) }
        var estimator = header.settings.estimator
        estimator.threads = threads
        var values: [Double] = []
        let clock = ContinuousClock.now
        for (done, item) in items.enumerated() {
            let e = item / header.layers.count, l = item % header.layers.count
            let activations = try reader.activations(epoch: header.epochs[e], layer: header.layers[l])
            let t = SampleMatrix(rows: header.samples, columns: header.widths[l], values: activations.map(Double.init))
            values += LabelRedundancy.estimate(t: t, labels: labels, layer: header.layers[l], slices: header.settings.slices,
                                               estimator: estimator, discrete: header.settings.discreteEstimator).flattened
            let seconds = Double((ContinuousClock.now - clock).components.seconds)
            log("redundancy: layer \(header.layers[l]) epoch \(header.epochs[e]) done (\(done + 1)/\(items.count) on this rank, \(Int(seconds)) s)")
        }
        return values
    }

    /// The items rank `rank` of `ranks` computes: i ≡ rank (mod ranks).
    public func items(ofRank rank: Int, ranks: Int) -> [Int] { Array(stride(from: rank, to: itemCount, by: ranks)) }

    /// Every item's result from what each rank sent (`gathered[r]`: rank r's values, in its
    /// items' order); `results[e][l]` is layer `layers[l]` at epoch `epochs[e]`. A rank that sent
    /// the wrong number of values failed (its error is printed already).
    public func results(from gathered: [[Double]]) throws -> [[LabelRedundancy]] {
        var results = [[LabelRedundancy?]](repeating: [LabelRedundancy?](repeating: nil, count: header.layers.count), count: header.epochs.count)
        for (rank, received) in gathered.enumerated() {
            let items = items(ofRank: rank, ranks: gathered.count)
            guard received.count == items.reduce(0, { $0 + values(ofItem: $1) }) else {
                throw InfoPlaneError("rank \(rank) failed (its error is above); nothing was written")
            }
            var offset = 0
            for item in items {
                let count = values(ofItem: item)
                results[item / header.layers.count][item % header.layers.count] = LabelRedundancy(
                    flattened: Array(received[offset..<(offset + count)]), width: header.widths[item % header.layers.count], slices: header.settings.slices)
                offset += count
            }
        }
        return results.map { $0.map { $0! } }
    }

    /// A table on standard output: each layer at its first and last snapshot, then the files.
    public func summary(_ results: [[LabelRedundancy]]) -> String {
        var lines = ["layer  width  epoch   ΣI(Ti;Y)   S1(T;Y)   ratio   S1(TA;Y)  S1(TB;Y)  Rmin/S1   [nats]"]
        for (l, layer) in header.layers.enumerated() {
            for e in Set([0, header.epochs.count - 1]).sorted() {
                let r = results[e][l]
                lines.append(String(format: "%5d  %5d  %5d  %9.4f  %8.4f  %6.2f  %8.4f  %8.4f  %7.3f", layer, header.widths[l], header.epochs[e],
                                    r.unitSum, r.joint.mean, r.ratio, r.halfA.mean, r.halfB.mean, r.minimumRatio))
            }
        }
        lines.append(String(format: "H(Y) = %.4f nats bounds I(T;Y); a unit sum above it proves redundancy.", header.labelEntropy))
        lines.append("\(outPath): \(header.layers.count) layers × \(header.epochs.count) snapshots, \(header.settings.slices) slices (also \(RedundancyFile.csvPath(for: outPath)))")
        return lines.joined(separator: "\n")
    }
}
