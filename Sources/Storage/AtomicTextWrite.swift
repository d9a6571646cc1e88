import Foundation

/// Writes a whole text file (a CSV, a summary) so that `path` is either the complete new text or
/// untouched: the text goes to `PATH.partial-PID`, is synced, and is renamed over `path`.
/// An existing file is replaced. Errors name the destination and the fix (`hint`).
public func writeTextAtomically(_ text: String, to path: String, hint: String = "choose another --out") throws {
    try checkWritableDirectory(for: path, hint: hint)
    let temporary = "\(path).partial-\(getpid())"
    unlink(temporary)
    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
        throw StorageError(.cannotWrite, "cannot write \(path) — \(hint)")
    }
    let descriptor = open(temporary, O_RDONLY)
    if descriptor >= 0 {
        fsync(descriptor)
        close(descriptor)
    }
    if rename(temporary, path) != 0 {
        let code = errno
        unlink(temporary)
        throw StorageError(.cannotWrite, "cannot move the finished file to \(path): \(errnoText(code)) — \(hint)")
    }
}
