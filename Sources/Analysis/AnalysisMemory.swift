import Estimators
import Foundation
import Support

/// What an analysis needs in memory, estimated from its plan before anything is read or written,
/// so a job too large for its nodes is refused up front with the figure and the fix.
///
/// Per node: the shared window, `slots × n × widest layer × 4` bytes (plus `slots × n × m × 8`
/// and those layers' directions, Σ d × m × 8, when wide layers are projected on loading; in
/// `analyze` their rows stay out of it),
/// held once whatever the number of ranks (each rank maps all of it, so each rank's resident
/// size includes it). Per rank besides (``rank``): the widened row block (1,024 × widest × 8),
/// in `analyze` the block of rows it reads for projecting (1,024 × widest × 4), a batch's directions and
/// projections (≤ 8 blocks of 32 slices), the evaluation inputs as stored and widened, the
/// prepared θᵀX of every block with its sort orders (n × m × 12), the KSG workspace, and a fixed base for the runtime
/// and libraries. Rank 0 also holds the plane's values (``rankZero``). Messages need no check:
/// every one is split below MPI's 32-bit count (``Cluster/Communicator``), so none is too long.
///
/// Sizes are Doubles, as in ``MemoryEstimate``: products of user-given sizes may exceed Int.
public struct AnalysisMemory: Sendable {
    /// Bytes of the shared window of one node.
    public var window: Double
    /// What each rank holds besides the window, part by part.
    public var rank: MemoryEstimate
    /// What rank 0 holds besides a rank's.
    public var rankZero: MemoryEstimate
    /// Ranks on the fullest node.
    public var ranksOnNode: Int
    /// Whether every rank reads its own share of each snapshot-layer (`analyze`).
    public var ranksRead: Bool

    /// Bytes every process holds whatever the job (runtime, MPI, HDF5, BLAS buffers), measured.
    static let base = 120.0 * 1_048_576

    /// The estimate of `plan` on nodes of at most `ranksOnNode` ranks.
    /// - Parameters:
    ///   - slicesFix: how the user lowers m here (`lower --slices`, `lower analysis.slices`).
    ///   - ranksRead: whether every rank of a node reads its own share of each snapshot-layer
    ///     (`analyze`; `run` has rank 0's node read what it publishes), see ``windowLayout(plan:ranksOnNode:ranksRead:)``.
    public init(plan: AnalysisPlan, ranksOnNode: Int, slicesFix: String = "lower --slices", ranksRead: Bool = true) {
        let n = Double(plan.samples), widest = Double(plan.widestActivations), m = Double(plan.settings.slices)
        let block = Double(SlicedMutualInformation.blockSize), batch = Double(min(8, plan.blocksPerLayer))
        let blocks = Double(plan.blocksPerLayer)
        let layout = Self.windowLayout(plan: plan, ranksOnNode: ranksOnNode, ranksRead: ranksRead)
        // Wide layers are projected where they are loaded: n × m doubles per slot beside the
        // activations, and the node keeps every such layer's directions (d × m doubles) once.
        let wide = plan.layers.indices.filter { plan.projectsOnLoad($0) }
        window = Double(layout.slots) * n * (Double(layout.rowWidth) * 4 + (wide.isEmpty ? 0 : m * 8))
            + wide.reduce(0.0) { $0 + Double(plan.widths[$1]) } * m * 8
        var rank = MemoryEstimate()
        rank.add("runtime, MPI, HDF5 and BLAS", bytes: Self.base, fix: "use a node with more memory")
        // A row block is 1,024 rows whatever n: for wide layers storing projections is the fix.
        let wideFix = "record projections only (snapshots.store: projections, docs/pipeline.md#huge-layers) or analyze narrower layers (--layers)"
        rank.add("a batch's directions, projections and widened rows", bytes: batch * block * (widest + 3 * n) * 8
                 + min(n, Double(BlockProjection.rowBlock)) * widest * 8,
                 fix: wide.isEmpty ? "analyze fewer samples (--samples) or narrower layers" : wideFix)
        let staged = Double(Self.stagedRows(plan: plan, ranksRead: ranksRead))
        if staged > 0 {
            rank.add("a block of rows read for projecting, 1,024 × widest float32", bytes: min(n, Double(BlockProjection.rowBlock)) * staged * 4, fix: wideFix)
        }
        rank.add("prepared input projections and their sort orders, n × m × 12 bytes",
                 bytes: blocks * block * n * (12 + (plan.targetWidth > 0 ? 8 : 0)), fix: slicesFix)
        rank.add("evaluation inputs, n × d", bytes: n * Double(plan.features) * 12, fix: "analyze fewer samples (--samples)")
        rank.add("KSG workspace and a block's sort orders", bytes: 4 * n * block * 8 + n * block * 4 + n * 96,
                 fix: "analyze fewer samples (--samples)")
        self.rank = rank
        var zero = MemoryEstimate()
        zero.add("per-slice values, epochs × layers × quantities × m doubles",
                 bytes: Double(plan.itemCount) * block * Double(plan.settings.quantities) * 8 * 2
                     + Double(plan.epochs.count) * Double(plan.layers.count) * m * 16,
                 fix: slicesFix + " or select fewer --epochs/--layers")
        rankZero = zero
        self.ranksOnNode = ranksOnNode
        self.ranksRead = ranksRead
    }

