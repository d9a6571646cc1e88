import Foundation
import Support

/// Rank 0's report of the analysis on standard error: snapshots analysed of total, slice
/// estimates per second, and the time left. A single redrawn bar on a terminal; plain lines
/// otherwise (Slurm logs), at each completed snapshot and at most every 10 s between them.
///
/// The time left is measured, not guessed: items completed per second since the first work was
/// handed out (so reading the run file and setting up do not count), shown as "estimating…"
/// until every rank has delivered an item (the first items carry one-off costs: θᵀX of a
/// block, the first load).
public final class AnalysisProgress {
    private let log: ProgressLog
    private let terminal: Bool
    private let clock = ContinuousClock()
    private var workStart: ContinuousClock.Instant?
    private var lastLine: ContinuousClock.Instant
    private let ranks: Int
    /// Items done before this process started (resumed), excluded from the rate.
    private var initialItems = -1

    /// A report through `log` (silent when it is quiet) of an analysis on `ranks` ranks.
    public init(log: ProgressLog, ranks: Int = 1) {
        self.log = log
        self.ranks = ranks
        terminal = ProgressLog.terminal
        lastLine = clock.now
    }

    /// Work was handed out (the first call counts; the rate is measured from it).
    public func started() {
        if workStart == nil { workStart = clock.now }
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
        let since = now - (workStart ?? now)
        let elapsed = Double(since.components.seconds) + Double(since.components.attoseconds) * 1e-18
        let slicesPerItem = Double(plan.settings.slices * plan.settings.quantities) / Double(plan.blocksPerLayer)
        let measured = collector.completedItems - max(initialItems, 0)
        let rate = Double(measured) * slicesPerItem / max(elapsed, 1e-9)
        let eta = Self.timeLeft(measured: measured, toMeasure: min(ranks, plan.itemCount - max(initialItems, 0)),
                                remaining: plan.itemCount - collector.completedItems, elapsed: elapsed)
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

    /// The closing line on the work done, from every rank's ``SliceWorker/timing`` followed by
    /// its loading `[wall seconds, GB]` and its idle wall seconds (waiting for a message): the
    /// projections' GFLOP and rate per core, the CPU time of estimation, the snapshot-layers
    /// read or moved, and the time ranks waited.
    public func reportWork(_ timings: [[Double]]) {
        func total(_ index: Int) -> Double { timings.reduce(0) { $0 + ($1.count > index ? $1[index] : 0) } }
        guard total(0) + total(2) > 0 else { return }
        log(String(format: "analysis work: projections %.1f GFLOP in %.1f CPU s (%.1f GFLOP/s per core), estimation %.1f CPU s, "
                   + "loads %.2f GB in %.1f s, waiting %.1f s, on %d rank(s)",
                   total(1), total(0), total(1) / max(total(0), 1e-9), total(2), total(4), total(3), total(5), timings.count))
    }

    /// The time left: `remaining` items at the rate of the `measured` ones done in `elapsed`
    /// seconds since work was handed out; "estimating…" until `toMeasure` items are done (one
    /// per rank: the first items carry one-off costs and a rank's first batch may be its only one).
    public static func timeLeft(measured: Int, toMeasure: Int, remaining: Int, elapsed: Double) -> String {
        guard remaining > 0 else { return duration(0) }
        guard measured >= max(toMeasure, 1), elapsed > 0 else { return "estimating…" }
        return duration(Double(remaining) * elapsed / Double(measured))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600) h \(s % 3600 / 60) min" : s >= 60 ? "\(s / 60) min \(s % 60) s" : "\(s) s"
    }
}
