import CMPI
import Foundation
import Support

/// One block of memory that every rank of a node maps (an MPI-3 shared-memory window,
/// `MPI_Win_allocate_shared`): what one rank writes, the others read, with no copy and no
/// message. The node's first rank allocates all of it; the others map it
/// (`MPI_Win_shared_query`). A passive epoch (`MPI_Win_lock_all`) is open for the window's
/// life, so ``synchronize()`` (`MPI_Win_sync`) orders a writer's stores before the message that
/// says they are done, and a reader's loads after the message that says so.
///
/// Without MPI (one process) it is ordinary memory. Open MPI backs the window with a file in
/// /dev/shm, whose free space is checked first: touching pages past a full tmpfs would end the
/// process with SIGBUS instead of an error.
public final class SharedWindow: @unchecked Sendable {
    /// The window's size in bytes.
    public let bytes: Int
    /// Its first byte (the same memory on every rank of the node; nil when empty).
    public let base: UnsafeMutableRawPointer?
    private var window: MPI_Win?
    private var local: Bool

    private init(bytes: Int, base: UnsafeMutableRawPointer?, window: MPI_Win?, local: Bool) {
        self.bytes = bytes
        self.base = base
        self.window = window
        self.local = local
    }

    /// Allocates `bytes` shared by the ranks of `node` (collective over `node`, which must be a
    /// ``Communicator/splitByNode()`` communicator). Every rank of the node throws if it cannot.
    public static func allocate(bytes: Int, node: Communicator) throws -> SharedWindow {
        guard bytes >= 0 else { throw InfoPlaneError("a shared window of \(bytes) bytes is impossible") }
        guard let comm = node.comm, node.usesMPI else {
            let base = bytes > 0 ? UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64) : nil
            return SharedWindow(bytes: bytes, base: base, window: nil, local: true)
        }
        try checkSpace(bytes: bytes, node: node)
        var base: UnsafeMutableRawPointer?
        var window: MPI_Win?
        try node.check(MPI_Win_allocate_shared(MPI_Aint(node.rank == 0 ? bytes : 0), 1, infoplane_mpi_info_null(), comm, &base, &window),
                       "shared window of \(bytes) bytes (MPI_Win_allocate_shared)")
        guard let window else { throw InfoPlaneError("MPI_Win_allocate_shared returned no window") }
        MPI_Win_set_errhandler(window, infoplane_mpi_errors_return())
        var size: MPI_Aint = 0
        var unit: Int32 = 0
        var shared: UnsafeMutableRawPointer?
        try node.check(MPI_Win_shared_query(window, 0, &size, &unit, &shared), "shared window query (MPI_Win_shared_query)")
        try node.check(MPI_Win_lock_all(infoplane_mpi_mode_nocheck(), window), "shared window epoch (MPI_Win_lock_all)")
        return SharedWindow(bytes: bytes, base: bytes > 0 ? shared : nil, window: window, local: false)
    }

    /// Orders this rank's stores to the window before what it does next, and its loads after
    /// what it has learnt (call after writing, before saying so; and after hearing, before reading).
    public func synchronize() throws {
        guard let window else { return }
        let code = MPI_Win_sync(window)
        guard code == infoplane_mpi_success() else { throw InfoPlaneError("MPI_Win_sync failed: \(Communicator.errorString(code))") }
    }

    /// Frees the window (collective over its node; the memory is gone on every rank after it).
    public func free() {
        if local {
            base?.deallocate()
            local = false
        }
        guard let handle = window else { return }
        var freed: MPI_Win? = handle
        window = nil
        MPI_Win_unlock_all(handle)
        MPI_Win_free(&freed)
    }

    /// The node's first rank checks that /dev/shm (Open MPI's backing directory) has room and
    /// tells the others, so all of them throw together rather than some waiting in the allocation.
    private static func checkSpace(bytes: Int, node: Communicator) throws {
        var free: [Int64] = []
        if node.rank == 0 {
            var stats = statvfs()
            free = [statvfs("/dev/shm", &stats) == 0 ? Int64(stats.f_bavail) * Int64(stats.f_frsize) : Int64.max]
        }
        try node.broadcast(&free, root: 0)
        guard Int64(bytes) <= free[0] else {
            throw InfoPlaneError(String(format: "a shared window of %.2f GB needs room in /dev/shm, which has %.2f GB free: "
                                        + "free it, use fewer samples (--samples), or more nodes", Double(bytes) / 1e9, Double(free[0]) / 1e9))
        }
    }
}
