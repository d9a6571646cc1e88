import Foundation
import Storage

extension FileSummary {
    /// The summary of an InfoPlane file that is not a run file (plane.h5, plane-binning.h5,
    /// plane-kde.h5, a pooled plane, redundancy.h5); nil for a file InfoPlane did not write.
    static func outputLines(_ file: HDF5File, path: String) throws -> [String]? {
        let root = file.root
        if try PlaneFile.format.marks(root) { return try planeLines(file, path: path) }
        if try RedundancyFile.format.marks(root) { return try redundancyLines(file, path: path) }
        return nil
    }

    /// The first line of any of our files: what it is, its format version and writer.
    private static func heading(_ root: HDF5Group, path: String, what: String) throws -> String {
        "\(path): InfoPlane \(what) (format \(try root.intAttribute("format_version") ?? 0), written by infoplane \(try root.stringAttribute("tool_version") ?? "?"))"
    }

    /// A plane: what it measured and how, and each layer's values at its newest epoch.
    private static func planeLines(_ file: HDF5File, path: String) throws -> [String] {
        let root = file.root
        let estimator = try root.stringAttribute("estimator") ?? "?"
        let settings: String
        switch estimator {
        case "binning": settings = "binning, \(try root.intAttribute("bins") ?? 0) bins per unit"
        case "kde": settings = String(format: "kde, noise variance %g", try root.doubleAttribute("noise_variance") ?? 0)
        default: settings = "\(estimator) + \(try root.stringAttribute("target_estimator") ?? "?") for Y, k = \(try root.intAttribute("k") ?? 0), "
            + "\(try root.intAttribute("slices") ?? 0) slices, seed \(try root.intAttribute("seed") ?? 0)"
        }
        let planned = try root.intsAttribute("epochs_planned") ?? []
        let rows = try PlaneFile.summaryRows(path)
        let done = Set(rows.values.flatMap { $0.map(\.epoch) }).count
        var lines = [try heading(root, path: path, what: "plane file"),
                     "  run:        \(try root.stringAttribute("run") ?? "?")",
                     "  estimate:   \(settings), n = \(try root.intAttribute("samples") ?? 0) samples",
                     "  snapshots:  \(done) of \(planned.count) planned\((try root.intAttribute("complete") ?? 0) == 1 ? " (complete)" : "")"]
        let names = (try root.stringsAttribute("layer_names")) ?? [], keys = (try root.intsAttribute("layers")) ?? []
        let classic = estimator == "binning" || estimator == "kde"
        for layer in keys.map({ Int($0) }) where rows[layer]?.last != nil {
            let last = rows[layer]!.last!
            let name = keys.firstIndex(of: Int64(layer)).flatMap { $0 < names.count ? names[$0] : nil } ?? "layer \(layer)"
            // A classic plane's values are whole-layer estimates: one number, no standard error.
            lines.append(classic
                ? String(format: "  %@ at epoch %d: I(X;T) %.4f, I(T;Y) %.4f nats", name, last.epoch, last.sxt, last.sty)
                : String(format: "  %@ at epoch %d: S1(X;T) %.4f ± %.4f, S1(T;Y) %.4f ± %.4f nats",
                         name, last.epoch, last.sxt, last.sxtSE, last.sty, last.stySE))
        }
        return lines
    }

    /// A redundancy file: its settings and each layer's ratios at its newest epoch.
    private static func redundancyLines(_ file: HDF5File, path: String) throws -> [String] {
        let root = file.root
        let epochs = try root.intsAttribute("epochs") ?? []
        var lines = [try heading(root, path: path, what: "redundancy file"),
                     "  run:        \(try root.stringAttribute("run") ?? "?")",
                     "  estimate:   \(try root.stringAttribute("label_estimator") ?? "?"), k = \(try root.intAttribute("k") ?? 0), "
                        + "\(try root.intAttribute("slices") ?? 0) slices, seed \(try root.intAttribute("seed") ?? 0), n = \(try root.intAttribute("samples") ?? 0) samples",
                     "  snapshots:  \(epochs.count) at epochs \(epochs.map(String.init).joined(separator: " "))"]
        for member in try root.members() where member.kind == .group {
            let group = try root.group(member.name)
            let ratio = try group.read("redundancy_ratio", as: Double.self).values
            let mmi = try group.read("mmi_ratio", as: Double.self).values
            guard let last = ratio.indices.last, let epoch = epochs.last else { continue }
            lines.append(String(format: "  %@ at epoch %d: Σ I(T_i;Y) / S1(T;Y) = %.3f, min-information ratio %.3f",
                                member.name, Int(epoch), ratio[last], mmi.indices.contains(last) ? mmi[last] : .nan))
        }
        return lines
    }
}
