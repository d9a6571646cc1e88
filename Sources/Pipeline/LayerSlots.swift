import Analysis
import Cluster
import Estimators
import Files
import Support

/// A node's shared window cut into slots, each holding one snapshot-layer of the plan (n × width
/// float32, row-major): what every rank of the node projects from. Loading reads a share of the
/// rows from the run file straight into the window, or receives them from rank 0; computing
/// projects a batch of items from the slot in one pass over its rows. Every rank of a node
/// holds the same window, so a snapshot-layer is in a node's memory once, whatever its ranks.
///
/// Wide layers (``AnalysisPlan/projectsOnLoad(_:)``) are projected where they are loaded instead: each
/// rank that reads a share of the rows (whole blocks of ``BlockProjection/rowBlock`` rows)
/// projects those rows onto all m directions into the slot's part of a second window (n × m
/// doubles per slot), and computing an item only prepares and estimates its block's columns.
/// Each row of a snapshot-layer is then widened and multiplied once per node, where splitting
/// the directions made every rank widen and pack all the rows; the values are the same, since
/// the GEMMs of each block of rows are the same. In `analyze` (``stagedWidth`` > 0) such a
/// layer's rows never enter the window: a rank reads its share a block at a time into its own
/// buffer and projects each block from there (``AnalysisMemory/windowLayout(plan:ranksOnNode:ranksRead:)``).
final class LayerSlots {
    let plan: AnalysisPlan
    let source: LayerSource
    let window: SharedWindow
    /// The ranks of this node.
    let node: Communicator
    /// Slots in the window.
    let count: Int
    /// Floats per slot: n × the widest layer whose rows are in the window.
    let slotFloats: Int
    /// The widest layer read through ``staging`` rather than into the window (0: none is).
    let stagedWidth: Int
    /// This rank's buffer for a block of rows (1,024 × ``stagedWidth``) of a layer it projects on
    /// loading, allocated at the first such load.
    private var staging: [Float] = []

    /// The node's projections of wide layers, n × m doubles per slot (nil when no layer of the
    /// plan is projected on loading).
    let projections: SharedWindow?
    /// The directions of every layer projected on loading (its d × m
    /// ``SlicedMutualInformation/layerDirectionMatrix(layer:dimension:blocks:)``), once per node,
    /// layer after layer in plan order (nil when there is none).
    let directions: SharedWindow?
    /// Where each layer index's directions begin in ``directions`` (in doubles).
    private let directionOffsets: [Int: Int]

    /// Seconds this rank spent loading (reading, sending or receiving rows) and the GB it moved.
    private(set) var loading: [Double] = [0, 0]

    /// Rows per message when rank 0 sends a key to another node (about 64 MiB each).
    static let transferBytes = 64 << 20

    /// Cuts the node's window into `count` slots of n × `rowWidth` floats (collective over `node`, a
    /// ``Communicator/splitByNode()`` communicator: its first rank allocates the memory, the others
    /// map it); layers projected on loading up to `stagedWidth` wide are read outside it.
    init(plan: AnalysisPlan, source: LayerSource, node: Communicator, count: Int, rowWidth: Int, stagedWidth: Int = 0) throws {
        self.plan = plan
        self.source = source
        self.node = node
        self.count = count
        slotFloats = plan.samples * rowWidth
        self.stagedWidth = stagedWidth
        window = try SharedWindow.allocate(bytes: count * slotFloats * MemoryLayout<Float>.stride, node: node)
        let wide = plan.layers.indices.filter { plan.projectsOnLoad($0) }
        projections = wide.isEmpty ? nil
            : try SharedWindow.allocate(bytes: count * Self.projectionsPerSlot(plan) * MemoryLayout<Double>.stride, node: node)
        var offsets: [Int: Int] = [:], total = 0
        for l in wide {
            offsets[l] = total
            total += plan.widths[l] * plan.settings.slices
        }
        directionOffsets = offsets
        directions = wide.isEmpty ? nil : try SharedWindow.allocate(bytes: total * MemoryLayout<Double>.stride, node: node)
        try drawDirections()
    }

