import Files
import Support

/// `ensemble.csv`: per layer and epoch, the pooled S1(X;T), S1(T;Y) with their standard errors,
/// and the copies' mean and standard deviation (the spread across copies, n − 1 denominator).
public enum EnsembleSummary {
    /// Writes `path` (atomically) from the copies' plane files and the pool's.
    public static func write(copies: [String], pooled: String, to path: String) throws {
        let pool = try PlaneFile.summaryRows(pooled)
        let each = try copies.map { try PlaneFile.summaryRows($0) }
        var rows: [EnsembleSummaryFile.Row] = []
        for (layer, layerRows) in pool.sorted(by: { $0.key < $1.key }) {
            for row in layerRows {
                let matches = each.compactMap { $0[layer]?.first { $0.epoch == row.epoch } }
                guard matches.count == copies.count else {
                    throw InfoPlaneError("a copy's plane lacks layer \(layer) at epoch \(row.epoch): rerun the ensemble with --resume")
                }
                rows.append(EnsembleSummaryFile.Row(layer: layer, epoch: row.epoch, pooled: row, copiesSXT: meanAndSD(matches.map(\.sxt)),
                                                    copiesSTY: meanAndSD(matches.map(\.sty)), copies: copies.count))
            }
        }
        try EnsembleSummaryFile.write(rows, to: path)
    }

    static func meanAndSD(_ values: [Double]) -> (mean: Double, sd: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot())
    }
}
