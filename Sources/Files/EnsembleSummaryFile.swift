import Storage

/// `ensemble.csv`: per layer and epoch, the pooled S1(X;T), S1(T;Y) with their standard errors,
/// and the copies' mean and standard deviation (the spread across copies).
public enum EnsembleSummaryFile {
    /// One row of the table.
    public struct Row: Sendable {
        /// Hidden layer (1-based) and snapshot epoch.
        public var layer, epoch: Int
        /// The pooled plane's values at this layer and epoch.
        public var pooled: PlaneFile.SummaryRow
        /// Mean and standard deviation of the copies' S1(X;T).
        public var copiesSXT: (mean: Double, sd: Double)
        /// Mean and standard deviation of the copies' S1(T;Y).
        public var copiesSTY: (mean: Double, sd: Double)
        /// How many copies.
        public var copies: Int

        /// A row from its parts.
        public init(layer: Int, epoch: Int, pooled: PlaneFile.SummaryRow, copiesSXT: (mean: Double, sd: Double),
                    copiesSTY: (mean: Double, sd: Double), copies: Int) {
            self.layer = layer
            self.epoch = epoch
            self.pooled = pooled
            self.copiesSXT = copiesSXT
            self.copiesSTY = copiesSTY
            self.copies = copies
        }
    }

    /// The CSV's header line.
    public static let header = "layer,epoch,pooled_sxt,pooled_sxt_se,pooled_sty,pooled_sty_se,copies_sxt_mean,copies_sxt_sd,copies_sty_mean,copies_sty_sd,copies"

    /// Writes `rows` to `path` atomically, values in shortest round-trip form.
    public static func write(_ rows: [Row], to path: String) throws {
        let lines = [header] + rows.map { row in
            let p = row.pooled
            return [row.layer, row.epoch].map(String.init).joined(separator: ",") + ","
                + [p.sxt, p.sxtSE, p.sty, p.stySE, row.copiesSXT.mean, row.copiesSXT.sd, row.copiesSTY.mean, row.copiesSTY.sd]
                    .map { "\($0)" }.joined(separator: ",")
                + ",\(row.copies)"
        }
        try writeTextAtomically(lines.joined(separator: "\n") + "\n", to: path, hint: "check that the run directory is writable")
    }
}