    /// Each of the node's P ranks draws every P-th block of directions, from its node rank on, of
    /// every layer projected on loading into the shared matrix; then all wait until the whole
    /// matrix is there (collective over the node). Each block comes from its own stream, so the
    /// matrix is the same for any P.
    private func drawDirections() throws {
        guard let directions else { return }
        let estimator = plan.settings.estimator, blocks = SlicedMutualInformation.blocks(ofSlices: plan.settings.slices)
        for l in directionOffsets.keys {
            estimator.fillLayerDirections(layer: plan.layers[l], dimension: plan.widths[l], blocks: blocks,
                                          only: stride(from: node.rank, to: blocks.count, by: node.size), into: layerDirections(l))
        }
        try directions.synchronize()
        try node.barrier()
        try directions.synchronize()
    }

    /// The directions of layer index `l` in the node's matrix.
    private func layerDirections(_ l: Int) -> UnsafeMutableBufferPointer<Double> {
        let start = directions!.base!.assumingMemoryBound(to: Double.self) + directionOffsets[l]!
        return UnsafeMutableBufferPointer(start: start, count: plan.widths[l] * plan.settings.slices)
    }

    /// n × m: one slot's projections.
    static func projectionsPerSlot(_ plan: AnalysisPlan) -> Int { plan.samples * plan.settings.slices }

    /// Frees the window and the node's communicator (collective over the node: every rank of it
    /// calls this once the analysis succeeded).
    func close() {
        directions?.free()
        projections?.free()
        window.free()
        node.finalize()
    }

    /// Whether layer index `l` is read a block of rows at a time outside the window.
    func isStaged(_ l: Int) -> Bool { stagedWidth > 0 && plan.projectsOnLoad(l) }

    /// The rows of `key` in `slot`.
    func layer(_ key: Int, slot: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(slot < count, "slot \(slot) of \(count)")
        let width = plan.widths[plan.snapshotLayer(key).layerIndex]
        precondition(plan.samples * width <= slotFloats, "layer \(plan.snapshotLayer(key).layerIndex) is not held in the window")
        let base = window.base!.assumingMemoryBound(to: Float.self) + slot * slotFloats
        return UnsafeMutableBufferPointer(start: base, count: plan.samples * width)
    }

    /// The projections of the snapshot-layer in `slot`: n × m doubles.
    func projections(slot: Int) -> UnsafeMutableBufferPointer<Double> {
        let base = projections!.base!.assumingMemoryBound(to: Double.self) + slot * Self.projectionsPerSlot(plan)
        return UnsafeMutableBufferPointer(start: base, count: Self.projectionsPerSlot(plan))
    }

    /// The samples part `part` of `parts` reads: equal shares of n, in whole blocks of
    /// ``BlockProjection/rowBlock`` rows when the part is projected on loading.
    func positions(part: Int, parts: Int, layerIndex: Int) -> Range<Int> {
        guard plan.projectsOnLoad(layerIndex) else {
            return (part * plan.samples / parts)..<((part + 1) * plan.samples / parts)
        }
        let blocks = (plan.samples + BlockProjection.rowBlock - 1) / BlockProjection.rowBlock
        return min(plan.samples, part * blocks / parts * BlockProjection.rowBlock)..<min(plan.samples, (part + 1) * blocks / parts * BlockProjection.rowBlock)
    }

