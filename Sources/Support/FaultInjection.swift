import Foundation

/// FOR TESTS ONLY: hooks that make the process kill itself at a chosen point, so tests can prove
/// that a resume after a hard kill gives the bit-identical result. Nothing sets these variables
/// in normal use, and every hook is a no-op without them.
///
/// - `INFOPLANE_FAULT_KILL_AFTER_EPOCH=N`: SIGKILL right after epoch N of training is on disk.
/// - `INFOPLANE_FAULT_KILL_RANK=R` with `INFOPLANE_FAULT_KILL_AFTER_ITEMS=N`: rank R SIGKILLs itself
///   after its N-th computed work item is sent (or, on rank 0, recorded).
public enum FaultInjection {
    private static let environment = ProcessInfo.processInfo.environment
    private static let killAfterEpoch = environment["INFOPLANE_FAULT_KILL_AFTER_EPOCH"].flatMap { Int($0) }

    /// Called once epoch `epoch` is on disk.
    public static func epochFinished(_ epoch: Int) {
        if epoch == killAfterEpoch { killSelf() }
    }

    /// How many items `rank` computes before it kills itself; nil when no test asked.
    public static func killAfterItems(rank: Int) -> Int? {
        guard let r = environment["INFOPLANE_FAULT_KILL_RANK"].flatMap(Int.init), r == rank else { return nil }
        return environment["INFOPLANE_FAULT_KILL_AFTER_ITEMS"].flatMap(Int.init)
    }

    /// Called after each computed item; `count` items so far on `rank`.
    public static func itemFinished(count: Int, rank: Int) {
        if count == killAfterItems(rank: rank) { killSelf() }
    }

    private static func killSelf() { kill(getpid(), SIGKILL) }
}
