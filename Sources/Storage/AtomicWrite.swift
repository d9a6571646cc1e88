import Foundation

/// Writes a whole HDF5 file so that `path` is either the complete new file or untouched.
///
/// `body` fills a sibling temporary file, `PATH.partial-PID`; after it returns, the file is
/// closed, synced to disk and renamed over `path` (rename is atomic within a directory). If
/// anything fails — `body` included — the temporary file is removed, any old file at `path` is
/// left as it was, and the error is rethrown.
///
/// - Parameters:
///   - overwrite: Whether an existing file at `path` may be replaced; if not, that is an error
///     before `body` runs.
///   - body: Writes the contents. Messages about the file name the destination, not the temporary.
public func writeAtomically(to path: String, overwrite: Bool, _ body: (HDF5File) throws -> Void) throws {
    let hint = "choose another --out"
    try checkWritableDirectory(for: path, hint: hint)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        if isDirectory.boolValue {
            throw StorageError(.alreadyExists, "\(path) is a directory — \(hint)")
        }
        if !overwrite {
            throw StorageError(.alreadyExists, "\(path) already exists — \(hint) or allow overwriting it")
        }
    }
    let temporary = "\(path).partial-\(getpid())"
    // A leftover from an earlier crashed process that had the same pid is garbage.
    unlink(temporary)
    let file: HDF5File
    do {
        file = try HDF5File.create(at: temporary, overwrite: true)
    } catch {
        unlink(temporary)
        throw error
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
        try? file.close()
        unlink(temporary)
        throw error
    }
    // Make the rename itself durable; failure here leaves a complete file, so it is not an error.
    var directory = (path as NSString).deletingLastPathComponent
    if directory.isEmpty { directory = "." }
    try? syncToDisk(directory)
}

/// fsync of a closed file or a directory, so a crash right after a rename cannot leave an
/// empty or partial file under the final name.
private func syncToDisk(_ path: String) throws {
    let descriptor = open(path, O_RDONLY)
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