    /// Reads part `part` of `parts` of `key` from the run file into `slot` (and projects it, for a
    /// wide layer), then makes the rows visible to the node's other ranks. A staged layer
    /// (``isStaged(_:)``) is read a block of rows at a time into this rank's buffer and only its
    /// projections reach the slot.
    func load(_ key: Int, slot: Int, part: Int, parts: Int, worker: SliceWorker) throws {
        let (e, l) = plan.snapshotLayer(key)
        guard !plan.isProjected(l) else { return }  // its items read their own projections
        let width = plan.widths[l], rows = positions(part: part, parts: parts, layerIndex: l)
        if isStaged(l) {
            if staging.isEmpty { staging = [Float](repeating: 0, count: BlockProjection.rowBlock * stagedWidth) }
            for start in stride(from: rows.lowerBound, to: rows.upperBound, by: BlockProjection.rowBlock) {
                let block = start..<min(start + BlockProjection.rowBlock, rows.upperBound)
                try staging.withUnsafeMutableBufferPointer { buffer in
                    let blockRows = UnsafeMutableBufferPointer(rebasing: buffer[0..<(block.count * width)])
                    try read(e, l, rows: block, into: blockRows)
                    try project(key, slot: slot, rows: block, from: UnsafeBufferPointer(blockRows), worker: worker)
                }
            }
            return
        }
        let buffer = layer(key, slot: slot)
        let mine = UnsafeMutableBufferPointer(rebasing: buffer[(rows.lowerBound * width)..<(rows.upperBound * width)])
        try read(e, l, rows: rows, into: mine)
        try project(key, slot: slot, rows: rows, from: UnsafeBufferPointer(mine), worker: worker)
        try window.synchronize()
    }

    /// Reads `rows` of epoch index `e`, layer index `l` from the run file into `buffer`, counted as loading.
    private func read(_ e: Int, _ l: Int, rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        let clock = ContinuousClock(), start = clock.now
        try source.read(epochIndex: e, layer: plan.layers[l], width: plan.widths[l], positions: rows, into: buffer)
        count(since: start, clock: clock, floats: buffer.count)
    }

    /// Projects `rows` of `key` (held in `source`: those rows only) onto all m directions into
    /// `slot`'s projections, for a layer projected on loading.
    private func project(_ key: Int, slot: Int, rows: Range<Int>, from source: UnsafeBufferPointer<Float>, worker: SliceWorker) throws {
        let l = plan.snapshotLayer(key).layerIndex
        guard plan.projectsOnLoad(l), !rows.isEmpty else { return }
        let m = plan.settings.slices, output = projections(slot: slot)
        worker.projectRows(width: plan.widths[l], rows: source, directions: UnsafeBufferPointer(layerDirections(l)),
                           into: UnsafeMutableBufferPointer(rebasing: output[(rows.lowerBound * m)..<(rows.upperBound * m)]))
        try projections!.synchronize()
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

    /// The first rank of a node other than rank 0's: receives `key` from rank 0 into `slot` (and
    /// projects it, for a wide layer).
    func receive(_ key: Int, slot: Int, comm: Communicator, worker: SliceWorker) throws {
        guard !plan.isProjected(plan.snapshotLayer(key).layerIndex) else { return }
        let width = plan.widths[plan.snapshotLayer(key).layerIndex]
        let buffer = layer(key, slot: slot)
        let clock = ContinuousClock(), began = clock.now
        for start in stride(from: 0, to: plan.samples, by: transferRows(width)) {
            let block = start..<min(start + transferRows(width), plan.samples)
            try comm.receive(into: UnsafeMutableBufferPointer(rebasing: buffer[(block.lowerBound * width)..<(block.upperBound * width)]),
                             from: 0, tag: PoolTag.rows)
        }
        count(since: began, clock: clock, floats: plan.samples * width)
        try project(key, slot: slot, rows: 0..<plan.samples, from: UnsafeBufferPointer(buffer), worker: worker)
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
        if plan.projectsOnLoad(l) {
            try projections!.synchronize()
            let all = UnsafeBufferPointer(projections(slot: slot))
            for task in tasks {
                try report(task, worker.values(of: worker.prepared(fromRows: all, layer: plan.layers[l], slices: plan.slices(ofBlock: plan.item(task).block))))
            }
            return
        }
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