    /// Snapshot-layers a node holds at once: enough that every rank of the node can have a
    /// batch (⌈ranks / blocks per layer⌉), and two — loading one while computing from the other
    /// — when a slot (`bytes`) is small (≤ 64 MiB), where the second copy costs little.
    static func slots(plan: AnalysisPlan, ranksOnNode: Int, bytes: Double) -> Int {
        let needed = (ranksOnNode + plan.blocksPerLayer - 1) / plan.blocksPerLayer
        return max(needed, bytes <= 64 * 1_048_576 ? 2 : 1)
    }

    /// How a node's window is cut: `slots` snapshot-layers at once, each with n × `rowWidth`
    /// float32 of rows (and n × m doubles of projections when a layer is projected on loading).
    /// Where ranks read their own shares (`ranksRead`: `analyze`), a layer projected on loading
    /// never enters the window: each rank reads its rows a block at a time into its own buffer
    /// (``stagedRows(plan:ranksRead:)``) and projects them into the slot, so the window holds
    /// only the other layers' rows; when every layer is projected on loading it holds none, and
    /// a node of several ranks keeps two slots of projections, so a rank loads its share of the
    /// next snapshot-layer while the others finish the current one. `run` (rank 0's node reads
    /// what it publishes, other nodes receive whole layers) keeps every layer's rows in the window.
    public static func windowLayout(plan: AnalysisPlan, ranksOnNode: Int, ranksRead: Bool) -> (slots: Int, rowWidth: Int) {
        let stored = plan.layers.indices.filter { !plan.isProjected($0) && !(ranksRead && plan.projectsOnLoad($0)) }
        let rowWidth = stored.map { plan.widths[$0] }.max() ?? 0
        let projections = plan.layers.indices.contains { plan.projectsOnLoad($0) } ? Double(plan.settings.slices) * 8 : 0
        let slots = slots(plan: plan, ranksOnNode: ranksOnNode, bytes: Double(plan.samples) * (Double(rowWidth) * 4 + projections))
        let pipelined = ranksRead && ranksOnNode > 1 && rowWidth == 0 && projections > 0
        return (pipelined ? max(slots, 2) : slots, rowWidth)
    }

    /// The widest layer a rank reads through its own buffer, a block of rows at a time, instead of
    /// into the window (0 when none; see ``windowLayout(plan:ranksOnNode:ranksRead:)``).
    public static func stagedRows(plan: AnalysisPlan, ranksRead: Bool) -> Int {
        ranksRead ? plan.layers.indices.filter { plan.projectsOnLoad($0) }.map { plan.widths[$0] }.max() ?? 0 : 0
    }

    /// Rank 0's need as one estimate, part by part: the node's window it maps, a rank's parts and
    /// its own (what `infoplane run` adds to training's estimate).
    public var busiestRank: MemoryEstimate {
        var estimate = MemoryEstimate()
        estimate.add("the node's shared window of snapshot-layers, n × widest layer float32 (and wide layers' projections and directions)", bytes: window,
                     fix: "record projections only (snapshots.store: projections, docs/pipeline.md#huge-layers)")
        estimate.add(rank)
        estimate.add(rankZero)
        return estimate
    }

