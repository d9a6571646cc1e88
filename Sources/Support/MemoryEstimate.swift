import Foundation

/// What a job will hold in memory on its busiest rank, part by part, checked against the
/// machine before anything is allocated or written: sizes that pass every validation but cannot
/// be allocated (`model.hidden: [100000, 100000]`, `--slices 1000000000`) are refused in one line
/// with the figure and the fix, instead of dying in the allocator.
///
/// Parts are plain formulas of the job's sizes, in bytes (Double: products of user-given sizes
/// may exceed Int). `Training` and `Analysis` add theirs (docs/reliability.md lists them);
/// the estimate is of what the job keeps, not of every short-lived buffer.
public struct MemoryEstimate: Sendable {
    /// One holding: what it is, its bytes, and the setting that shrinks it.
    public struct Part: Sendable, Equatable {
        /// What is held, e.g. "network weights and optimizer state".
        public var what: String
        /// Its size in bytes.
        public var bytes: Double
        /// The change that shrinks it, e.g. "narrow model.hidden".
        public var fix: String

        /// A part from its pieces.
        public init(_ what: String, bytes: Double, fix: String) {
            self.what = what
            self.bytes = bytes
            self.fix = fix
        }
    }

    /// The parts, in the order they were added.
    public private(set) var parts: [Part] = []

    /// An empty estimate.
    public init() {}

    /// Adds `bytes` held as `what`, shrunk by `fix`.
    public mutating func add(_ what: String, bytes: Double, fix: String) {
        parts.append(Part(what, bytes: bytes, fix: fix))
    }

    /// Adds every part of `other`.
    public mutating func add(_ other: MemoryEstimate) { parts += other.parts }

    /// The sum of the parts, in bytes.
    public var total: Double { parts.reduce(0) { $0 + $1.bytes } }

    /// Refuses the job if it needs more than `available` bytes (default: the machine's memory),
    /// naming the total, the largest part and its fix.
    /// - Parameter perRank: the job runs on MPI ranks (each rank's need is the figure).
    public func check(available: Double = MemoryEstimate.machineBytes, perRank: Bool = true) throws {
        guard total > available, let largest = parts.max(by: { $0.bytes < $1.bytes }) else { return }
        throw InfoPlaneError("the job needs \(Self.describe(total))\(perRank ? " per rank" : "") (\(largest.what): \(Self.describe(largest.bytes))), "
            + "this machine has \(Self.describe(available)): \(largest.fix)")
    }

    /// Physical memory, or the cgroup's limit where that is lower (a Slurm allocation or a
    /// container), in bytes.
    public static var machineBytes: Double {
        let physical = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        let limits = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"].compactMap { path -> Double? in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            return Double(text.trimmingCharacters(in: .whitespacesAndNewlines))  // "max" means no limit
        }
        return ([physical] + limits.filter { $0 > 0 }).min() ?? physical
    }

    /// `bytes` as "24.0 GB" (or MB below a gigabyte), decimal units.
    public static func describe(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", (bytes / 1e6).rounded(.up))
    }
}
