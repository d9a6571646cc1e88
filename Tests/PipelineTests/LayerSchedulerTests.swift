import Cluster
import Randomness
@testable import Pipeline
import Testing

/// Rank 0's bookkeeping of slots, loads and batches, driven by a simulated job in which actions
/// complete in a seeded random order (as messages from busy ranks do).
@Suite struct LayerSchedulerTests {
    /// What the simulated job saw.
    struct Trace {
        var computed: [Int: Int] = [:]
        /// Per (node, key): how many loads were started.
        var loads: [[Int]: Int] = [:]
        var batches: [[Int]] = []
        var transfers: [SchedulerAction] = []
    }

    /// Runs `scheduler` over `tasks` until every task is done, completing one outstanding action
    /// (or one task of a batch) at a time in an order drawn from `seed`; checks on the way that
    /// no slot is loaded while a task computes from it and that every batch reads a loaded slot
    /// holding its key.
    func simulate(_ scheduler: inout LayerScheduler, tasks: [(id: Int, key: Int)], seed: UInt64,
                  startRankZeroAfter steps: Int? = nil) throws -> Trace {
        var trace = Trace()
        var random = SplitMix(seed)
        var outstanding: [SchedulerAction] = []
        var using: [[Int]: Int] = [:]  // (node, slot) → tasks computing from it
        var holds: [[Int]: Int] = [:]  // (node, slot) → key loaded
        scheduler.add(tasks)
        var step = 0
        while trace.computed.count < tasks.count {
            step += 1
            if step == steps { scheduler.startComputing(0) }
            for action in scheduler.schedule() {
                let node = scheduler.layout.node(of: action.rank)
                switch action {
                case .load(_, let key, let slot, _, _), .transfer(_, let key, let slot):
                    #expect(using[[node, slot], default: 0] == 0, "slot \(slot) of node \(node) reloaded while in use")
                    holds[[node, slot]] = key
                    if case .load(_, _, _, let part, _) = action, part == 0 { trace.loads[[node, key], default: 0] += 1 }
                    if case .transfer = action { trace.loads[[node, key], default: 0] += 1; trace.transfers.append(action) }
                case .compute(_, let key, let slot, let batch):
                    #expect(holds[[node, slot]] == key, "a batch of key \(key) from slot \(slot), which holds \(String(describing: holds[[node, slot]]))")
                    #expect(scheduler.slots[node][slot].partsLeft == 0, "a batch from a slot still loading")
                    using[[node, slot], default: 0] += batch.count
                    trace.batches.append(batch)
                }
                outstanding.append(action)
            }
            guard !outstanding.isEmpty else {
                Issue.record("nothing outstanding with \(tasks.count - trace.computed.count) tasks left")
                break
            }
            let pick = Int(random.next() % UInt64(outstanding.count))
            switch outstanding[pick] {
            case .load(let rank, let key, let slot, _, _), .transfer(let rank, let key, let slot):
                outstanding.remove(at: pick)
                try scheduler.loaded(rank: rank, key: key, slot: slot)
            case .compute(let rank, let key, let slot, var batch):
                let task = batch.removeFirst()
                trace.computed[task, default: 0] += 1
                using[[scheduler.layout.node(of: rank), slot], default: 0] -= 1
                try scheduler.finished(task: task, rank: rank)
                if batch.isEmpty { outstanding.remove(at: pick) } else { outstanding[pick] = .compute(rank: rank, key: key, slot: slot, tasks: batch) }
            }
        }
        #expect(!scheduler.isBusy)
        return trace
    }

