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
        }
        try split(comm, say)
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
