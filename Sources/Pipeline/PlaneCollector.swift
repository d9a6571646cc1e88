import Config
import Estimators
import Experiment
import Foundation
import Storage
import Support

/// Gathers the per-slice values of completed items, journals each one as it arrives, and writes
/// `plane.h5` and `plane.csv` (all complete snapshots so far) whenever a snapshot completes.
///
/// Values are stored at their slice index, and means and standard errors are computed from the
/// whole per-slice vector in index order (``SlicedEstimate``), so the files do not depend on
/// which rank computed what, or when.
public final class PlaneCollector {
    public private(set) var plan: AnalysisPlan
    public let planePath: String
    public let csvPath: String
    /// The run file the plane was measured on (recorded as an attribute).
    let runPath: String
    private let journal: PlaneJournal
    /// values[((e · L + l) · Q + q) · m + j]
    private var values: [Double]
    private var done: [Bool]
    private var remainingPerEpoch: [Int]
    public private(set) var completedItems = 0
    /// Snapshots whose items are all done, as epoch indices.
    public private(set) var completeEpochs: [Bool]

    /// Opens the outputs: `planePath`, and beside it the CSV and the journal (same name, `.csv`
    /// and `.journal`). Existing ones are an error unless `resume` (continue
    /// them if they belong to the same plan; refused naming the difference otherwise) or `force`
    /// (start over; the old plane.h5 stays until the first new snapshot replaces it).
    public init(plan: AnalysisPlan, planePath: String, runPath: String, resume: Bool, force: Bool) throws {
        self.plan = plan
        self.runPath = runPath
        self.planePath = planePath
        let stem = planePath.hasSuffix(".h5") ? String(planePath.dropLast(3)) : planePath
        csvPath = stem + ".csv"
        journal = PlaneJournal(path: stem + ".journal")
        let m = plan.settings.slices, q = plan.settings.quantities
        values = [Double](repeating: .nan, count: plan.epochs.count * plan.layers.count * q * m)
        done = [Bool](repeating: false, count: plan.itemCount)
        remainingPerEpoch = [Int](repeating: plan.itemsPerEpoch, count: plan.epochs.count)
        completeEpochs = [Bool](repeating: false, count: plan.epochs.count)

        let planeExists = FileManager.default.fileExists(atPath: planePath)
        if (planeExists || journal.exists) && !resume && !force {
            throw InfoPlaneError("\(planeExists ? planePath : journal.path) already holds an analysis: pass --resume to continue it, --force to replace it, or --out to write elsewhere")
        }
        if resume && !force && (planeExists || journal.exists) {
            try restore(planeExists: planeExists)
        } else {
            try journal.create(identity: plan.identityLines)
        }
    }

    /// Whether every item is done.
    public var isComplete: Bool { completedItems == plan.itemCount }

    /// Whether `item` is already done (restored or recorded).
    public func isDone(_ item: Int) -> Bool { done[item] }

    /// Values expected from an item.
    public func valueCount(of item: Int) -> Int {
        plan.slices(ofBlock: plan.item(item).block).count * plan.settings.quantities
    }

    /// Records a completed item (journalled before anything else); returns the epoch index it
    /// completed, if any, after writing the plane files.
    @discardableResult
    public func record(item: Int, values itemValues: [Double]) throws -> Int? {
        guard (0..<plan.itemCount).contains(item), itemValues.count == valueCount(of: item) else {
            throw InfoPlaneError("a worker reported \(itemValues.count) values for item \(item): all ranks must run the same infoplane build")
        }
        guard !done[item] else { return nil }
        try journal.append(item: item, values: itemValues)
        store(item, itemValues)
        let epoch = plan.item(item).epochIndex
        guard remainingPerEpoch[epoch] == 0 else { return nil }
        completeEpochs[epoch] = true
        try writeOutputs()
        return epoch
    }

