import Analysis
import Cluster
import Files
import Support

/// A node's shared window cut into slots, each holding one snapshot-layer of the plan (n × width
/// float32, row-major): what every rank of the node projects from. Loading reads a share of the
/// rows from the run file straight into the window, or receives them from rank 0; computing
/// projects a batch of items from the slot in one pass over its rows. Every rank of a node
/// holds the same window, so a snapshot-layer is in a node's memory once, whatever its ranks.
final class LayerSlots {
    let plan: AnalysisPlan
    let source: LayerSource
    let window: SharedWindow
    /// The ranks of this node.
    let node: Communicator
    /// Slots in the window.
    let count: Int
    /// Floats per slot: n × the widest layer.
    let slotFloats: Int

    /// Seconds this rank spent loading (reading, sending or receiving rows) and the GB it moved.
    private(set) var loading: [Double] = [0, 0]

    /// Rows per message when rank 0 sends a key to another node (about 64 MiB each).
    static let transferBytes = 64 << 20

    /// Cuts the node's window into slots (collective over `node`, a ``Communicator/splitByNode()``
    /// communicator: its first rank allocates the memory, the others map it).
    init(plan: AnalysisPlan, source: LayerSource, node: Communicator, count: Int) throws {
        self.plan = plan
        self.source = source
        self.node = node
        self.count = count
        slotFloats = Self.floatsPerSlot(plan)
        window = try SharedWindow.allocate(bytes: count * slotFloats * MemoryLayout<Float>.stride, node: node)
    }

    /// Frees the window and the node's communicator (collective over the node: every rank of it
    /// calls this once the analysis succeeded).
    func close() {
        window.free()
        node.finalize()
    }

    /// n × the widest layer.
    static func floatsPerSlot(_ plan: AnalysisPlan) -> Int { plan.samples * plan.widestActivations }

    /// The rows of `key` in `slot`.
    func layer(_ key: Int, slot: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(slot < count, "slot \(slot) of \(count)")
        let width = plan.widths[plan.snapshotLayer(key).layerIndex]
        let base = window.base!.assumingMemoryBound(to: Float.self) + slot * slotFloats
        return UnsafeMutableBufferPointer(start: base, count: plan.samples * width)
    }

    /// The samples part `part` of `parts` reads: equal shares of n.
    func positions(part: Int, parts: Int) -> Range<Int> {
        (part * plan.samples / parts)..<((part + 1) * plan.samples / parts)
    }

    /// Reads part `part` of `parts` of `key` from the run file into `slot`, then makes the rows
    /// visible to the node's other ranks.
    func load(_ key: Int, slot: Int, part: Int, parts: Int) throws {
        let (e, l) = plan.snapshotLayer(key)
        guard !plan.isProjected(l) else { return }  // its items read their own projections
        let width = plan.widths[l], rows = positions(part: part, parts: parts)
        let buffer = layer(key, slot: slot)
        let clock = ContinuousClock(), start = clock.now
        defer { count(since: start, clock: clock, floats: rows.count * width) }
        try source.read(epochIndex: e, layer: plan.layers[l], width: width, positions: rows,
                        into: UnsafeMutableBufferPointer(rebasing: buffer[(rows.lowerBound * width)..<(rows.upperBound * width)]))
        try window.synchronize()
    }

    /// Rank 0: reads `key` from the run file and sends it to `rank`, which waits in
    /// ``receive(_:slot:from:)``, a block of rows per message (rank 0 never holds the whole layer).
    func send(_ key: Int, to rank: Int, comm: Communicator) throws {
        let (e, l) = plan.snapshotLayer(key)
        guard !plan.isProjected(l) else { return }
        let width = plan.widths[l]
        let clock = ContinuousClock(), start = clock.now
        defer { count(since: start, clock: clock, floats: plan.samples * width) }
        var rows = [Float](repeating: 0, count: transferRows(width) * width)
        for start in stride(from: 0, to: plan.samples, by: transferRows(width)) {
            let block = start..<min(start + transferRows(width), plan.samples)
            try rows.withUnsafeMutableBufferPointer { buffer in
                let part = UnsafeMutableBufferPointer(rebasing: buffer[0..<(block.count * width)])
                try source.read(epochIndex: e, layer: plan.layers[l], width: width, positions: block, into: part)
                try comm.send(UnsafeBufferPointer(part), to: rank, tag: PoolTag.rows)
            }
        }
    }

    /// The first rank of a node other than rank 0's: receives `key` from rank 0 into `slot`.
    func receive(_ key: Int, slot: Int, comm: Communicator) throws {
        guard !plan.isProjected(plan.snapshotLayer(key).layerIndex) else { return }
        let width = plan.widths[plan.snapshotLayer(key).layerIndex]
        let buffer = layer(key, slot: slot)
        let clock = ContinuousClock(), began = clock.now
        defer { count(since: began, clock: clock, floats: plan.samples * width) }
        for start in stride(from: 0, to: plan.samples, by: transferRows(width)) {
            let block = start..<min(start + transferRows(width), plan.samples)
            try comm.receive(into: UnsafeMutableBufferPointer(rebasing: buffer[(block.lowerBound * width)..<(block.upperBound * width)]),
                             from: 0, tag: PoolTag.rows)
        }
        try window.synchronize()
    }

    /// Projects `tasks` (items of `key`) from `slot` in one pass over the rows, then computes
    /// each item's values, handing them to `report` one item at a time.
    func compute(_ key: Int, slot: Int, tasks: [Int], worker: SliceWorker, report: (Int, [Double]) throws -> Void) throws {
        let (e, l) = plan.snapshotLayer(key)
        if plan.isProjected(l) {
            for task in tasks {
                let slices = plan.slices(ofBlock: plan.item(task).block)
                let raw = try source.readProjections(epochIndex: e, layer: plan.layers[l], slices: slices)
                try report(task, worker.values(of: worker.prepared(projections: raw, layer: plan.layers[l], slices: slices)))
            }
            return
        }
        try window.synchronize()
        let projected = worker.project(tasks.map { plan.item($0) }, of: plan, activations: UnsafeBufferPointer(layer(key, slot: slot)))
        for (task, t) in zip(tasks, projected) { try report(task, worker.values(of: t)) }
    }

    private func count(since start: ContinuousClock.Instant, clock: ContinuousClock, floats: Int) {
        let elapsed = clock.now - start
        loading[0] += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        loading[1] += Double(floats * 4) / 1e9
    }

    private func transferRows(_ width: Int) -> Int { max(1, Self.transferBytes / (4 * max(width, 1))) }
}
