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
    let comm: MPI_Comm?
    private var finalized = false
    /// Whether this communicator came from ``split(color:key:)`` (freed, not finalised).
    var isSubgroup = false
    /// The largest piece a message travels in, in bytes (see ``MessagePieces``): 1 GiB, well
    /// below MPI's 32-bit count for any element type. `cluster-check` lowers it to test pieces.
    public var pieceBytes = 1 << 30
    /// Wall seconds spent in ``waitPolitely(_:from:tag:)`` (idle: nothing to do but wait).
    public private(set) var waitedSeconds = 0.0

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

    init(local: Void) {
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
        return try Self.subgroup(group, what: "MPI_Comm_split for colour \(color)")
    }

    /// A communicator MPI just made from this one (split), with errors returned, freed by ``finalize()``.
    static func subgroup(_ handle: MPI_Comm?, what: String) throws -> Communicator {
        guard let handle else { throw InfoPlaneError("\(what) returned no communicator") }
        MPI_Comm_set_errhandler(handle, infoplane_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(handle, &rank)
        MPI_Comm_size(handle, &size)
        let result = Communicator(comm: handle, rank: Int(rank), size: Int(size))
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

    /// Sends `values` to `destination` (blocking until the buffer may be reused), in pieces if it
    /// is long (``MessagePieces``); ``receive(_:from:tag:)`` joins them.
    public func send<T: MPIScalar>(_ values: [T], to destination: Int, tag: Int) throws {
        try values.withUnsafeBufferPointer { try send($0, to: destination, tag: tag) }
    }

    /// Sends the values of `buffer` (see ``send(_:to:tag:)``); the caller keeps the memory.
    public func send<T: MPIScalar>(_ buffer: UnsafeBufferPointer<T>, to destination: Int, tag: Int) throws {
        let comm = try peerComm(destination, tag: tag, what: "send")
        for piece in MessagePieces(total: buffer.count, limit: pieceLimit(T.self)).ranges {
            try check(MPI_Send(buffer.baseAddress.map { $0 + piece.lowerBound }, Int32(piece.count), T.mpiDatatype, Int32(destination),
                               Int32(tag), comm),
                      "send of \(buffer.count) values to rank \(destination)")
        }
    }

    /// Receives a message of `T` values from `source` (or ``anySource``) with `tag` (or
    /// ``anyTag``), whatever its length (a long one arrives in pieces, joined here).
    public func receive<T: MPIScalar>(_ type: T.Type, from source: Int, tag: Int) throws -> (values: [T], info: MessageInfo) {
        var info = try probe(type, from: source, tag: tag)
        let limit = pieceLimit(T.self)
        var values = try receivePiece(T.self, count: info.count, from: info.source, tag: info.tag)
        var last = info.count
        while last == limit {
            // A whole piece: more follow (the last one is shorter, possibly empty).
            last = try probe(type, from: info.source, tag: info.tag).count
            values += try receivePiece(T.self, count: last, from: info.source, tag: info.tag)
        }
        info = MessageInfo(source: info.source, tag: info.tag, count: values.count)
        return (values, info)
    }

    /// Receives exactly `buffer.count` values from `source` with `tag` into `buffer` (sent by
    /// ``send(_:to:tag:)`` with the same count, so in the same pieces).
    public func receive<T: MPIScalar>(into buffer: UnsafeMutableBufferPointer<T>, from source: Int, tag: Int) throws {
        let comm = try peerComm(source, tag: tag, what: "receive")
        var status = MPI_Status()
        for piece in MessagePieces(total: buffer.count, limit: pieceLimit(T.self)).ranges {
            try check(MPI_Recv(buffer.baseAddress.map { $0 + piece.lowerBound }, Int32(piece.count), T.mpiDatatype, Int32(source),
                               Int32(tag), comm, &status),
                      "receive from rank \(source)")
        }
    }

    /// One piece of a known size (probed already).
    private func receivePiece<T: MPIScalar>(_ type: T.Type, count: Int, from source: Int, tag: Int) throws -> [T] {
        let comm = try peerComm(source, tag: tag, what: "receive")
        var status = MPI_Status()
        return try [T](unsafeUninitializedCapacity: max(count, 1)) { buffer, initialized in
            try check(MPI_Recv(buffer.baseAddress, Int32(count), T.mpiDatatype, Int32(source), Int32(tag), comm, &status),
                      "receive from rank \(source)")
            initialized = count
        }
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

    /// Starts sending `values` (in pieces if long); the returned request owns them until it completes.
    public func isend<T: MPIScalar>(_ values: [T], to destination: Int, tag: Int) throws -> Request {
        let comm = try peerComm(destination, tag: tag, what: "send")
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = buffer.initialize(from: values)
        let request = Request(what: "send to rank \(destination)", release: { buffer.deallocate() })
        for piece in MessagePieces(total: values.count, limit: pieceLimit(T.self)).ranges {
            var handle = infoplane_mpi_request_null()
            let code = MPI_Isend(buffer.baseAddress! + piece.lowerBound, Int32(piece.count), T.mpiDatatype, Int32(destination),
                                 Int32(tag), comm, &handle)
            guard code == infoplane_mpi_success() else {
                try? request.wait()
                throw InfoPlaneError("non-blocking send to rank \(destination) failed: \(Self.errorString(code))")
            }
            request.handles.append(handle)
        }
        return request
    }

    /// Starts receiving exactly `count` `T` values from `source` with `tag` (in the pieces
    /// ``isend(_:to:tag:)`` sends them in); read them with ``ReceiveRequest/wait()`` once the
    /// request completes.
    public func ireceive<T: MPIScalar>(_ type: T.Type, count: Int, from source: Int, tag: Int) throws -> ReceiveRequest<T> {
        let comm = try peerComm(source, tag: tag, what: "receive")
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
        let request = Request(what: "receive from rank \(source)", release: {})
        let received = ReceiveRequest(request, buffer: buffer, count: count)
        for piece in MessagePieces(total: count, limit: pieceLimit(T.self)).ranges {
            var handle = infoplane_mpi_request_null()
            let code = MPI_Irecv(buffer.baseAddress! + piece.lowerBound, Int32(piece.count), T.mpiDatatype, Int32(source), Int32(tag),
                                 comm, &handle)
            guard code == infoplane_mpi_success() else {
                throw InfoPlaneError("non-blocking receive from rank \(source) failed: \(Self.errorString(code))")
            }
            request.handles.append(handle)
        }
        return received
    }

    /// Waits for a message from `source` with `tag` without spinning: polls with `MPI_Iprobe`,
    /// sleeping between polls (20 µs at first, doubling to 1 ms). MPI's own blocking calls spin
    /// at full speed, which on a shared machine takes a core from a rank that computes; a rank
    /// that waits between work items loses at most a millisecond this way.
    public func waitPolitely<T: MPIScalar>(_ type: T.Type, from source: Int, tag: Int) throws -> MessageInfo {
        var pause: UInt32 = 20
        let clock = ContinuousClock(), start = clock.now
        defer {
            let waited = clock.now - start
            waitedSeconds += Double(waited.components.seconds) + Double(waited.components.attoseconds) * 1e-18
        }
        while true {
            if let info = try iprobe(type, from: source, tag: tag) { return info }
            usleep(pause)
            pause = min(pause * 2, 1000)
        }
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
    /// not be known in advance). Long arrays travel in pieces.
    public func broadcast<T: MPIScalar>(_ values: inout [T], root: Int) throws {
        guard let comm, size > 1 else { return }
        try checkRank(root, "broadcast root")
        var count = [Int64(values.count)]
        try count.withUnsafeMutableBufferPointer { buffer in
            try check(MPI_Bcast(buffer.baseAddress, 1, Int64.mpiDatatype, Int32(root), comm), "broadcast of a length")
        }
        let n = Int(count[0])
        if rank == root {
            // The root only reads its buffer: no copy of a (possibly shared, large) array.
            try values.withUnsafeBufferPointer { buffer in
                try broadcast(UnsafeMutableBufferPointer(mutating: buffer), root: root)
            }
        } else {
            values = try [T](unsafeUninitializedCapacity: max(n, 1)) { buffer, initialized in
                try broadcast(UnsafeMutableBufferPointer(rebasing: buffer[0..<n]), root: root)
                initialized = n
            }
        }
    }

    /// Every rank's `buffer` receives `root`'s (all buffers have the same count), in pieces.
    public func broadcast<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int) throws {
        guard let comm, size > 1 else { return }
        try checkRank(root, "broadcast root")
        for piece in MessagePieces(total: buffer.count, limit: pieceLimit(T.self)).ranges where !piece.isEmpty {
            try check(MPI_Bcast(buffer.baseAddress! + piece.lowerBound, Int32(piece.count), T.mpiDatatype, Int32(root), comm),
                      "broadcast of \(buffer.count) values")
        }
    }

    /// Every rank's `values` (any length), gathered in rank order at `root`; nil on other ranks.
    /// When the whole would not fit one piece, each rank's values travel as their own message
    /// (in pieces) instead of one `MPI_Gatherv`.
    public func gather<T: MPIScalar>(_ values: [T], root: Int) throws -> [[T]]? {
        guard let comm, size > 1 else { return [values] }
        try checkRank(root, "gather root")
        var counts = [Int64](repeating: 0, count: size)
        let mine = [Int64(values.count)]
        try mine.withUnsafeBufferPointer { m in
            try counts.withUnsafeMutableBufferPointer { c in
                try check(MPI_Allgather(m.baseAddress, 1, Int64.mpiDatatype, c.baseAddress, 1, Int64.mpiDatatype, comm), "gather of lengths")
            }
        }
        let total = counts.reduce(0, +)
        guard total < Int64(pieceLimit(T.self)) else { return try gatherInPieces(values, root: root, tag: Self.maximumTag) }
        let counts32 = counts.map { Int32($0) }
        var offsets = [Int32](repeating: 0, count: size)
        for r in 1..<size { offsets[r] = offsets[r - 1] + counts32[r - 1] }
        let kept = rank == root ? Int(total) : 0
        var all = [T](unsafeUninitializedCapacity: max(kept, 1)) { _, n in n = max(kept, 1) }
        try values.withUnsafeBufferPointer { v in
            try all.withUnsafeMutableBufferPointer { a in
                try counts32.withUnsafeBufferPointer { c in
                    try offsets.withUnsafeBufferPointer { o in
                        try check(MPI_Gatherv(v.baseAddress, Int32(values.count), T.mpiDatatype, a.baseAddress, c.baseAddress, o.baseAddress,
                                              T.mpiDatatype, Int32(root), comm), "gather of values")
                    }
                }
            }
        }
        guard rank == root else { return nil }
        return (0..<size).map { r in Array(all[Int(offsets[r])..<Int(offsets[r] + counts32[r])]) }
    }

    /// ``gather(_:root:)`` of a large whole: every other rank sends to the root, which receives
    /// in rank order (each message in pieces).
    private func gatherInPieces<T: MPIScalar>(_ values: [T], root: Int, tag: Int) throws -> [[T]]? {
        guard rank == root else {
            try send(values, to: root, tag: tag)
            return nil
        }
        return try (0..<size).map { r in r == root ? values : try receive(T.self, from: r, tag: tag).values }
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

    /// Elements of `T` in one piece: ``pieceBytes`` worth, at most `Int32.max`.
    func pieceLimit<T>(_: T.Type) -> Int {
        min(Int(Int32.max), max(1, pieceBytes / MemoryLayout<T>.stride))
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

    func check(_ code: Int32, _ what: String) throws {
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

/// A non-blocking operation in flight (one MPI request per piece of its message). It must be
/// completed (``test()`` returning true or ``wait()``) before it is dropped; the buffer it owns
/// is released then.
public final class Request {
    var handles: [MPI_Request?] = []
    private let what: String
    private var release: (() -> Void)?

    init(what: String, release: @escaping () -> Void) {
        self.what = what
        self.release = release
    }

    /// Whether the operation has completed (never waits).
    public func test() throws -> Bool {
        guard release != nil else { return true }
        var flag: Int32 = 0
        let code = handles.withUnsafeMutableBufferPointer {
            MPI_Testall(Int32($0.count), $0.baseAddress, &flag, infoplane_mpi_statuses_ignore())
        }
        guard code == infoplane_mpi_success() else { throw InfoPlaneError("MPI \(what) failed: \(Communicator.errorString(code))") }
        if flag != 0 { finish() }
        return flag != 0
    }

    /// Waits for the operation to complete.
    public func wait() throws {
        guard release != nil else { return }
        let code = handles.withUnsafeMutableBufferPointer {
            MPI_Waitall(Int32($0.count), $0.baseAddress, infoplane_mpi_statuses_ignore())
        }
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
