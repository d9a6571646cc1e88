import Config
import Foundation
import Files
import Support

extension PlaneCollector {
    /// Continues the outputs of an earlier run of this plan: the journal's items and the plane
    /// file's epochs are restored, after checking that both were made under this plan.
    func restore(planeExists: Bool) throws {
        var cut = false
        var records: [(Int, [Double])] = []
        var identity: [String]?
        if journal.exists {
            let read = try journal.read { [plan] index in
                (0..<plan.itemCount).contains(index) ? plan.slices(ofBlock: plan.item(index).block).count * plan.settings.quantities : nil
            }
            identity = read.identity
            records = read.records
        }
        var restored: [(epoch: Int, layer: Int)] = []
        var planeExists = planeExists
        if planeExists, let identity, identity == plan.identityLines, try PlaneFile.storedIdentity(planePath) != identity {
            // A `--force` killed after it wrote its journal but before it removed the replaced
            // analysis's plane: the journal is the newer record, the plane is debris.
            unlink(planePath)
            unlink(csvPath)
            planeExists = false
        }
        if planeExists {
            cut = try checkIdentity(PlaneFile.storedIdentity(planePath), what: planePath) || cut
            restored = try PlaneFile.restore(planePath, into: &values, epochs: plan.epochs, layers: plan.layerNames,
                                             quantities: PlaneQuantity.measured(shuffleBaseline: plan.settings.shuffleBaseline))
        }
        if let identity { cut = try checkIdentity(identity, what: journal.path) || cut } else { try journal.create(identity: plan.identityLines) }
        for (item, itemValues) in records where !isDone(item) { store(item, itemValues) }
        for (e, l) in restored {
            for block in 0..<plan.blocksPerLayer {
                let item = plan.index(of: WorkItem(epochIndex: e, layerIndex: l, block: block))
                if !isDone(item) { markDone(item) }
            }
        }
        for e in 0..<plan.epochs.count where remainingPerEpoch[e] == 0 { completeEpochs[e] = true }
        if cut { try rewriteUnderCurrentPlan() }
    }

    /// Checks that stored outputs belong to this plan. Returns true when they belong to the same
    /// plan before a cut (training stopped early and the process died before ``truncate(toEpochs:)``
    /// rewrote them): the only difference is then `epochs`, and this plan's are a prefix of theirs.
    /// Also true for outputs of the run before it was trained further (``previousSource``): they
    /// differ in `source` and hold a prefix of this plan's epochs.
    private func checkIdentity(_ stored: [String], what: String) throws -> Bool {
        let differences = CanonicalText.differences(stored.joined(separator: "\n"), plan.identityLines.joined(separator: "\n"))
        if let previousSource, stored.contains("source: \(previousSource)"),
           differences.allSatisfy({ $0.hasPrefix("epochs:") || $0.hasPrefix("source:") }),
           let line = stored.first(where: { $0.hasPrefix("epochs: ") }) {
            let storedEpochs = line.dropFirst("epochs: ".count).split(whereSeparator: { "[], ".contains($0) }).compactMap { Int($0) }
            if plan.epochs.starts(with: storedEpochs) { return true }
        }
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
