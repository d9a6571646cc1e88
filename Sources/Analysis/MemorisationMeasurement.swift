import Estimators
import Files
import Foundation
import Support

extension MemorisationPlan {
    /// The values of `items` (m each), concatenated in order (what one rank computes).
    public func compute(_ items: [Int], threads: Int, log: ProgressLog) throws -> [Double] {
        let reader = try RunFileReader(path: header.runPath)
        var estimator = header.settings.estimator
        estimator.threads = threads
        let m = header.settings.slices, layerCount = header.layers.count
        var values: [Double] = []
        let clock = ContinuousClock.now
        // A rank's items of one snapshot-layer come in a row (its curves), and two curves share
        // the noisy rows: the layer is read, and its rows gathered, once for them.
        var last: (e: Int, l: Int, activations: [Float])?
        var lastRows: (e: Int, l: Int, rows: [Int], t: SampleMatrix)?
        for (done, item) in items.enumerated() {
            let (e, l, curve) = (item / (layerCount * curves.count), item / curves.count % layerCount, curves[item % curves.count])
            if last?.e != e || last?.l != l {
                last = (e, l, try reader.activations(epoch: header.epochs[e], layer: header.layers[l]))
            }
            let rows = header.rows(curve)
            if lastRows?.e != e || lastRows?.l != l || lastRows?.rows != rows {
                lastRows = (e, l, rows, Self.rows(rows, of: last!.activations, width: header.widths[l]))
            }
            let t = lastRows!.t
            values += estimator.labelInformation(t: t, labels: header.labels(curve), layer: Self.estimateLayerKey, slices: 0..<m,
                                                 estimator: header.settings.discreteEstimator)
            let seconds = Double((ContinuousClock.now - clock).components.seconds)
            log("memorisation: layer \(header.layers[l]) epoch \(header.epochs[e]) \(curve.rawValue) done (\(done + 1)/\(items.count) on this rank, \(Int(seconds)) s)")
        }
        return values
    }

    /// The `rows` of an n × width float32 layer, widened to Double in that order.
    static func rows(_ rows: [Int], of activations: [Float], width: Int) -> SampleMatrix {
        var values = [Double](repeating: 0, count: rows.count * width)
        for (r, row) in rows.enumerated() {
            for c in 0..<width { values[r * width + c] = Double(activations[row * width + c]) }
        }
        return SampleMatrix(rows: rows.count, columns: width, values: values)
    }

    /// The items rank `rank` of `ranks` computes: i ≡ rank (mod ranks).
    public func items(ofRank rank: Int, ranks: Int) -> [Int] { Array(stride(from: rank, to: itemCount, by: ranks)) }

    /// Every curve's estimate from what each rank sent (`gathered[r]`: rank r's values, in its
    /// items' order): `results[e][l][c]` for curve `Curve.allCases[c]`, nil where not measured.
    public func results(from gathered: [[Double]]) throws -> [[[SlicedEstimate?]]] {
        let m = header.settings.slices, all = MemorisationFile.Curve.allCases
        var results = [[[SlicedEstimate?]]](repeating: [[SlicedEstimate?]](repeating: [SlicedEstimate?](repeating: nil, count: all.count),
                                                                             count: header.layers.count), count: header.epochs.count)
        for (rank, received) in gathered.enumerated() {
            let items = items(ofRank: rank, ranks: gathered.count)
            guard received.count == items.count * m else { throw InfoPlaneError("rank \(rank) failed (its error is above); nothing was written") }
            for (position, item) in items.enumerated() {
                let e = item / (header.layers.count * curves.count), l = item / curves.count % header.layers.count
                let c = all.firstIndex(of: curves[item % curves.count])!
                results[e][l][c] = SlicedEstimate(values: Array(received[(position * m)..<((position + 1) * m)]))
            }
        }
        return results
    }

    /// A table on standard output: each layer at its first and last snapshot, then the file.
    public func summary(_ results: [[[SlicedEstimate?]]]) -> String {
        var lines = [String(format: "label noise p = %g: %d noisy and %d clean training rows", header.fraction, header.noisyRows.count, header.cleanRows.count),
                     "layer  epoch  S1(T;Ynoisy) noisy  S1(T;Ytrue) noisy  S1(T;Y) clean   [nats]"]
        for l in header.layers.indices {
            for e in Set([0, header.epochs.count - 1]).sorted() {
                let r = results[e][l].map { $0?.mean ?? .nan }
                lines.append(String(format: "%5d  %5d  %18.4f  %17.4f  %14.4f", header.layers[l], header.epochs[e], r[0], r[1], r[2]))
            }
        }
        lines.append("\(outPath): \(header.layers.count) layers × \(header.epochs.count) snapshots, \(header.settings.slices) slices (also \(MemorisationFile.csvPath(for: outPath)))")
        return lines.joined(separator: "\n")
    }
}