    /// Keeps only the first `count` epochs of the plan (training stopped before the others'
    /// snapshots): their items keep their numbers, and the journal is rewritten under the cut
    /// plan's identity with every item done so far, so a resume of the stopped run continues it.
    public func truncate(toEpochs count: Int) throws {
        guard count < plan.epochs.count else { return }
        let kept = plan.truncated(toEpochs: count)
        let m = plan.settings.slices, q = plan.settings.quantities
        guard !done[kept.itemCount...].contains(true) else {
            throw InfoPlaneError("items of epochs after \(kept.epochs.last ?? 0) were analysed although training stopped before them: rerun with --force")
        }
        plan = kept
        values.removeSubrange((count * plan.layers.count * q * m)...)
        done.removeSubrange(kept.itemCount...)
        remainingPerEpoch.removeSubrange(count...)
        completeEpochs.removeSubrange(count...)
        try rewriteUnderCurrentPlan()
    }

    /// The journal, and plane.h5 if one exists, rewritten under the current plan's identity with
    /// every item done so far (after a cut, so no file names the uncut plan).
    private func rewriteUnderCurrentPlan() throws {
        try journal.create(identity: plan.identityLines)
        for item in 0..<plan.itemCount where done[item] { try journal.append(item: item, values: itemValues(item)) }
        if FileManager.default.fileExists(atPath: planePath) { try writeOutputs() }
    }

    /// Writes the final files and drops the journal (plane.h5 then holds every value).
    public func finish() throws {
        try writeOutputs()
        journal.remove()
    }

    /// The estimate of one quantity (0 S1(X;T), 1 S1(T;Y), 2–3 their baselines) at a complete
    /// epoch and layer.
    public func estimate(epochIndex: Int, layerIndex: Int, quantity: Int) -> SlicedEstimate {
        let m = plan.settings.slices
        let start = ((epochIndex * plan.layers.count + layerIndex) * plan.settings.quantities + quantity) * m
        return SlicedEstimate(values: Array(values[start..<(start + m)]))
    }

    // MARK: - Storage

    private func store(_ item: Int, _ itemValues: [Double]) {
        let w = plan.item(item)
        let m = plan.settings.slices, q = plan.settings.quantities
        let slices = plan.slices(ofBlock: w.block)
        for quantity in 0..<q {
            let base = ((w.epochIndex * plan.layers.count + w.layerIndex) * q + quantity) * m
            for (offset, j) in slices.enumerated() { values[base + j] = itemValues[quantity * slices.count + offset] }
        }
        done[item] = true
        completedItems += 1
        remainingPerEpoch[w.epochIndex] -= 1
    }

    /// The values of a done item, in the order a worker reports them (inverse of ``store``).
    private func itemValues(_ item: Int) -> [Double] {
        let w = plan.item(item)
        let m = plan.settings.slices, q = plan.settings.quantities
        let slices = plan.slices(ofBlock: w.block)
        return (0..<q).flatMap { quantity in
            let base = ((w.epochIndex * plan.layers.count + w.layerIndex) * q + quantity) * m
            return slices.map { values[base + $0] }
        }
    }

    private static let quantityNames = ["sxt", "sty", "sxt_baseline", "sty_baseline"]

