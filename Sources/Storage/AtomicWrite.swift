import Foundation

/// Writes a whole HDF5 file so that `path` is either the complete new file or untouched.
///
/// `body` fills a sibling temporary file, `PATH.partial-PID`; after it returns, the file is
/// closed, synced to disk and renamed over `path` (rename is atomic within a directory), and the
/// directory is synced so the rename survives a power cut. If anything fails — `body` included —
/// the temporary file is removed, any old file at `path` is left as it was, and the error is
/// rethrown (a full disk as one line naming the path and the fix). Temporaries of `path` left by
/// dead processes are removed first.
///
/// - Parameters:
///   - overwrite: Whether an existing file at `path` may be replaced; if not, that is an error
///     before `body` runs. Something other than a regular file (a directory, a device, a pipe)
///     is never replaced.
///   - inMemory: Build the file in memory and write it in one go when closed (small files; see
///     ``HDF5File/create(at:overwrite:inMemory:)``).
///   - body: Writes the contents. Messages about the file name the destination, not the temporary.
public func writeAtomically(to path: String, overwrite: Bool, inMemory: Bool = false, _ body: (HDF5File) throws -> Void) throws {
    let hint = "choose another --out"
    try checkWritableDirectory(for: path, hint: hint)
    if try checkReplaceable(path, hint: hint), !overwrite {
        throw StorageError(.alreadyExists, "\(path) already exists — \(hint) or allow overwriting it")
    }
    removeStalePartials(of: path)
    // A leftover of an earlier process that had this pid is truncated by the create.
    let temporary = partialPath(of: path)
    let file: HDF5File
    do {
        file = try HDF5File.create(at: temporary, overwrite: true, inMemory: inMemory)
    } catch {
        unlink(temporary)
        throw diskFull(error, path: path)
    }
    file.displayName = (path as NSString).lastPathComponent
    do {
        try body(file)
        try file.close()
        try syncToDisk(temporary)
        if !overwrite, FileManager.default.fileExists(atPath: path) {
            throw StorageError(.alreadyExists, "\(path) appeared while it was being written — \(hint)")
        }
        if rename(temporary, path) != 0 {
            let code = errno
            throw StorageError(.cannotWrite, "cannot move the finished file to \(path): \(errnoText(code))")
        }
    } catch {
        file.abandon()
        unlink(temporary)
        throw diskFull(error, path: path)
    }
    syncDirectory(of: path)
}

/// `PATH.partial-PID`: where this process writes `path` before renaming it into place.
public func partialPath(of path: String) -> String { "\(path).partial-\(getpid())" }

/// Removes `PATH.partial-PID` files beside `path` whose process is gone (a kill or a crash left
/// them); those of live processes, this one included, are kept.
public func removeStalePartials(of path: String) {
    var directory = (path as NSString).deletingLastPathComponent
    if directory.isEmpty { directory = "." }
    let prefix = (path as NSString).lastPathComponent + ".partial-"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for name in names where name.hasPrefix(prefix) {
        guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
        if kill(pid, 0) != 0 && errno == ESRCH { unlink((directory as NSString).appendingPathComponent(name)) }
    }
}

/// Whether something exists at `path` that may be replaced by a rename: a regular file (true),
/// or nothing (false). Anything else — a directory, a device such as /dev/null, a pipe, a
/// socket — is refused, whatever `--force` says.
@discardableResult
public func checkReplaceable(_ path: String, hint: String = "choose another --out") throws -> Bool {
    var status = stat()
    guard stat(path, &status) == 0 else { return false }
    switch status.st_mode & S_IFMT {
    case S_IFREG: return true
    case S_IFDIR: throw StorageError(.alreadyExists, "\(path) is a directory, not a file — \(hint)")
    default: throw StorageError(.alreadyExists, "\(path) is not a regular file (a device, pipe or socket) and is never replaced — \(hint)")
    }
}

/// `error` as one line naming `path` and "free space" when the device is full (ENOSPC or
/// EDQUOT anywhere in its text); other errors unchanged.
public func diskFull(_ error: Error, path: String) -> Error {
    let text = String(describing: error)
    guard text.contains("No space left") || text.contains("Disk quota exceeded") || text.contains("errno = 28")
            || text.contains("errno = 122") else { return error }
    if let storage = error as? StorageError, storage.message.hasPrefix("cannot write \(path): the device is full") { return error }
    return StorageError(.cannotWrite, "cannot write \(path): the device is full — free space, then run the same command with --resume")
}

/// fsync of a closed file or a directory, so a crash right after a rename cannot leave an
/// empty or partial file under the final name.
func syncToDisk(_ path: String) throws {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        let code = errno
        throw StorageError(.cannotWrite, "cannot sync \(path): \(errnoText(code))")
    }
    defer { close(descriptor) }
    if fsync(descriptor) != 0 {
        let code = errno
        throw StorageError(.cannotWrite, "cannot sync \(path): \(errnoText(code))")
    }
}

/// Makes a rename or unlink in the directory of `path` durable. A failure leaves the change made
/// (only its durability after a power cut is unsure), so it is not an error.
public func syncDirectory(of path: String) {
    var directory = (path as NSString).deletingLastPathComponent
    if directory.isEmpty { directory = "." }
    try? syncToDisk(directory)
}
