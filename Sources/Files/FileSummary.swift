import Foundation
import Storage

/// Human-readable summaries of the files InfoPlane writes, for `infoplane inspect`.
public enum FileSummary {
    /// A summary of any HDF5 file: run files, planes and redundancy files in InfoPlane's terms,
    /// anything else as a tree.
    public static func lines(path: String, showConfig: Bool = false) throws -> [String] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let root = file.root
        guard try RunFile.format.marks(root) else {
            if let lines = try outputLines(file, path: path) { return lines }
            return ["\(path): HDF5 file (not written by InfoPlane)"] + (try file.root.describe(maxDepth: 6))
        }
        var lines: [String] = []
        let version = try root.intAttribute("format_version") ?? 0
        let tool = try root.stringAttribute(RunFile.toolAttribute) ?? "infoplane"
        lines.append("\(path): InfoPlane run file (format \(version), written by \(tool) \(try root.stringAttribute("tool_version") ?? "?"))")
        lines += try originLines(root)
        lines.append(try trainingLine(root.group("training")))
        let snapshotEpochs = try RunFile.snapshotEpochs(file)
        lines.append("  snapshots:  \(snapshotEpochs.count) at epochs \(snapshotEpochs.map(String.init).joined(separator: " "))")
        if let first = snapshotEpochs.first {
            let group = try root.group(RunFile.snapshotsGroup).group(RunFile.snapshotGroupName(epoch: first))
            // In the recorded order when the file lists it (HDF5 lists members by name).
            let listed = (try? root.stringsAttribute(LayerNaming.attribute)) ?? nil
            let names = try listed ?? group.members().filter { $0.kind == .dataset }.map(\.name)
            let layers = try names.filter { group.contains($0) }.map { name -> String in
                let info = try group.datasetInfo(name)
                return "\(name) \(info.shape.map(String.init).joined(separator: "×")) \(info.elementType)"
            }
            lines.append("  layers:     \(layers.joined(separator: ", "))")
        }
        if root.contains(StoppingGroup.name) { lines.append(try StoppingGroup.summaryLine(file)) }
        if root.contains(LabelNoiseGroup.name) { lines.append(try LabelNoiseGroup.summaryLine(root.group(LabelNoiseGroup.name))) }
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

    /// The run, dataset, network and evaluation lines. A file of the Python recorder has no seed,
    /// dataset identity or whole network: it gets the run and the evaluation set only.
    private static func originLines(_ root: HDF5Group) throws -> [String] {
        let name = try root.stringAttribute("name") ?? "?", created = try root.stringAttribute("created") ?? "?"
        let inputs = try root.group("evaluation").datasetInfo("inputs")
        let classes = try root.intAttribute("classes") ?? 0
        guard try root.stringAttribute(RunFile.toolAttribute) == nil else {
            let features = inputs.shape.dropFirst().reduce(1, *)
            let target = classes > 0 ? "\(classes) classes" : "regression targets"
            return ["  run:        \(name), created \(created)",
                    "  evaluation: \(inputs.shape.first ?? 0) samples of \(features) features, \(target)"]
        }
        let sha = try root.stringAttribute("dataset_sha256") ?? ""
        let widths = try root.intsAttribute("hidden_widths") ?? []
        let network = ([Int64(inputs.shape.last ?? 0)] + widths + [classes]).map(String.init).joined(separator: "-")
        return ["  run:        \(name), seed \(try root.intAttribute("seed") ?? 0), created \(created)",
                "  dataset:    \(try root.stringAttribute("dataset_name") ?? "?") from \(try root.stringAttribute("dataset_source") ?? "?") (sha256 \(sha.prefix(16))…)",
                "  network:    \(network) \(try root.stringAttribute("activation") ?? "")",
                "  evaluation: \(inputs.shape.first ?? 0) samples of the \(try root.stringAttribute("evaluation_split") ?? "?") split"]
    }

    /// The `training:` line: the last epoch's curves, or (the Python recorder logs the curves its
    /// user names) which curves were logged.
    private static func trainingLine(_ curves: HDF5Group) throws -> String {
        let epochs = try curves.read("epoch", as: Int64.self).values
        let logged = try curves.members().map(\.name).filter { $0 != "epoch" }
        guard let lastIndex = epochs.indices.last else { return "  training:   no epoch completed yet" }
        guard Set(RunFile.curveNames).isSubset(of: logged) else {
            return "  training:   \(epochs.count) epochs logged (last \(epochs[lastIndex])): \(logged.joined(separator: ", "))"
        }
        func value(_ name: String) throws -> Double { try curves.read(name, as: Double.self).values[lastIndex] }
        return String(format: "  training:   %d epochs done; last: loss %.4f (test %.4f), accuracy %.2f%% (test %.2f%%)",
                      epochs.count, try value("train_loss"), try value("test_loss"),
                      100 * (try value("train_accuracy")), 100 * (try value("test_accuracy")))
    }
}