    private func writeOutputs() throws {
        let complete = (0..<plan.epochs.count).filter { completeEpochs[$0] }
        let s = plan.settings
        let attributes: [(String, AttributeValue)] = [
            ("tool_version", .string(InfoPlaneVersion.string)), ("run", .string(runPath)),
            ("estimator", .string("ksg")), ("label_estimator", .string(s.labelEstimator.rawValue)),
            // What Y is, and what estimated S1(T;Y): Ross/micd for labels, KSG for real targets.
            ("target", .string(plan.targetWidth > 0 ? "continuous" : "labels")),
            ("target_width", .int(Int64(plan.targetWidth))),
            ("target_estimator", .string(plan.targetWidth > 0 ? "ksg" : s.labelEstimator.rawValue)),
            ("k", .int(Int64(s.k))), ("slices", .int(Int64(s.slices))), ("seed", .int(Int64(bitPattern: s.seed))),
            ("standardize", .int(1)), ("jitter", .double(s.jitter)), ("shuffle_baseline", .int(s.shuffleBaseline ? 1 : 0)),
            ("units", .string("nats")), ("samples", .int(Int64(plan.samples))),
            ("epochs_planned", .ints(plan.epochs.map { Int64($0) })), ("layers", .ints(plan.layers.map { Int64($0) })),
            ("complete", .int(complete.count == plan.epochs.count ? 1 : 0)),
            ("identity", .string(plan.identityLines.joined(separator: "\n"))),
        ]
        let tables = plan.layers.enumerated().map { l, layer in
            PlaneFile.LayerTable(layer: layer, width: plan.widths[l], epochs: complete.map { plan.epochs[$0] },
                                 columns: (0..<s.quantities).map { quantity in
                let estimates = complete.map { estimate(epochIndex: $0, layerIndex: l, quantity: quantity) }
                return PlaneFile.Column(name: Self.quantityNames[quantity], means: estimates.map(\.mean),
                                        standardErrors: estimates.map(\.standardError),
                                        values: estimates.flatMap(\.values), slices: s.slices)
            })
        }
        try PlaneFile.write(to: planePath, attributes: attributes, layers: tables)
        try PlaneFile.writeCSV(to: csvPath, layers: tables)
    }

    // MARK: - Resume

    private func restore(planeExists: Bool) throws {
        var cut = false
        var identity: [String]?
        var records: [(Int, [Double])] = []
        if journal.exists {
            let read = try journal.read { [plan] index in
                (0..<plan.itemCount).contains(index) ? plan.slices(ofBlock: plan.item(index).block).count * plan.settings.quantities : nil
            }
            identity = read.identity
            records = read.records
        }
        if planeExists {
            let file = try HDF5File.open(at: planePath, writable: false)
            defer { try? file.close() }
            guard try file.root.stringAttribute("format") == PlaneFile.format else {
                throw InfoPlaneError("\(planePath) is not an InfoPlane plane file: --resume needs one; use --force to replace it")
            }
            let stored = try file.root.stringAttribute("identity")?.split(separator: "\n").map(String.init) ?? []
            cut = try checkIdentity(stored, what: planePath) || cut
            records += try PlaneFile.items(in: file, plan: plan)
        }
        if let identity { cut = try checkIdentity(identity, what: journal.path) || cut } else { try journal.create(identity: plan.identityLines) }
        for (item, itemValues) in records where !done[item] { store(item, itemValues) }
        for e in 0..<plan.epochs.count where remainingPerEpoch[e] == 0 { completeEpochs[e] = true }
        if cut { try rewriteUnderCurrentPlan() }
    }

    /// Checks that stored outputs belong to this plan. Returns true when they belong to the same
    /// plan before a cut (training stopped early and the process died before ``truncate(toEpochs:)``
    /// rewrote them): the only difference is then `epochs`, and this plan's are a prefix of theirs.
    private func checkIdentity(_ stored: [String], what: String) throws -> Bool {
        let differences = CanonicalText.differences(stored.joined(separator: "\n"), plan.identityLines.joined(separator: "\n"))
        if differences.count == 1, differences[0].hasPrefix("epochs:"),
           let line = stored.first(where: { $0.hasPrefix("epochs: ") }) {
            let storedEpochs = line.dropFirst("epochs: ".count).split(whereSeparator: { "[], ".contains($0) }).compactMap { Int($0) }
            if storedEpochs.count > plan.epochs.count, storedEpochs.starts(with: plan.epochs) { return true }
        }
        guard differences.isEmpty else {
            let named = differences.map { $0.hasPrefix("source:") ? "the run file (config or data) differs" : $0 }
            throw InfoPlaneError("--resume refused: \(what) was made with different settings (\(named.joined(separator: "; "))); use the same settings, or --force to start over")
        }
        return false
    }
}
