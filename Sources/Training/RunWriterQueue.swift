import Files
import Foundation
import Learning
import Support

/// Writes each epoch's record — snapshot part, checkpoint part, index — on a thread of its own, so
/// training goes on while a conv-scale snapshot is projected, shuffled, deflated and synced (the
/// CNN's 946 MB took rank 0 10–20 s per epoch when it waited for them).
///
/// One epoch in flight at most: ``submit(_:)`` first waits for the previous one, so memory holds
/// at most the snapshot being written and the one just recorded. Epochs are published in order,
/// each exactly as ``RunFileWriter/appendEpoch(metrics:snapshot:projections:stopping:checkpoint:)``
/// publishes it (new parts, then the index by rename), so the run file's crash safety is the
/// writer's: a kill at any instant leaves the last published index and everything it links, and
/// `--resume` continues from its checkpoint. Storage runs every HDF5 call under one process-wide
/// lock (its `HDF5Library`: safe with any HDF5 build, thread-safe or not), so the training
/// thread's rare HDF5 calls wait for one dataset write at worst.
final class RunWriterQueue: @unchecked Sendable {
    /// What one epoch records.
    struct Epoch: Sendable {
        var metrics: EpochMetrics
        /// The recorded activations at a snapshot epoch (nil otherwise).
        var activations: [Matrix]?
        /// With `snapshots.store: projections`: what the snapshot stores instead of `activations`,
        /// computed on the writer's thread from them.
        var project: (@Sendable ([Matrix]) -> StoredProjections.Snapshot)?
        var stopping: StoppingRow?
        var checkpoint: TrainingCheckpoint
        /// Seconds of the snapshot's forward pass (for the progress line).
        var forwardSeconds: Double?
    }

    /// An epoch now on disk.
    struct Written: Sendable {
        /// The epoch.
        var epoch: Int
        /// Its activations (nil: no snapshot), for the sink.
        var activations: [Matrix]?
        /// Wall seconds from the start of its write to its index's publication.
        var seconds: Double
        /// CPU seconds of the writer's thread for it (projection, shuffle, deflate, HDF5).
        var cpuSeconds: Double
        /// Bytes of activations recorded (n × Σ widths × 4).
        var bytes: Int
        /// Seconds of the snapshot's forward pass on the training thread.
        var forwardSeconds: Double?
    }

    private let writer: RunFileWriter
    private let condition = NSCondition()
    /// An epoch is being written.
    private var busy = false
    /// The last epoch's outcome, until collected.
    private var outcome: Result<Written, Error>?

    /// A queue writing through `writer`, which nothing else touches from now on.
    init(writer: RunFileWriter) { self.writer = writer }

    /// Waits for the epoch in flight, then starts writing `epoch`; returns the one waited for.
    func submit(_ epoch: Epoch) throws -> Written? {
        let previous = try wait()
        condition.lock()
        busy = true
        condition.unlock()
        let thread = Thread { [self] in
            let result = Result { try write(epoch) }
            condition.lock()
            outcome = result
            busy = false
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "run.h5 writer"
        thread.start()
        return previous
    }

    /// The epoch in flight if its write has finished (its error, if it failed); nil while it is
    /// still being written or when nothing was submitted since the last collection.
    func poll() throws -> Written? {
        condition.lock()
        defer { condition.unlock() }
        guard !busy, let result = outcome else { return nil }
        outcome = nil
        return try result.get()
    }

    /// Waits until the epoch in flight is on disk; returns it (nil when none was pending).
    func wait() throws -> Written? {
        condition.lock()
        while busy { condition.wait() }
        let result = outcome
        outcome = nil
        condition.unlock()
        return try result?.get()
    }

    /// Waits for the epoch in flight, ignoring its outcome (training failed anyway): the run
    /// directory's lock is released only once nothing writes into it.
    func settle() { _ = try? wait() }

    /// Publishes the index once every submitted epoch is written: how an extended run that trained
    /// no epoch (the stopping rule had ended it) still stores its new config.
    func publishIndex() throws {
        _ = try wait()
        try writer.publishIndex()
    }

    /// The writer's thread: one epoch, published, then the test hook of a kill after it.
    private func write(_ epoch: Epoch) throws -> Written {
        let clock = ContinuousClock(), started = clock.now, cpu = Self.threadCPUSeconds()
        let projections = epoch.activations.flatMap { activations in epoch.project.map { $0(activations) } }
        try writer.appendEpoch(metrics: epoch.metrics, snapshot: projections == nil ? epoch.activations : nil, projections: projections,
                               stopping: epoch.stopping, checkpoint: epoch.checkpoint)
        FaultInjection.epochFinished(epoch.metrics.epoch)
        let elapsed = clock.now - started
        return Written(epoch: epoch.metrics.epoch, activations: epoch.activations,
                       seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                       cpuSeconds: Self.threadCPUSeconds() - cpu,
                       bytes: (epoch.activations ?? []).reduce(0) { $0 + $1.storage.count * 4 }, forwardSeconds: epoch.forwardSeconds)
    }

    /// CPU time of the calling thread.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
