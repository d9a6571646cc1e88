import Estimators
import Foundation
import Support

/// What an analysis needs in memory, estimated from its plan before anything is read or written,
/// so a job too large for its nodes is refused up front with the figure and the fix.
///
/// Per node: the shared window, `slots × n × widest layer × 4` bytes, held once whatever the
/// number of ranks (each rank maps all of it, so each rank's resident size includes it). Per
/// rank besides: the widened row block (1,024 × widest × 8), a batch's directions and
/// projections (≤ 8 blocks of 32 slices), the evaluation inputs in Double, the prepared θᵀX of
/// every block (n × m × 8), the KSG workspace, and a fixed base for the runtime and libraries.
/// Rank 0 also holds the plane's values. Messages need no check: every one is split below MPI's
/// 32-bit count (``Cluster/Communicator``), so none is too long.
public struct AnalysisMemory: Sendable, Equatable {
    /// Bytes of the shared window of one node.
    public var window: Int
    /// Bytes each rank needs besides the window.
    public var perRank: Int
    /// Bytes rank 0 needs besides a rank's.
    public var rankZero: Int
    /// Ranks on the fullest node.
    public var ranksOnNode: Int

    /// Bytes every process holds whatever the job (runtime, MPI, HDF5, BLAS buffers), measured.
    static let base = 120 << 20

    /// The estimate of `plan` on nodes of at most `ranksOnNode` ranks.
    public init(plan: AnalysisPlan, ranksOnNode: Int) {
        let n = plan.samples, widest = plan.widestActivations, m = plan.settings.slices
        let block = SlicedMutualInformation.blockSize, batch = min(8, plan.blocksPerLayer)
        window = Self.slots(plan: plan, ranksOnNode: ranksOnNode) * n * widest * 4
        let widened = min(n, BlockProjection.rowBlock) * widest * 8
        let batchBytes = batch * block * (widest + 3 * n) * 8
        let inputs = n * plan.features * (8 + 4) + plan.blocksPerLayer * block * n * 8 * (plan.targetWidth > 0 ? 2 : 1)
        let scratch = 4 * n * block * 8 + n * 96
        perRank = Self.base + widened + batchBytes + inputs + scratch
        rankZero = plan.itemCount * block * plan.settings.quantities * 8 * 2 + plan.epochs.count * plan.layers.count * m * 16
        self.ranksOnNode = ranksOnNode
    }

    /// Snapshot-layers a node holds at once: enough that every rank of the node can have a
    /// batch (⌈ranks / blocks per layer⌉), and two — loading one while computing from the other
    /// — when a slot is small (≤ 64 MiB), where the second copy costs little.
    public static func slots(plan: AnalysisPlan, ranksOnNode: Int) -> Int {
        let needed = (ranksOnNode + plan.blocksPerLayer - 1) / plan.blocksPerLayer
        return max(needed, plan.samples * plan.widestActivations * 4 <= 64 << 20 ? 2 : 1)
    }

    /// Bytes the fullest node needs.
    public var perNode: Int { window + ranksOnNode * perRank + rankZero }

    /// What a rank holds resident at its peak (the window it maps included).
    public var perRankResident: Int { window + perRank }

    /// One line for the start of the log.
    public var summary: String {
        String(format: "memory ≈ %@ per rank (of which %@ is the node's shared window)", Self.text(perRankResident), Self.text(window))
    }

    /// Refuses a plan the node cannot hold: more than `physical` bytes, or a window larger than
    /// `sharedFree` (Open MPI backs it in /dev/shm). The message gives the figures and the fixes,
    /// with the largest `--samples` that would fit when there is one.
    public func check(_ plan: AnalysisPlan, physical: Int, sharedFree: Int) throws {
        guard perNode > physical || window > sharedFree else { return }
        var fixes = ["put fewer ranks on each node", "record projections only (docs/pipeline.md#huge-layers)"]
        if let samples = Self.largestSamples(plan, ranksOnNode: ranksOnNode, physical: physical, sharedFree: sharedFree) {
            fixes.insert("analyze fewer samples (--samples \(samples))", at: 0)
        }
        let ranks = ranksOnNode == 1 ? "1 rank" : "\(ranksOnNode) ranks"
        let fixText = fixes.dropLast().joined(separator: ", ") + ", or " + fixes.last!
        guard perNode <= physical else {
            throw InfoPlaneError("the analysis needs \(Self.text(perNode)) on a node (shared window \(Self.text(window)) + \(ranks) × \(Self.text(perRank))), "
                                 + "but this node has \(Self.text(physical)): \(fixText)")
        }
        throw InfoPlaneError("the analysis's shared window needs \(Self.text(window)) in /dev/shm, which has \(Self.text(sharedFree)) free: \(fixText)")
    }

    /// The most samples (a multiple of 100, above k) with which `plan` fits, if any.
    static func largestSamples(_ plan: AnalysisPlan, ranksOnNode: Int, physical: Int, sharedFree: Int) -> Int? {
        func fits(_ samples: Int) -> Bool {
            var smaller = plan
            smaller.samples = samples
            let memory = AnalysisMemory(plan: smaller, ranksOnNode: ranksOnNode)
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

    /// This machine's memory: physical pages, or the cgroup's limit when lower.
    public static func physical() -> Int {
        var bytes = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), limit > 0 {
                bytes = min(bytes, limit)
            }
        }
        return bytes
    }

    /// Free bytes in /dev/shm (where Open MPI backs shared windows); `Int.max` if it is absent.
    public static func sharedFree() -> Int {
        var stats = statvfs()
        guard statvfs("/dev/shm", &stats) == 0 else { return Int.max }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// Bytes in GB (or MB below one GB), two significant decimals.
    static func text(_ bytes: Int) -> String {
        bytes >= 1_000_000_000 ? String(format: "%.2f GB", Double(bytes) / 1e9) : String(format: "%.0f MB", Double(bytes) / 1e6)
    }
}
