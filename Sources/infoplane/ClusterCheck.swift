import ArgumentParser
import Cluster
import Foundation
import Support

/// `infoplane cluster-check`: proves the MPI set-up on a new machine or allocation, and is how
/// the tests exercise every call of the Cluster module under mpirun with 1, 2 and 3 ranks.
struct ClusterCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster-check",
        abstract: "Check MPI: every rank exchanges messages with every call the pipeline uses.",
        discussion: "Run as `mpirun -np P infoplane cluster-check`; rank 0 prints one line per check and `ok`.")

    @Option(help: "Make this rank abort the job (tests the abort path).")
    var abortFrom: Int?

    struct Greeting: Codable, Equatable {
        var rank: Int
        var host: String
    }

    func run() throws {
        let comm = try Communicator.world()
        defer { comm.finalize() }
        let (rank, size) = (comm.rank, comm.size)
        func report(_ line: String) { if rank == 0 { print(line) } }
        func require(_ condition: Bool, _ what: String) throws {
            guard condition else { throw InfoPlaneError("rank \(rank): \(what) returned wrong data") }
        }
        report("cluster-check: \(size) rank(s)\(comm.usesMPI ? "" : " (not launched by mpirun/srun: no messages to check)")")
        if abortFrom == rank { comm.abort(message: "cluster-check: rank \(rank) aborts the job as asked (--abort-from)", code: 3) }

        // Broadcast of a length rank 0 alone knows.
        var numbers: [Double] = rank == 0 ? (0..<1000).map { Double($0) * 0.5 } : []
        try comm.broadcast(&numbers, root: 0)
        try require(numbers.count == 1000 && numbers[999] == 499.5, "broadcast")
        report("broadcast: ok")

        // Gather of different lengths (rank r sends r + 1 values r).
        let gathered = try comm.gather([Int64](repeating: Int64(rank), count: rank + 1), root: 0)
        if rank == 0 {
            try require(gathered?.count == size && gathered!.enumerated().allSatisfy { $0.element == [Int64](repeating: Int64($0.offset), count: $0.offset + 1) }, "gather")
        } else {
            try require(gathered == nil, "gather (non-root)")
        }
        report("gather: ok")

        if size > 1 {
            let next = (rank + 1) % size, previous = (rank + size - 1) % size
            // Ring: a blocking send could deadlock when every rank sends first, so even ranks
            // send first and odd ranks receive first.
            let payload = (0..<(rank + 3)).map { Float(rank * 100 + $0) }
            if rank % 2 == 0 {
                try comm.send(payload, to: next, tag: 7)
                let (values, info) = try comm.receive(Float.self, from: previous, tag: 7)
                try require(info.source == previous && values == (0..<(previous + 3)).map { Float(previous * 100 + $0) }, "send/receive")
            } else {
                let (values, info) = try comm.receive(Float.self, from: previous, tag: 7)
                try require(info.source == previous && values == (0..<(previous + 3)).map { Float(previous * 100 + $0) }, "send/receive")
                try comm.send(payload, to: next, tag: 7)
            }
            report("send/receive: ok")

            // Non-blocking both ways at once, with test and wait.
            let incoming = try comm.ireceive(Int32.self, count: 4, from: previous, tag: 8)
            let outgoing = try comm.isend([Int32](repeating: Int32(rank), count: 4), to: next, tag: 8)
            while try !outgoing.test() {}
            try require(try incoming.wait() == [Int32](repeating: Int32(previous), count: 4), "isend/ireceive")
            report("isend/ireceive/test/wait: ok")

            // Codable headers, probe and iprobe: everyone greets rank 0.
            if rank == 0 {
                var seen = Set<Int>()
                while seen.count < size - 1 {
                    if try comm.iprobe(UInt8.self, from: Communicator.anySource, tag: 9) == nil {
                        _ = try comm.probe(UInt8.self, from: Communicator.anySource, tag: 9)
                    }
                    let (greeting, info) = try comm.receiveHeader(Greeting.self, from: Communicator.anySource, tag: 9)
                    try require(greeting.rank == info.source, "header")
                    seen.insert(greeting.rank)
                }
            } else {
                try comm.send(header: Greeting(rank: rank, host: ProcessInfo.processInfo.hostName), to: 0, tag: 9)
            }
            report("headers/probe/iprobe: ok")

            // Errors come back as one-line errors instead of hanging or aborting.
            do {
                try comm.send([1.0], to: size, tag: 1)
                throw InfoPlaneError("rank \(rank): a send to a missing rank did not fail")
            } catch let error as InfoPlaneError where error.description.contains("not a rank") {}
            report("errors: ok")
        }
        // Split into two groups (even and odd ranks), as ensembles do; each group broadcasts
        // its own value and finds its own size.
        let group = try comm.split(color: rank % 2, key: rank)
        var mark: [Int64] = group.rank == 0 ? [Int64(rank % 2)] : []
        try group.broadcast(&mark, root: 0)
        try require(group.size == (size + 1 - rank % 2) / 2 && group.rank == rank / 2 && mark == [Int64(rank % 2)], "split")
        group.finalize()
        report("split: ok")

        try comm.barrier()
        report("ok")
    }
}
