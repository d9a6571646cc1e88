import Storage

/// The schema of `plane.h5` (documented in README, "Files"):
///
/// ```
/// /                 attributes: format, format_version, tool_version, run, estimator,
///                   label_estimator, target (labels | continuous), target_width,
///                   target_estimator, k, slices, seed, standardize, jitter, shuffle_baseline,
///                   units, samples, epochs_planned, layers, complete, identity
/// /layer_L/epoch            E int64: the completed snapshot epochs, ascending
/// /layer_L/sxt, sxt_se      E float64: S1(X;T) mean over slices and its standard error
/// /layer_L/sty, sty_se      E float64: S1(T;Y)
/// /layer_L/sxt_values       E × m float64: per projection (likewise sty_values)
/// /layer_L/sxt_baseline…    the same on shuffled pairings, when shuffle_baseline = 1
/// ```
public enum PlaneFile {
    public static let format = "infoplane-plane"
    public static let formatVersion: Int64 = 1

    /// The items of `plan` whose values a plane file holds (every block of its stored epochs).
    static func items(in file: HDF5File, plan: AnalysisPlan) throws -> [(Int, [Double])] {
        let names = ["sxt", "sty", "sxt_baseline", "sty_baseline"].prefix(plan.settings.quantities)
        let m = plan.settings.slices
        var result: [(Int, [Double])] = []
        for (l, layer) in plan.layers.enumerated() {
            let group = try file.root.group("layer_\(layer)")
            let epochs = try group.read("epoch", as: Int64.self).values
            let columns = try names.map { try group.read($0 + "_values", as: Double.self).values }
            for (row, epoch) in epochs.enumerated() {
                guard let e = plan.epochs.firstIndex(of: Int(epoch)) else { continue }
                for block in 0..<plan.blocksPerLayer {
                    let slices = plan.slices(ofBlock: block)
                    var values: [Double] = []
                    for column in columns {
                        guard column.count >= (row + 1) * m else {
                            throw StorageError(.shapeMismatch, "\(file.path): layer_\(layer) values are shorter than its epochs: the file is damaged; use --force")
                        }
                        values += slices.map { column[row * m + $0] }
                    }
                    result.append((plan.index(of: WorkItem(epochIndex: e, layerIndex: l, block: block)), values))
                }
            }
        }
        return result
    }
}
