import Foundation

/// Writes a whole text file (a CSV, a summary) so that `path` is either the complete new text or
/// untouched: the text goes to `PATH.partial-PID`, is synced, and is renamed over `path`.
/// An existing regular file is replaced; anything else (a directory, a device) is refused.
/// Errors name the destination and the fix (`hint`); a full disk says "free space".
public func writeTextAtomically(_ text: String, to path: String, hint: String = "choose another --out") throws {
    try checkWritableDirectory(for: path, hint: hint)
    try checkReplaceable(path, hint: hint)
    removeStalePartials(of: path)
    let temporary = partialPath(of: path)
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        let code = errno
        throw StorageError(.cannotWrite, "cannot write \(path): \(errnoText(code)) — \(hint)")
    }
    let bytes = Array(text.utf8)
    var written = 0
    var failure: Int32 = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
        if n < 0 { if errno == EINTR { continue }; failure = errno; break }
        written += n
    }
    if failure == 0, fsync(descriptor) != 0 { failure = errno }
    if close(descriptor) != 0, failure == 0 { failure = errno }
    if failure == 0, rename(temporary, path) != 0 { failure = errno }
    guard failure == 0 else {
        unlink(temporary)
        if failure == ENOSPC || failure == EDQUOT {
            throw StorageError(.cannotWrite, "cannot write \(path): the device is full — free space, then run the same command with --resume")
        }
        throw StorageError(.cannotWrite, "cannot write \(path): \(errnoText(failure)) — \(hint)")
    }
    syncDirectory(of: path)
}