    /// Bytes the fullest node needs.
    public var perNode: Double { window + Double(ranksOnNode) * rank.total + rankZero.total }

    /// What a rank holds resident at its peak (the window it maps included).
    public var perRankResident: Double { window + rank.total }

    /// One line for the start of the log.
    public var summary: String {
        "memory ≈ \(MemoryEstimate.describe(perRankResident)) per rank (of which \(MemoryEstimate.describe(window)) is the node's shared window)"
    }

    /// Refuses a plan the node cannot hold: more than `physical` bytes, or a window larger than
    /// `sharedFree` (Open MPI backs it in /dev/shm). The message gives the figures, the largest
    /// part with its fix, and the largest `--samples` that would fit when there is one.
    public func check(_ plan: AnalysisPlan, physical: Double, sharedFree: Double) throws {
        guard perNode > physical || window > sharedFree else { return }
        let largest = busiestRank.parts.max { $0.bytes < $1.bytes }!
        var fixes: [String] = []
        if let samples = Self.largestSamples(plan, ranksOnNode: ranksOnNode, ranksRead: ranksRead, physical: physical, sharedFree: sharedFree) {
            fixes.append("analyze fewer samples (--samples \(samples))")
        }
        if fixes.isEmpty || !largest.fix.contains("--samples") { fixes.append(largest.fix) }
        if ranksOnNode > 1 { fixes.append("put fewer ranks on each node") }
        let fixText = fixes.count == 1 ? fixes[0] : fixes.dropLast().joined(separator: ", ") + ", or " + fixes.last!
        let ranks = ranksOnNode == 1 ? "1 rank" : "\(ranksOnNode) ranks"
        guard perNode <= physical else {
            throw InfoPlaneError("the analysis needs \(MemoryEstimate.describe(perRankResident)) per rank, \(MemoryEstimate.describe(perNode)) on a node of \(ranks) "
                                 + "(shared window \(MemoryEstimate.describe(window)); largest part: \(largest.what), \(MemoryEstimate.describe(largest.bytes))), "
                                 + "but this node has \(MemoryEstimate.describe(physical)): \(fixText)")
        }
        throw InfoPlaneError("the analysis's shared window needs \(MemoryEstimate.describe(window)) in /dev/shm, which has \(MemoryEstimate.describe(sharedFree)) free: "
                             + (fixes.filter { !$0.contains("projections only") } + ["record projections only (snapshots.store: projections, docs/pipeline.md#huge-layers)"]).joined(separator: ", or "))
    }

    /// The most samples (a multiple of 100, above k) with which `plan` fits, if any.
    static func largestSamples(_ plan: AnalysisPlan, ranksOnNode: Int, ranksRead: Bool, physical: Double, sharedFree: Double) -> Int? {
        func fits(_ samples: Int) -> Bool {
            var smaller = plan
            smaller.samples = samples
            let memory = AnalysisMemory(plan: smaller, ranksOnNode: ranksOnNode, ranksRead: ranksRead)
            return memory.perNode <= physical && memory.window <= sharedFree
        }
        var low = plan.settings.k + 1, high = plan.samples - 1  // fits(low) is checked; fits(high + 1) is false
        guard low <= high, fits(low) else { return nil }
        while low < high {
            let middle = (low + high + 1) / 2
            if fits(middle) { low = middle } else { high = middle - 1 }
        }
        return low >= 100 ? low / 100 * 100 : low
    }

    /// Free bytes in /dev/shm (where Open MPI backs shared windows); infinity if it is absent.
    public static func sharedFree() -> Double {
        var stats = statvfs()
        guard statvfs("/dev/shm", &stats) == 0 else { return .infinity }
        return Double(stats.f_bavail) * Double(stats.f_frsize)
    }
}

extension AnalysisPlan {
    /// What this analysis holds on its busiest rank (rank 0: the collector besides a worker's
    /// share, and the node's window it maps), part by part: ``AnalysisMemory/busiestRank`` on a
    /// node of one rank, reading as `run` does (every layer's rows in the window).
    /// - Parameter slicesFix: how the user lowers m here (`lower --slices`, `lower analysis.slices`).
    public func memoryEstimate(slicesFix: String) -> MemoryEstimate {
        AnalysisMemory(plan: self, ranksOnNode: 1, slicesFix: slicesFix, ranksRead: false).busiestRank
    }
}
