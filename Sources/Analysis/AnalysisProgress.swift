import Foundation
import Support

/// Rank 0's report of the analysis on standard error: snapshots analysed of total, slice
/// estimates per second, and the time left. A single redrawn bar on a terminal; plain lines
/// otherwise (Slurm logs), at each completed snapshot and at most every 10 s between them.
public final class AnalysisProgress {
    private let log: ProgressLog
    private let terminal: Bool
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastLine: ContinuousClock.Instant
    /// Items done before this process started (resumed), excluded from the rate.
    private var initialItems = -1

    /// A report through `log` (silent when it is quiet).
    public init(log: ProgressLog) {
        self.log = log
        terminal = ProgressLog.terminal
        started = clock.now
        lastLine = clock.now
    }

    /// Call as items complete; `snapshotDone` when one completed a snapshot.
    public func update(collector: PlaneCollector, snapshotDone: Bool) {
        guard !log.quiet else { return }
        let plan = collector.plan  // the collector's: training may have stopped early and cut it
        if initialItems < 0 { initialItems = collector.completedItems - 1 }
        let now = clock.now
        let interval = terminal ? Duration.milliseconds(250) : Duration.seconds(10)
        guard snapshotDone || now - lastLine >= interval || collector.isComplete else { return }
        lastLine = now
        let snapshots = collector.completeEpochs.filter { $0 }.count
        let elapsed = Double((now - started).components.seconds) + Double((now - started).components.attoseconds) * 1e-18
        let slicesPerItem = Double(plan.settings.slices * plan.settings.quantities) / Double(plan.blocksPerLayer)
        let rate = Double(collector.completedItems - max(initialItems, 0)) * slicesPerItem / max(elapsed, 1e-9)
        let remaining = Double(plan.itemCount - collector.completedItems) * slicesPerItem
        let eta = rate > 0 ? Self.duration(remaining / rate) : "?"
        let text = String(format: "analysis: %d/%d snapshots, %d/%d items, %.0f slices/s, ETA %@",
                          snapshots, plan.epochs.count, collector.completedItems, plan.itemCount, rate, eta)
        if terminal {
            let width = 24
            let filled = plan.itemCount > 0 ? width * collector.completedItems / plan.itemCount : width
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            StandardError.progress("\r\(log.prefix)[\(bar)] \(text)\u{1B}[K")
            if collector.isComplete { StandardError.progress("\n") }
        } else {
            log(text)
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600) h \(s % 3600 / 60) min" : s >= 60 ? "\(s / 60) min \(s % 60) s" : "\(s) s"
    }
}
