import Foundation
import Storage

/// Human-readable summaries of the files InfoPlane writes, for `infoplane inspect`.
public enum FileSummary {
    /// A summary of any HDF5 file: run files in InfoPlane's terms, anything else as a tree.
    public static func lines(path: String, showConfig: Bool = false) throws -> [String] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let root = file.root
        guard try RunFile.format.marks(root) else {
            return ["\(path): HDF5 file (not written by InfoPlane)"] + (try file.root.describe(maxDepth: 6))
        }
        var lines: [String] = []
        let version = try root.intAttribute("format_version") ?? 0
        lines.append("\(path): InfoPlane run file (format \(version), written by infoplane \(try root.stringAttribute("tool_version") ?? "?"))")
        let name = try root.stringAttribute("name") ?? "?"
        lines.append("  run:        \(name), seed \(try root.intAttribute("seed") ?? 0), created \(try root.stringAttribute("created") ?? "?")")
        let sha = try root.stringAttribute("dataset_sha256") ?? ""
        lines.append("  dataset:    \(try root.stringAttribute("dataset_name") ?? "?") from \(try root.stringAttribute("dataset_source") ?? "?") (sha256 \(sha.prefix(16))…)")
        let inputs = try root.group("evaluation").datasetInfo("inputs")
        let widths = try root.intsAttribute("hidden_widths") ?? []
        let classes = try root.intAttribute("classes") ?? 0
        lines.append("  network:    \(([Int64(inputs.shape.last ?? 0)] + widths + [classes]).map(String.init).joined(separator: "-")) \(try root.stringAttribute("activation") ?? "")")
        lines.append("  evaluation: \(inputs.shape.first ?? 0) samples of the \(try root.stringAttribute("evaluation_split") ?? "?") split")

        let curves = try root.group("training")
        let epochs = try curves.read("epoch", as: Int64.self).values
        if let lastIndex = epochs.indices.last {
            func value(_ name: String) throws -> Double { try curves.read(name, as: Double.self).values[lastIndex] }
            lines.append(String(format: "  training:   %d epochs done; last: loss %.4f (test %.4f), accuracy %.2f%% (test %.2f%%)",
                                epochs.count, try value("train_loss"), try value("test_loss"),
                                100 * (try value("train_accuracy")), 100 * (try value("test_accuracy"))))
        } else {
            lines.append("  training:   no epoch completed yet")
        }
        let snapshotEpochs = try RunFile.snapshotEpochs(file)
        lines.append("  snapshots:  \(snapshotEpochs.count) at epochs \(snapshotEpochs.map(String.init).joined(separator: " "))")
        if let first = snapshotEpochs.first {
            let group = try root.group(RunFile.snapshotsGroup).group(RunFile.snapshotGroupName(epoch: first))
            let layers = try group.members().filter { $0.kind == .dataset }.map { member -> String in
                let info = try group.datasetInfo(member.name)
                return "\(member.name) \(info.shape.map(String.init).joined(separator: "×")) \(info.elementType)"
            }
            lines.append("  layers:     \(layers.joined(separator: ", "))")
        }
        if root.contains(StoppingGroup.name) { lines.append(try StoppingGroup.summaryLine(file)) }
        var newest: Int64 = -1
        // A pooled ensemble run has no checkpoints; the writer of a running job may delete the
        // part of an old index's older slot while we read it (then the other slot answers).
        for slot in 0..<2 {
            guard let group = try? root.group("\(RunFile.checkpointGroup)/\(RunFile.slotName(slot))"),
                  (try? group.intAttribute("complete")) == 1 else { continue }
            newest = max(newest, (try? group.intAttribute("epoch")).flatMap { $0 } ?? -1)
        }
        lines.append("  checkpoint: " + (newest >= 0 ? "after epoch \(newest)" : "none"))
        if showConfig, let config = try root.stringAttribute("config") {
            lines.append("  config:")
            lines += config.split(separator: "\n").map { "    " + $0 }
        }
        return lines
    }
}
