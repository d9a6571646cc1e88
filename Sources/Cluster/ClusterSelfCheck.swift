import Foundation
import Support

/// Every call of ``Communicator`` the pipeline uses, exercised between all ranks with data only
/// the right exchange can produce: `infoplane cluster-check` runs it to prove the MPI set-up of a
/// new machine or allocation, and the tests run it under mpirun with 1, 2 and 3 ranks. Rank 0
/// reports one line per check; a wrong result is an error naming the rank and the call.
public enum ClusterSelfCheck {
    private struct Greeting: Codable, Equatable {
        var rank: Int
        var host: String
    }

    /// Runs every check on every rank of `comm`; `report` receives rank 0's lines.
    /// - Parameter abortFrom: this rank aborts the whole job instead (tests the abort path).
    public static func run(_ comm: Communicator, abortFrom: Int?, report: (String) -> Void) throws {
        try withoutActuallyEscaping(report) { report in
            try run(comm, abortFrom: abortFrom) { line in if comm.rank == 0 { report(line) } }
        }
    }

    private static func run(_ comm: Communicator, abortFrom: Int?, say: @escaping (String) -> Void) throws {
        say("cluster-check: \(comm.size) rank(s)\(comm.usesMPI ? "" : " (not launched by mpirun/srun: no messages to check)")")
        if abortFrom == comm.rank {
            comm.abort(message: "cluster-check: rank \(comm.rank) aborts the job as asked (--abort-from)", code: 3)
        }
        try collectives(comm, say)
        if comm.size > 1 {
            try pointToPoint(comm, say)
            try headers(comm, say)
            try errors(comm, say)
            try pieces(comm, say)
        }
        try split(comm, say)
        try sharedWindow(comm, say)
        try comm.barrier()
        say("ok")
    }

    private static func require(_ condition: Bool, _ what: String, _ comm: Communicator) throws {
        guard condition else { throw InfoPlaneError("rank \(comm.rank): \(what) returned wrong data") }
    }

    /// Broadcast of a length rank 0 alone knows; gather of different lengths (rank r sends r + 1
    /// values r).
    private static func collectives(_ comm: Communicator, _ say: (String) -> Void) throws {
        let rank = comm.rank
        var numbers: [Double] = rank == 0 ? (0..<1000).map { Double($0) * 0.5 } : []
        try comm.broadcast(&numbers, root: 0)
        try require(numbers.count == 1000 && numbers[999] == 499.5, "broadcast", comm)
        say("broadcast: ok")
        let gathered = try comm.gather([Int64](repeating: Int64(rank), count: rank + 1), root: 0)
        if rank == 0 {
            try require(gathered?.count == comm.size
                        && gathered!.enumerated().allSatisfy { $0.element == [Int64](repeating: Int64($0.offset), count: $0.offset + 1) },
                        "gather", comm)
        } else {
            try require(gathered == nil, "gather (non-root)", comm)
        }
        say("gather: ok")
    }

    /// A ring of blocking sends and receives, then non-blocking both ways with test and wait.
    private static func pointToPoint(_ comm: Communicator, _ say: (String) -> Void) throws {
        let rank = comm.rank, size = comm.size
        let next = (rank + 1) % size, previous = (rank + size - 1) % size
        let payload = (0..<(rank + 3)).map { Float(rank * 100 + $0) }
        let expected = (0..<(previous + 3)).map { Float(previous * 100 + $0) }
        // A blocking send could deadlock when every rank sends first, so even ranks send first
        // and odd ranks receive first.
        if rank % 2 == 0 { try comm.send(payload, to: next, tag: 7) }
        let (values, info) = try comm.receive(Float.self, from: previous, tag: 7)
        try require(info.source == previous && values == expected, "send/receive", comm)
        if rank % 2 == 1 { try comm.send(payload, to: next, tag: 7) }
        say("send/receive: ok")

        let incoming = try comm.ireceive(Int32.self, count: 4, from: previous, tag: 8)
        let outgoing = try comm.isend([Int32](repeating: Int32(rank), count: 4), to: next, tag: 8)
        while try !outgoing.test() {}
        try require(try incoming.wait() == [Int32](repeating: Int32(previous), count: 4), "isend/ireceive", comm)
        say("isend/ireceive/test/wait: ok")
    }

