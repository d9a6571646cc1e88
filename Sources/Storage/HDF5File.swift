import CHDF5
import Foundation

/// An open HDF5 file. Its id is closed by ``close()`` or, at the latest, when the object is
/// released; no other HDF5 id outlives the call that opened it.
///
/// Threads: HDF5 builds are not all thread-safe, so every call of this module holds one
/// process-wide lock. Different files may therefore be used from different threads, but use one
/// `HDF5File` (and its groups and datasets) from one thread only — it is not `Sendable`.
///
/// Files are written in the HDF5 1.8–1.10 formats with little-endian IEEE floats and standard
/// integers, so h5py, h5dump and other HDF5 ≥ 1.8 readers open them.
public final class HDF5File {
    /// The path the file was created or opened at.
    public let path: String
    /// Whether the file was opened for writing.
    public let isWritable: Bool
    /// The file's name in messages. A temporary file written by ``writeAtomically(to:overwrite:_:)``
    /// is named after its destination, which is what the user knows.
    var displayName: String
    private var fileID: hid_t?

    private init(id: hid_t, path: String, writable: Bool) {
        fileID = id
        self.path = path
        isWritable = writable
        displayName = (path as NSString).lastPathComponent
    }

    deinit {
        try? close()
    }

    /// Creates a new HDF5 file at `path`.
    ///
    /// With `overwrite` false an existing file is an error; with `overwrite` true it is truncated.
    /// With `inMemory` the file is built in memory and written out when closed, in one write
    /// instead of dozens of small ones (for small files: indexes, checkpoints, planes). Memory
    /// grows by 64 KiB steps, and the file is written up to a step boundary before it is cut to
    /// its size, so a small file never needs more than 64 KiB of free space beyond its own.
    public static func create(at path: String, overwrite: Bool, inMemory: Bool = false) throws -> HDF5File {
        try checkWritableDirectory(for: path, hint: "choose another path")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw StorageError(.alreadyExists, "\(path) is a directory — choose another path")
            }
            if !overwrite {
                throw StorageError(.alreadyExists,
                                   "\(path) already exists — remove it or allow overwriting")
            }
        }
        let id = try withIDs { ids in
            let fapl = try fileAccessList(ids)
            if inMemory { try check(H5Pset_fapl_core(fapl, 1 << 16, true), "cannot set in-memory file properties") }
            let flags = overwrite ? infoplane_h5f_acc_trunc() : infoplane_h5f_acc_excl()
            let id = try check(H5Fcreate(path, flags, infoplane_h5p_default(), fapl), "cannot create \(path)")
            closeOnExec(id)
            return id
        }
        return HDF5File(id: id, path: path, writable: true)
    }

    /// Opens an existing HDF5 file, read-only unless `writable`.
    public static func open(at path: String, writable: Bool) throws -> HDF5File {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StorageError(.noSuchFile, "no such file: \(path)")
        }
        if isDirectory.boolValue {
            throw StorageError(.notHDF5, "\(path) is a directory, not an HDF5 file")
        }
        if access(path, R_OK) != 0 {
            let code = errno
            throw StorageError(.cannotRead, "cannot read \(path): \(errnoText(code))")
        }
        if writable, access(path, W_OK) != 0 {
            let code = errno
            throw StorageError(.cannotWrite,
                               "cannot write \(path): \(errnoText(code)) — open it read-only")
        }
        let id = try withIDs { ids in
            let isHDF5 = H5Fis_hdf5(path)
            if isHDF5 == 0 { throw StorageError(.notHDF5, "\(path) is not an HDF5 file") }
            try check(isHDF5, "cannot read \(path)")
            let fapl = try fileAccessList(ids, locking: writable)
            let flags = writable ? infoplane_h5f_acc_rdwr() : infoplane_h5f_acc_rdonly()
            let id = H5Fopen(path, flags, fapl)
            if id < 0 {
                let detail = HDF5Library.lastErrorDetail()
                throw StorageError(.cannotRead, Self.openFailure(path, detail: detail))
            }
            closeOnExec(id)
            return id
        }
        return HDF5File(id: id, path: path, writable: writable)
    }

    /// The one line for a file HDF5 would not open, from the first message of its error stack:
    /// a truncated or damaged file (its end or its metadata missing) is named so, with what to
    /// do, and only a failed lock (the word "lock", not "sblock") points at another process.
    static func openFailure(_ path: String, detail: String) -> String {
        if detail.contains("truncated file") {
            return "\(path) is truncated (HDF5: \(detail)): the file's end is missing (a copy or download cut short, or a disk that filled); copy it again, or recreate it"
        }
        if detail.contains("corrupt") || detail.contains("checksum") {
            return "\(path) is damaged (HDF5: \(detail)): copy it again, or recreate it"
        }
        let hint = detail.range(of: "\\block\\b", options: .regularExpression) != nil ? " — is another process using it?"
            : detail.contains("already open") ? " — close the other handle to it first" : ""
        return "cannot open \(path) (HDF5: \(detail))\(hint)"
    }

    /// Whether `path` is a readable HDF5 file (false for missing files and directories).
    public static func isHDF5(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
              !isDirectory.boolValue else { return false }
        return HDF5Library.run { H5Fis_hdf5(path) > 0 }
    }

    /// The root group "/".
    public var root: HDF5Group { HDF5Group(file: self, path: "/") }

    /// Whether the file is still open.
    public var isOpen: Bool { HDF5Library.run { fileID != nil } }

    /// Writes everything buffered for this file to the operating system.
    public func flush() throws {
        try HDF5Library.run {
            try check(H5Fflush(try id(), H5F_SCOPE_GLOBAL), "cannot flush \(displayName)")
        }
    }

    /// Closes the file; later calls do nothing. Fails if buffered data cannot be written out.
    public func close() throws {
        try HDF5Library.run {
            guard let id = fileID else { return }
            fileID = nil
            try check(H5Fclose(id), "cannot close \(displayName)")
        }
    }

    /// The tree under the root group; see ``HDF5Group/describe(maxDepth:)``.
    public func describe(maxDepth: Int = .max) throws -> [String] {
        try root.describe(maxDepth: maxDepth)
    }

    /// The open file id, or an error naming the file if it was closed.
    func id(forWriting: Bool = false) throws -> hid_t {
        guard let id = fileID else {
            throw StorageError(.notOpenForThis, "\(displayName) is already closed")
        }
        if forWriting, !isWritable {
            throw StorageError(.notOpenForThis,
                               "\(displayName) was opened read-only; open it writable to change it")
        }
        return id
    }

    /// Closes the file after a failed write, ignoring any error (the caller reports the first).
    public func abandon() {
        try? close()
    }

    /// File access properties: 1.8 object formats at the earliest (for attributes over 64 KiB),
    /// 1.10 at the latest (so newer libraries still write files that 1.10 tools read).
    ///
    /// Read-only opens take no HDF5 file lock (`locking` false): InfoPlane never modifies a
    /// published file in place (every change is a new file renamed over it), so a reader needs
    /// no protection from our writers, and a lock taken by someone else's tool (h5py in "a"
    /// mode, an h5dump holding the file) cannot make our reads — or the writer's — fail with
    /// "unable to lock file". External files reached through links are opened with the same
    /// properties.
    private static func fileAccessList(_ ids: IDs, locking: Bool = true) throws -> hid_t {
        let fapl = try ids.plist(H5Pcreate(infoplane_h5p_file_access()), "cannot create file properties")
        try check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110),
                  "cannot set file format bounds")
        if !locking { try check(H5Pset_file_locking(fapl, false, true), "cannot set file locking") }
        return fapl
    }
}