    static func tasks(keys: Int, perKey: Int) -> [(id: Int, key: Int)] {
        (0..<(keys * perKey)).map { (id: $0, key: $0 / perKey) }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func oneNodeReadsEachKeyOnceAndSplitsItsTasksEvenly(seed: UInt64) throws {
        var scheduler = LayerScheduler(layout: NodeLayout(nodes: [[0, 1]]), slotsPerNode: 1, policy: .nodeRanksRead, computing: [0, 1])
        let trace = try simulate(&scheduler, tasks: Self.tasks(keys: 6, perKey: 8), seed: seed)
        #expect(trace.computed.count == 48 && trace.computed.values.allSatisfy { $0 == 1 }, "every task once")
        #expect(trace.loads == Dictionary(uniqueKeysWithValues: (0..<6).map { ([0, $0], 1) }), "each key read once, by both ranks' parts")
        #expect(trace.batches.allSatisfy { $0.count == 4 }, "8 tasks over 2 ranks: batches of 4, got \(trace.batches.map(\.count))")
    }

    @Test(arguments: [4, 5] as [UInt64])
    func nodesWorkOnDifferentKeysAndEachKeyIsReadByOneNode(seed: UInt64) throws {
        var scheduler = LayerScheduler(layout: NodeLayout(nodes: [[0, 1], [2, 3], [4]]), slotsPerNode: 2, policy: .nodeRanksRead,
                                       computing: [0, 1, 2, 3, 4])
        let trace = try simulate(&scheduler, tasks: Self.tasks(keys: 10, perKey: 3), seed: seed)
        #expect(trace.computed.count == 30 && trace.computed.values.allSatisfy { $0 == 1 })
        #expect(trace.loads.values.allSatisfy { $0 == 1 })
        #expect(Set(trace.loads.keys.map { $0[1] }).count == trace.loads.count, "no key read on two nodes: \(trace.loads.keys)")
        #expect(Set(trace.loads.keys.map { $0[0] }) == [0, 1, 2], "every node works")
    }

    @Test func runReadsOnRankZerosNodeAndTransfersToOtherNodes() throws {
        var scheduler = LayerScheduler(layout: NodeLayout(nodes: [[0, 1], [2, 3]]), slotsPerNode: 1, policy: .rankZeroReads, computing: [1, 2, 3])
        let trace = try simulate(&scheduler, tasks: Self.tasks(keys: 4, perKey: 5), seed: 9, startRankZeroAfter: 6)
        #expect(trace.computed.count == 20)
        #expect(!trace.transfers.isEmpty && trace.transfers.allSatisfy { $0.rank == 2 }, "other nodes receive at their first rank")
        #expect(trace.loads.values.allSatisfy { $0 == 1 })
    }

    /// While rank 0 trains, the other ranks of its node read the published layer themselves, so
    /// training never waits for a layer to be decompressed; once rank 0 computes it reads its share.
    @Test func whileRankZeroTrainsItsNodesOtherRanksRead() throws {
        var scheduler = LayerScheduler(layout: NodeLayout(nodes: [[0, 1, 2]]), slotsPerNode: 1, policy: .rankZeroReads, computing: [1, 2])
        scheduler.add(Self.tasks(keys: 2, perKey: 4))
        #expect(scheduler.schedule() == [.load(rank: 1, key: 0, slot: 0, part: 0, parts: 2), .load(rank: 2, key: 0, slot: 0, part: 1, parts: 2)])
        try scheduler.loaded(rank: 1, key: 0, slot: 0)
        try scheduler.loaded(rank: 2, key: 0, slot: 0)
        for case .compute(let rank, _, _, let tasks) in scheduler.schedule() {
            #expect(rank != 0, "rank 0 takes no batch while it trains")
            for task in tasks { try scheduler.finished(task: task, rank: rank) }
        }
        scheduler.startComputing(0)
        #expect(scheduler.schedule() == [.load(rank: 0, key: 1, slot: 0, part: 0, parts: 3), .load(rank: 1, key: 1, slot: 0, part: 1, parts: 3),
                                         .load(rank: 2, key: 1, slot: 0, part: 2, parts: 3)])
        // Alone on its node and training, rank 0 reads.
        var alone = LayerScheduler(layout: NodeLayout(nodes: [[0], [1]]), slotsPerNode: 1, policy: .rankZeroReads, computing: [1])
        alone.add(Self.tasks(keys: 2, perKey: 1))
        #expect(alone.schedule() == [.load(rank: 0, key: 0, slot: 0, part: 0, parts: 1), .transfer(rank: 1, key: 1, slot: 0)])
    }

    @Test func rankZeroTakesNoBatchUntilItStartsComputing() throws {
        var scheduler = LayerScheduler(layout: NodeLayout(nodes: [[0, 1]]), slotsPerNode: 1, policy: .rankZeroReads, computing: [1])
        scheduler.add(Self.tasks(keys: 1, perKey: 8))
        let first = scheduler.schedule()
        #expect(first == [.load(rank: 1, key: 0, slot: 0, part: 0, parts: 1)], "rank 1 reads while rank 0 trains")
        try scheduler.loaded(rank: 1, key: 0, slot: 0)
        let batches = scheduler.schedule()
        #expect(batches == [.compute(rank: 1, key: 0, slot: 0, tasks: [0, 1, 2, 3, 4, 5, 6, 7])], "rank 1 alone computes: one share of 8")
        #expect(throws: SchedulerError.self) { try scheduler.finished(task: 3, rank: 0) }
    }

    @Test func sharesAreCappedSoABatchStaysSmall() {
        #expect(LayerScheduler.share(of: 32, over: 1) == LayerScheduler.maximumBatch)
        #expect(LayerScheduler.share(of: 9, over: 2) == 5)
        #expect(LayerScheduler.share(of: 0, over: 3) == 1)
    }
}

/// A small seeded generator for the simulated order of events.
struct SplitMix {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return RandomStream.splitMix64(state)
    }
}
