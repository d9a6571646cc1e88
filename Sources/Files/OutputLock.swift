import Foundation
import Support

/// One writer per output: an advisory `flock` on a lock file beside the output (`run.lock` for a
/// run directory's run.h5, `plane.lock` for plane.h5), holding the owner's "PID HOST". The OS
/// releases it when the process ends, however it ends, so a killed job never leaves a stale
/// lock; a second writer is refused in one line naming the holder. Readers take no lock.
///
/// Locks are counted per process: taking a lock this process already holds (`run` holds the
/// run's lock around training, which takes it again) succeeds. The lock file itself stays.
public final class OutputLock {
    /// The lock file.
    public let path: String
    private var released = false

    private init(path: String) { self.path = path }

    deinit { release() }

    /// The lock file of `output`: same directory and stem, `.lock`.
    public static func lockPath(of output: String) -> String { RunDirectory.sibling(of: output, ".lock") }

    /// Takes the lock of `output`, or throws naming the process that holds it.
    public static func acquire(_ output: String) throws -> OutputLock {
        let path = lockPath(of: output)
        try Registry.shared.acquire(path, output: output)
        return OutputLock(path: path)
    }

    /// Gives the lock up (once; also at deinit).
    public func release() {
        guard !released else { return }
        released = true
        Registry.shared.release(path)
    }

    /// The process's held locks: lock file → (descriptor, count).
    private final class Registry: @unchecked Sendable {
        static let shared = Registry()
        private let mutex = NSLock()
        private var held: [String: (descriptor: Int32, count: Int)] = [:]

        func acquire(_ path: String, output: String) throws {
            mutex.lock()
            defer { mutex.unlock() }
            if let entry = held[path] {
                held[path] = (entry.descriptor, entry.count + 1)
                return
            }
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                let reason = String(cString: strerror(errno))
                throw InfoPlaneError("cannot open the lock file \(path) (\(reason)): check that the output directory is writable, or choose another --out")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let holder = Self.holder(descriptor)
                close(descriptor)
                throw InfoPlaneError("\(output) is being written by \(holder) (lock \(path)): wait for it to finish or stop it, or choose another --out")
            }
            // Best effort: the lock works without the text, which only names the holder.
            let text = Array("\(getpid()) \(Self.hostName())\n".utf8)
            if ftruncate(descriptor, 0) == 0 { _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } }
            held[path] = (descriptor, 1)
        }

        func release(_ path: String) {
            mutex.lock()
            defer { mutex.unlock() }
            guard let entry = held[path] else { return }
            if entry.count > 1 {
                held[path] = (entry.descriptor, entry.count - 1)
            } else {
                close(entry.descriptor)
                held[path] = nil
            }
        }

        /// "process PID on HOST" from the lock file's text.
        private static func holder(_ descriptor: Int32) -> String {
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            let fields = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self).split(whereSeparator: \.isWhitespace)
            guard fields.count >= 2 else { return "another process" }
            return "process \(fields[0]) on \(fields[1])"
        }

        private static func hostName() -> String {
            var buffer = [UInt8](repeating: 0, count: 256)
            guard buffer.withUnsafeMutableBytes({ gethostname($0.baseAddress!.assumingMemoryBound(to: CChar.self), 255) }) == 0 else { return "unknown-host" }
            return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
