import Config
import Estimators
import Files
import Foundation
import Support

/// Gathers the per-slice values of completed items, journals each one as it arrives, and writes
/// `plane.h5` and `plane.csv` (all complete snapshots so far) whenever a snapshot completes.
///
/// Values are stored at their slice index (``PlaneValues``), and means and standard errors are
/// computed from the whole per-slice vector in index order (``SlicedEstimate``), so the files do
/// not depend on which rank computed what, or when. The collector holds the plan of the analysis
/// (cut when training stops early); the coordinator and the progress report read it here.
public final class PlaneCollector {
    /// The plan: what is measured, and how items are numbered.
    public internal(set) var plan: AnalysisPlan
    /// The plane file.
    public let planePath: String
    /// Its CSV twin.
    public var csvPath: String { PlaneFile.csvPath(for: planePath) }
    /// The run file the plane was measured on (recorded as an attribute).
    let runPath: String
    let journal: PlaneJournal
    var values: PlaneValues
    var done: [Bool]
    var remainingPerEpoch: [Int]
    /// Items done so far (restored or recorded).
    public internal(set) var completedItems = 0
    /// Snapshots whose items are all done, as epoch indices.
    public internal(set) var completeEpochs: [Bool]
    /// This process's claim on the outputs, held as long as the collector lives.
    private let lock: OutputLock
    /// The plan's source before the run was trained further (see ``init``).
    let previousSource: String?

    /// Opens the outputs: `planePath`, and beside it the CSV and the journal (same name, `.csv`
    /// and `.journal`), after creating their directory if needed, taking their ``OutputLock`` (a second writer is refused) and
    /// checking that none of them is the run file or a non-regular file. Existing ones are an
    /// error unless `resume` (continue them if they belong to the same plan; refused naming the
    /// difference otherwise) or `force` (start over: the old plane files are removed at once, so
    /// an interrupted `--force` resumes under its own settings). `previousSource`: the plan's
    /// source before a resume raised `training.epochs`; outputs made under it, with a prefix of
    /// this plan's epochs, continue under this plan.
    public init(plan: AnalysisPlan, planePath: String, runPath: String, resume: Bool, force: Bool, previousSource: String? = nil) throws {
        try OutputDirectory.prepare(forFile: planePath)
        try OutputTarget.check([planePath, PlaneFile.csvPath(for: planePath), PlaneJournal(planePath: planePath).path], inputs: [runPath])
        lock = try OutputLock.acquire(planePath)
        self.plan = plan
        self.previousSource = previousSource
        self.runPath = runPath
        self.planePath = planePath
        journal = PlaneJournal(planePath: planePath)
        values = PlaneValues(epochs: plan.epochs.count, layers: plan.layers.count, quantities: plan.settings.quantities,
                             slices: plan.settings.slices)
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
            // The journal first: once it names this plan, a kill leaves a resumable analysis.
            try journal.create(identity: plan.identityLines)
            for old in [planePath, csvPath] where FileManager.default.fileExists(atPath: old) {
                guard unlink(old) == 0 else { throw InfoPlaneError("cannot remove the old \(old) (\(String(cString: strerror(errno)))): check the directory's permissions") }
            }
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
        guard !done[kept.itemCount...].contains(true) else {
            throw InfoPlaneError("items of epochs after \(kept.epochs.last ?? 0) were analysed although training stopped before them: rerun with --force")
        }
        plan = kept
        values.keepEpochs(count)
        done.removeSubrange(kept.itemCount...)
        remainingPerEpoch.removeSubrange(count...)
        completeEpochs.removeSubrange(count...)
        try rewriteUnderCurrentPlan()
    }

    /// The journal, and plane.h5 if one exists, rewritten under the current plan's identity with
    /// every item done so far (after a cut, so no file names the uncut plan).
    func rewriteUnderCurrentPlan() throws {
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
        SlicedEstimate(values: values.values(epoch: epochIndex, layer: layerIndex, quantity: quantity))
    }

    // MARK: - Storage

    /// Stores an item's values (quantity-major, as a worker reports them) and marks it done.
    func store(_ item: Int, _ itemValues: [Double]) {
        let w = plan.item(item)
        let slices = plan.slices(ofBlock: w.block)
        for quantity in 0..<plan.settings.quantities {
            values.store(itemValues[(quantity * slices.count)..<((quantity + 1) * slices.count)],
                         epoch: w.epochIndex, layer: w.layerIndex, quantity: quantity, slices: slices)
        }
        markDone(item)
    }

    func markDone(_ item: Int) {
        done[item] = true
        completedItems += 1
        remainingPerEpoch[plan.item(item).epochIndex] -= 1
    }

    /// The values of a done item, in the order a worker reports them (inverse of ``store``).
    private func itemValues(_ item: Int) -> [Double] {
        let w = plan.item(item)
        let slices = plan.slices(ofBlock: w.block)
        return (0..<plan.settings.quantities).flatMap { quantity in
            values.values(epoch: w.epochIndex, layer: w.layerIndex, quantity: quantity, slices: slices)
        }
    }

    private func writeOutputs() throws {
        let complete = (0..<plan.epochs.count).filter { completeEpochs[$0] }
        let quantities = PlaneQuantity.measured(shuffleBaseline: plan.settings.shuffleBaseline)
        let tables = plan.layers.enumerated().map { l, layer in
            PlaneFile.LayerTable(layer: layer, name: plan.layerNames[l], width: plan.widths[l], epochs: complete.map { plan.epochs[$0] },
                                 columns: quantities.map { quantity in
                let estimates = complete.map { estimate(epochIndex: $0, layerIndex: l, quantity: quantity.rawValue) }
                return PlaneFile.Column(name: quantity.name, means: estimates.map(\.mean), standardErrors: estimates.map(\.standardError),
                                        values: estimates.flatMap(\.values), slices: plan.settings.slices)
            })
        }
        var header = PlaneFile.SlicedHeader(run: runPath, settings: plan.settings, targetWidth: plan.targetWidth, samples: plan.samples,
                                            epochs: plan.epochs, layers: plan.layers, identity: plan.identityLines)
        header.converted = plan.converted
        header.poolEpochs = plan.poolEpochs.map { ($0, EpochPool.pooling(window: $0)) }
        try PlaneFile.write(to: planePath, header: header, complete: complete.count == plan.epochs.count, layers: tables)
    }
}