    /// Codable headers, probe and iprobe: everyone greets rank 0.
    private static func headers(_ comm: Communicator, _ say: (String) -> Void) throws {
        if comm.rank == 0 {
            var seen = Set<Int>()
            while seen.count < comm.size - 1 {
                if try comm.iprobe(UInt8.self, from: Communicator.anySource, tag: 9) == nil {
                    _ = try comm.probe(UInt8.self, from: Communicator.anySource, tag: 9)
                }
                let (greeting, info) = try comm.receiveHeader(Greeting.self, from: Communicator.anySource, tag: 9)
                try require(greeting.rank == info.source, "header", comm)
                seen.insert(greeting.rank)
            }
        } else {
            try comm.send(header: Greeting(rank: comm.rank, host: ProcessInfo.processInfo.hostName), to: 0, tag: 9)
        }
        say("headers/probe/iprobe: ok")
    }

    /// Errors come back as one-line errors instead of hanging or aborting.
    private static func errors(_ comm: Communicator, _ say: (String) -> Void) throws {
        do {
            try comm.send([1.0], to: comm.size, tag: 1)
            throw InfoPlaneError("rank \(comm.rank): a send to a missing rank did not fail")
        } catch let error as InfoPlaneError where error.description.contains("not a rank") {}
        say("errors: ok")
    }

    /// Messages longer than a piece (the piece size lowered to 64 bytes for the check) arrive
    /// whole through every call: a ring of sends of 100 floats and of exactly 32 (two whole
    /// pieces and the empty end mark), isend/ireceive, broadcast, and a gather too large for one
    /// piece.
    private static func pieces(_ comm: Communicator, _ say: (String) -> Void) throws {
        let saved = comm.pieceBytes
        comm.pieceBytes = 64
        defer { comm.pieceBytes = saved }
        let rank = comm.rank, size = comm.size
        let next = (rank + 1) % size, previous = (rank + size - 1) % size
        for count in [100, 32] {
            let payload = (0..<count).map { Float(rank * 1000 + $0) }
            if rank % 2 == 0 { try comm.send(payload, to: next, tag: 10) }
            let (values, info) = try comm.receive(Float.self, from: previous, tag: 10)
            try require(info.count == count && values == (0..<count).map { Float(previous * 1000 + $0) }, "send/receive in pieces", comm)
            if rank % 2 == 1 { try comm.send(payload, to: next, tag: 10) }
        }
        let incoming = try comm.ireceive(Int32.self, count: 50, from: previous, tag: 11)
        let outgoing = try comm.isend((0..<50).map { Int32(rank + $0) }, to: next, tag: 11)
        try outgoing.wait()
        try require(try incoming.wait() == (0..<50).map { Int32(previous + $0) }, "isend/ireceive in pieces", comm)
        var numbers: [Double] = rank == 0 ? (0..<37).map { Double($0) / 4 } : []
        try comm.broadcast(&numbers, root: 0)
        try require(numbers == (0..<37).map { Double($0) / 4 }, "broadcast in pieces", comm)
        let gathered = try comm.gather([Int64](repeating: Int64(rank), count: 10), root: 0)
        try require(rank != 0 || gathered! == (0..<size).map { [Int64](repeating: Int64($0), count: 10) }, "gather in pieces", comm)
        say("pieces: ok")
    }

    /// Each node's ranks share one window: every rank writes its own slot, and after a barrier
    /// each reads what the others wrote (alone, the window is plain memory).
    private static func sharedWindow(_ comm: Communicator, _ say: (String) -> Void) throws {
        let node = try comm.splitByNode()
        let layout = try comm.nodeLayout(node: node)
        let window = try SharedWindow.allocate(bytes: node.size * MemoryLayout<Int64>.stride, node: node)
        let slots = window.base!.assumingMemoryBound(to: Int64.self)
        slots[node.rank] = Int64(comm.rank)
        try window.synchronize()
        try node.barrier()
        try window.synchronize()
        let mine = layout.nodes[layout.node(of: comm.rank)]
        try require((0..<node.size).map { slots[$0] } == mine.map(Int64.init), "shared window", comm)
        try node.barrier()
        window.free()
        node.finalize()
        say("shared window: ok (\(layout.nodes.count) node(s))")
    }

    /// Split into two groups (even and odd ranks), as ensembles do; each group broadcasts its own
    /// value and finds its own size.
    private static func split(_ comm: Communicator, _ say: (String) -> Void) throws {
        let rank = comm.rank
        let group = try comm.split(color: rank % 2, key: rank)
        var mark: [Int64] = group.rank == 0 ? [Int64(rank % 2)] : []
        try group.broadcast(&mark, root: 0)
        try require(group.size == (comm.size + 1 - rank % 2) / 2 && group.rank == rank / 2 && mark == [Int64(rank % 2)], "split", comm)
        group.finalize()
        say("split: ok")
    }
}
