import CMPI
import Foundation
import Support

/// Element types that travel in MPI messages, each with its MPI datatype.
public protocol MPIScalar: BitwiseCopyable {
    static var mpiDatatype: MPI_Datatype { get }
}

extension Double: MPIScalar { public static var mpiDatatype: MPI_Datatype { infoplane_mpi_double() } }
extension Float: MPIScalar { public static var mpiDatatype: MPI_Datatype { infoplane_mpi_float() } }
extension Int32: MPIScalar { public static var mpiDatatype: MPI_Datatype { infoplane_mpi_int32() } }
extension Int64: MPIScalar { public static var mpiDatatype: MPI_Datatype { infoplane_mpi_int64() } }
extension UInt64: MPIScalar { public static var mpiDatatype: MPI_Datatype { infoplane_mpi_uint64() } }
extension UInt8: MPIScalar { public static var mpiDatatype: MPI_Datatype { infoplane_mpi_byte() } }

/// Where a probed or received message came from, and its size.
public struct MessageInfo: Sendable, Equatable {
    public let source: Int
    public let tag: Int
    /// Element count for the datatype it was probed or received with.
    public let count: Int
}

/// The processes of one job (MPI_COMM_WORLD), or this process alone when it was not launched by
/// `mpirun`/`srun`: then the rank is 0, the size 1, collectives are trivial and MPI is never
/// initialised (so `infoplane analyze` runs anywhere, even without an MPI runtime).
///
/// Every call checks MPI's return code (the communicator's error handler is
/// `MPI_ERRORS_RETURN`) and throws a ``InfoPlaneError`` instead of aborting or hanging.
/// Use from one thread only (MPI is initialised with `MPI_THREAD_FUNNELED`).
public final class Communicator: @unchecked Sendable {
    /// This process's rank, 0 ..< size.
    public let rank: Int
    /// Number of processes in the job.
    public let size: Int
    /// Whether MPI was initialised (launched by a process manager).
    public let usesMPI: Bool
    private let comm: MPI_Comm?
    private var finalized = false
    /// Whether this communicator came from ``split(color:key:)`` (freed, not finalised).
    private var isSubgroup = false

    /// Tag values reserved by MPI implementations start above this; ours stay below.
    public static let maximumTag = 32_767
    /// Any source / any tag, for receive and probe.
    public static let anySource = -1
    public static let anyTag = -1

    /// Whether the environment says a process manager started this process as an MPI rank
    /// (Open MPI's mpirun, or srun with PMIx or PMI-2). `INFOPLANE_MPI=1` forces MPI, `0` forbids it.
    public static var launchedByProcessManager: Bool {
        let environment = ProcessInfo.processInfo.environment
        if let forced = environment["INFOPLANE_MPI"] { return forced == "1" }
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { environment[$0] != nil }
    }

