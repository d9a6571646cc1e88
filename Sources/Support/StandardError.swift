import Foundation

/// Standard error as a job may rely on it: never a reason to stop. Progress lines degrade, the
/// work does not: the first write that fails (stderr closed with `2>&-`, a full disk under a
/// Slurm log, `2>/dev/full`, a reader gone from a pipe) silences every later progress line, and
/// the job goes on to its result and its exit status. The final error line is still attempted,
/// once. (`FileHandle.standardError.write` traps on such a failure in swift-corelibs-foundation;
/// nothing here may use it.)
public enum StandardError {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var silenced = false

    /// Called first thing in `main`: SIGPIPE is ignored (a reader that went away then fails the
    /// write instead of killing the job), and any of the descriptors 0, 1, 2 that is closed is
    /// opened on /dev/null, so that no file the job opens later lands on it and receives
    /// progress lines meant for a terminal.
    public static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_RDWR)
            if opened >= 0 && opened != descriptor {
                dup2(opened, descriptor)
                close(opened)
            }
        }
    }

    /// Writes a progress text (no newline added), unless an earlier write failed; a failure
    /// now silences every later one.
    public static func progress(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !silenced else { return }
        if !writeAll(text) { silenced = true }
    }

    /// Writes one line (a newline is added) that ends the job, such as `Error: …`: attempted
    /// once even after progress was silenced, and its failure is ignored (there is nowhere left
    /// to report it; the exit status still says the job failed).
    public static func finalLine(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        if !writeAll(line + "\n") { silenced = true }
    }

    /// Whether a write has failed and progress is silenced.
    public static var isSilenced: Bool {
        lock.lock()
        defer { lock.unlock() }
        return silenced
    }

    /// Writes every byte to descriptor 2; false at the first failure (EINTR is retried).
    private static func writeAll(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            bytes = bytes.dropFirst(written)
        }
        return true
    }
}