/// Marks the file's descriptor close-on-exec. HDF5 opens files without it and holds an flock()
/// on them, so a child process started meanwhile (h5dump, python, mpirun) would inherit the
/// descriptor and keep the file locked after we close it.
private func closeOnExec(_ fileID: hid_t) {
    let fapl = H5Fget_access_plist(fileID)
    guard fapl >= 0 else { return }
    defer { H5Pclose(fapl) }
    var handle: UnsafeMutableRawPointer?
    guard H5Pget_driver(fapl) == infoplane_h5fd_sec2(),
          H5Fget_vfd_handle(fileID, infoplane_h5p_default(), &handle) >= 0, let handle else { return }
    let descriptor = handle.load(as: Int32.self)
    let flags = fcntl(descriptor, F_GETFD)
    if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
}

/// Throws a ``StorageError/Kind/cannotWrite`` error unless the directory that would hold `path`
/// exists, is a directory and is writable. `hint` ends the message ("choose another --out").
func checkWritableDirectory(for path: String, hint: String) throws {
    var directory = (path as NSString).deletingLastPathComponent
    if directory.isEmpty { directory = "." }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
        throw StorageError(.cannotWrite,
                           "cannot write \(directory): no such directory — create it or \(hint)")
    }
    guard isDirectory.boolValue else {
        throw StorageError(.cannotWrite, "cannot write \(directory): not a directory — \(hint)")
    }
    if access(directory, W_OK | X_OK) != 0 {
        let code = errno
        throw StorageError(.cannotWrite, "cannot write \(directory): \(errnoText(code)) — \(hint)")
    }
}