    /// The world of this process: MPI_COMM_WORLD when launched by a process manager, otherwise a
    /// single-process world. Call once; ``finalize()`` before exit.
    public static func world() throws -> Communicator {
        guard launchedByProcessManager else { return Communicator(local: ()) }
        var provided: Int32 = 0
        guard MPI_Init_thread(nil, nil, infoplane_mpi_thread_funneled(), &provided) == infoplane_mpi_success() else {
            throw InfoPlaneError("MPI could not be initialised: check that mpirun/srun and libopenmpi match (mpirun --version)")
        }
        guard let world = infoplane_mpi_comm_world() else { throw InfoPlaneError("MPI_COMM_WORLD is unavailable after MPI_Init") }
        MPI_Comm_set_errhandler(world, infoplane_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(world, &rank)
        MPI_Comm_size(world, &size)
        return Communicator(comm: world, rank: Int(rank), size: Int(size))
    }

    private init(local: Void) {
        rank = 0
        size = 1
        usesMPI = false
        comm = nil
    }

    private init(comm: MPI_Comm, rank: Int, size: Int) {
        self.comm = comm
        self.rank = rank
        self.size = size
        usesMPI = true
    }

    /// Ends MPI (a no-op for a single-process world or when already finalised). For a
    /// communicator made by ``split(color:key:)`` it frees that communicator instead.
    public func finalize() {
        guard usesMPI, !finalized else { return }
        finalized = true
        if isSubgroup {
            var handle: MPI_Comm? = comm
            MPI_Comm_free(&handle)
        } else {
            MPI_Finalize()
        }
    }

    /// Splits this communicator into disjoint groups (collective: every rank must call it):
    /// ranks passing the same `color` form one group, ordered by `key` (ties by rank). Each
    /// group then runs its own jobs independently; ``finalize()`` frees it. In a
    /// single-process world the group is this process alone.
    public func split(color: Int, key: Int) throws -> Communicator {
        guard let comm, usesMPI else { return Communicator(local: ()) }
        guard color >= 0, color <= Int(Int32.max) else { throw InfoPlaneError("split colour \(color) must be a non-negative 32-bit integer") }
        var group: MPI_Comm?
        try check(MPI_Comm_split(comm, Int32(color), Int32(clamping: key), &group), "communicator split (colour \(color))")
        guard let group else { throw InfoPlaneError("MPI_Comm_split returned no communicator for colour \(color)") }
        MPI_Comm_set_errhandler(group, infoplane_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(group, &rank)
        MPI_Comm_size(group, &size)
        let result = Communicator(comm: group, rank: Int(rank), size: Int(size))
        result.isSubgroup = true
        return result
    }

    /// Ends every process of the job with `code` after printing `message` on standard error
    /// (one line). Without MPI it simply exits.
    public func abort(message: String, code: Int32 = 1) -> Never {
        StandardError.finalLine(message)
        if usesMPI, let comm { MPI_Abort(comm, code) }
        exit(code)
    }

    // MARK: - Point to point

    /// Sends `values` to `destination` (blocking until the buffer may be reused).
    public func send<T: MPIScalar>(_ values: [T], to destination: Int, tag: Int) throws {
        let comm = try peerComm(destination, tag: tag, what: "send")
        try values.withUnsafeBufferPointer { buffer in
            try check(MPI_Send(buffer.baseAddress, try count32(buffer.count), T.mpiDatatype, Int32(destination), Int32(tag), comm),
                      "send of \(values.count) values to rank \(destination)")
        }
    }

    /// Receives a message of `T` values from `source` (or ``anySource``) with `tag` (or
    /// ``anyTag``), whatever its length.
    public func receive<T: MPIScalar>(_ type: T.Type, from source: Int, tag: Int) throws -> (values: [T], info: MessageInfo) {
        let info = try probe(type, from: source, tag: tag)
        let comm = try peerComm(info.source, tag: info.tag, what: "receive")
        var status = MPI_Status()
        let values = try [T](unsafeUninitializedCapacity: info.count) { buffer, initialized in
            try check(MPI_Recv(buffer.baseAddress, Int32(info.count), T.mpiDatatype, Int32(info.source), Int32(info.tag), comm, &status),
                      "receive from rank \(info.source)")
            initialized = info.count
        }
        return (values, info)
    }

    /// Sends a small Codable value (a message header) as JSON bytes.
    public func send<Header: Encodable>(header: Header, to destination: Int, tag: Int) throws {
        try send([UInt8](try JSONEncoder().encode(header)), to: destination, tag: tag)
    }

    /// Receives a header sent with ``send(header:to:tag:)``.
    public func receiveHeader<Header: Decodable>(_ type: Header.Type, from source: Int, tag: Int) throws -> (header: Header, info: MessageInfo) {
        let (bytes, info) = try receive(UInt8.self, from: source, tag: tag)
        do {
            return (try JSONDecoder().decode(Header.self, from: Data(bytes)), info)
        } catch {
            throw InfoPlaneError("rank \(info.source) sent a malformed \(Header.self) message (tag \(info.tag)): all ranks must run the same infoplane build")
        }
    }

    /// Starts sending `values`; the returned request owns them until it completes.
    public func isend<T: MPIScalar>(_ values: [T], to destination: Int, tag: Int) throws -> Request {
        let comm = try peerComm(destination, tag: tag, what: "send")
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = buffer.initialize(from: values)
        var request = infoplane_mpi_request_null()
        let code = MPI_Isend(buffer.baseAddress, try count32(values.count), T.mpiDatatype, Int32(destination), Int32(tag), comm, &request)
        guard code == infoplane_mpi_success() else {
            buffer.deallocate()
            throw InfoPlaneError("non-blocking send to rank \(destination) failed: \(Self.errorString(code))")
        }
        return Request(request, what: "send to rank \(destination)", release: { buffer.deallocate() })
    }

    /// Starts receiving exactly `count` `T` values from `source` with `tag`; read them with
    /// ``ReceiveRequest/wait()`` once the request completes.
    public func ireceive<T: MPIScalar>(_ type: T.Type, count: Int, from source: Int, tag: Int) throws -> ReceiveRequest<T> {
        let comm = try peerComm(source, tag: tag, what: "receive")
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
        var request = infoplane_mpi_request_null()
        let code = MPI_Irecv(buffer.baseAddress, try count32(count), T.mpiDatatype, Int32(source), Int32(tag), comm, &request)
        guard code == infoplane_mpi_success() else {
            buffer.deallocate()
            throw InfoPlaneError("non-blocking receive from rank \(source) failed: \(Self.errorString(code))")
        }
        return ReceiveRequest(Request(request, what: "receive from rank \(source)", release: {}), buffer: buffer, count: count)
    }

    /// Waits for a message from `source` with `tag` and describes it without receiving it.
    public func probe<T: MPIScalar>(_ type: T.Type, from source: Int, tag: Int) throws -> MessageInfo {
        let comm = try peerComm(source, tag: tag, what: "probe")
        var status = MPI_Status()
        try check(MPI_Probe(Int32(source), Int32(tag), comm, &status), "probe for a message from rank \(source)")
        return try info(status, T.self)
    }

    /// A pending message from `source` with `tag`, if one has arrived; never waits.
    public func iprobe<T: MPIScalar>(_ type: T.Type, from source: Int, tag: Int) throws -> MessageInfo? {
        let comm = try peerComm(source, tag: tag, what: "probe")
        var status = MPI_Status()
        var flag: Int32 = 0
        try check(MPI_Iprobe(Int32(source), Int32(tag), comm, &flag, &status), "probe for a message from rank \(source)")
        return flag != 0 ? try info(status, T.self) : nil
    }

    // MARK: - Collectives

    /// Every rank gets `root`'s values; other ranks' `values` are replaced (their length need
    /// not be known in advance).
    public func broadcast<T: MPIScalar>(_ values: inout [T], root: Int) throws {
        guard let comm, size > 1 else { return }
        try checkRank(root, "broadcast root")
        var count = [Int64(values.count)]
        try count.withUnsafeMutableBufferPointer { buffer in
            try check(MPI_Bcast(buffer.baseAddress, 1, Int64.mpiDatatype, Int32(root), comm), "broadcast of a length")
        }
        let n = try count32(Int(count[0]))
        if rank == root {
            // The root only reads its buffer: no copy of a (possibly shared, large) array.
            try values.withUnsafeBufferPointer { buffer in
                try check(MPI_Bcast(UnsafeMutableRawPointer(mutating: buffer.baseAddress), n, T.mpiDatatype, Int32(root), comm),
                          "broadcast of \(n) values")
            }
        } else {
            values = try [T](unsafeUninitializedCapacity: Int(n)) { buffer, initialized in
                try check(MPI_Bcast(buffer.baseAddress, n, T.mpiDatatype, Int32(root), comm), "broadcast of \(n) values")
                initialized = Int(n)
            }
        }
    }

    /// Every rank's `values` (any length), gathered in rank order at `root`; nil on other ranks.
    public func gather<T: MPIScalar>(_ values: [T], root: Int) throws -> [[T]]? {
        guard let comm, size > 1 else { return [values] }
        try checkRank(root, "gather root")
        var counts = [Int32](repeating: 0, count: size)
        let mine = [try count32(values.count)]
        try mine.withUnsafeBufferPointer { m in
            try counts.withUnsafeMutableBufferPointer { c in
                try check(MPI_Gather(m.baseAddress, 1, Int32.mpiDatatype, c.baseAddress, 1, Int32.mpiDatatype, Int32(root), comm),
                          "gather of lengths")
            }
        }
        var offsets = [Int32](repeating: 0, count: size)
        for r in 1..<size { offsets[r] = offsets[r - 1] + counts[r - 1] }
        let total = rank == root ? Int(offsets[size - 1] + counts[size - 1]) : 0
        var all = [T](unsafeUninitializedCapacity: max(total, 1)) { _, n in n = max(total, 1) }
        try values.withUnsafeBufferPointer { v in
            try all.withUnsafeMutableBufferPointer { a in
                try counts.withUnsafeBufferPointer { c in
                    try offsets.withUnsafeBufferPointer { o in
                        try check(MPI_Gatherv(v.baseAddress, mine[0], T.mpiDatatype, a.baseAddress, c.baseAddress, o.baseAddress,
                                              T.mpiDatatype, Int32(root), comm), "gather of values")
                    }
                }
            }
        }
        guard rank == root else { return nil }
        return (0..<size).map { r in Array(all[Int(offsets[r])..<Int(offsets[r] + counts[r])]) }
    }

    /// Waits until every rank has reached the barrier.
    public func barrier() throws {
        guard let comm, size > 1 else { return }
        try check(MPI_Barrier(comm), "barrier")
    }

    // MARK: - Support

    private func peerComm(_ peer: Int, tag: Int, what: String) throws -> MPI_Comm {
        guard let comm, size > 1 else {
            throw InfoPlaneError("cannot \(what) in a single-process world: launch with mpirun -np P (P ≥ 2) for messages")
        }
        if peer != Self.anySource { try checkRank(peer, "\(what) peer") }
        guard tag == Self.anyTag || (0...Self.maximumTag).contains(tag) else {
            throw InfoPlaneError("message tag \(tag) is outside 0...\(Self.maximumTag)")
        }
        return comm
    }

    private func checkRank(_ r: Int, _ what: String) throws {
        guard (0..<size).contains(r) else { throw InfoPlaneError("\(what) \(r) is not a rank of this job (0..<\(size))") }
    }

    private func count32(_ count: Int) throws -> Int32 {
        guard count <= Int(Int32.max) else {
            throw InfoPlaneError("a message of \(count) elements exceeds MPI's 32-bit count: split it")
        }
        return Int32(count)
    }

    private func info<T: MPIScalar>(_ status: MPI_Status, _ type: T.Type) throws -> MessageInfo {
        var status = status
        var count: Int32 = 0
        try check(MPI_Get_count(&status, T.mpiDatatype, &count), "message size")
        guard count >= 0 else {
            throw InfoPlaneError("a message from rank \(status.MPI_SOURCE) (tag \(status.MPI_TAG)) is not a whole number of \(T.self) values")
        }
        return MessageInfo(source: Int(status.MPI_SOURCE), tag: Int(status.MPI_TAG), count: Int(count))
    }

    private func check(_ code: Int32, _ what: String) throws {
        guard code != infoplane_mpi_success() else { return }
        throw InfoPlaneError("MPI \(what) failed: \(Self.errorString(code))")
    }

    static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        var length: Int32 = 0
        MPI_Error_string(code, &buffer, &length)
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A non-blocking operation in flight. It must be completed (``test()`` returning true or
/// ``wait()``) before it is dropped; the buffer it owns is released then.
public final class Request {
    private var handle: MPI_Request?
    private let what: String
    private var release: (() -> Void)?

    init(_ handle: MPI_Request?, what: String, release: @escaping () -> Void) {
        self.handle = handle
        self.what = what
        self.release = release
    }

    /// Whether the operation has completed (never waits).
    public func test() throws -> Bool {
        guard release != nil else { return true }
        var flag: Int32 = 0
        var status = MPI_Status()
        let code = MPI_Test(&handle, &flag, &status)
        guard code == infoplane_mpi_success() else { throw InfoPlaneError("MPI \(what) failed: \(Communicator.errorString(code))") }
        if flag != 0 { finish() }
        return flag != 0
    }

    /// Waits for the operation to complete.
    public func wait() throws {
        guard release != nil else { return }
        var status = MPI_Status()
        let code = MPI_Wait(&handle, &status)
        guard code == infoplane_mpi_success() else { throw InfoPlaneError("MPI \(what) failed: \(Communicator.errorString(code))") }
        finish()
    }

    private func finish() {
        release?()
        release = nil
    }

    deinit {
        // Dropping an incomplete request would free a buffer MPI still uses: wait instead.
        if release != nil { try? wait() }
    }
}

/// A non-blocking receive and the buffer it fills.
public final class ReceiveRequest<T: MPIScalar> {
    public let request: Request
    private let buffer: UnsafeMutableBufferPointer<T>
    private let count: Int

    init(_ request: Request, buffer: UnsafeMutableBufferPointer<T>, count: Int) {
        self.request = request
        self.buffer = buffer
        self.count = count
    }

    /// Whether the message has arrived (never waits).
    public func test() throws -> Bool { try request.test() }

    /// Waits for the message and returns its values.
    public func wait() throws -> [T] {
        try request.wait()
        return Array(buffer.prefix(count))
    }

    deinit {
        try? request.wait()
        buffer.deallocate()
    }
}
