import Cluster

/// How the data a key names reaches a node's slot.
enum LoadPolicy: Sendable, Equatable {
    /// Every rank of the node reads its share of the rows from the file (`analyze`: nobody writes it).
    case nodeRanksRead
    /// `run`: rank 0 writes the file. On its own node the computing ranks read their shares of
    /// the published snapshot part (while rank 0 trains, the others: decompressing a conv-scale
    /// layer takes seconds that training would otherwise wait for); rank 0 reads alone only when
    /// no rank of its node computes. For any other node rank 0 reads and sends the rows to the
    /// node's first rank (the file need not be visible there).
    case rankZeroReads
}

/// What rank 0 decides for one rank: read part of a key into a slot, receive a key from rank 0,
/// or compute tasks from a loaded slot.
enum SchedulerAction: Sendable, Equatable {
    /// Read part `part` of `parts` (equal shares of the rows) of `key` into `slot` of the rank's node.
    case load(rank: Int, key: Int, slot: Int, part: Int, parts: Int)
    /// Receive `key` from rank 0 into `slot` of the rank's node.
    case transfer(rank: Int, key: Int, slot: Int)
    /// Compute `tasks` (all of `key`) from `slot` of the rank's node.
    case compute(rank: Int, key: Int, slot: Int, tasks: [Int])

    /// The rank the action is for.
    var rank: Int {
        switch self {
        case .load(let rank, _, _, _, _), .transfer(let rank, _, _), .compute(let rank, _, _, _): rank
        }
    }
}

/// Rank 0's bookkeeping of an analysis on many nodes, with no MPI in it: which key (a
/// snapshot-layer) each node's slots hold, which tasks (work items) wait for which key, and
/// what each rank is doing. ``schedule()`` turns that into actions:
///
/// - A free slot of a node loads the lowest key that has waiting tasks and is held by no node,
///   so each key is read once per node that works on it (and usually by one node only), and a
///   node's slots are reused only when no task still computes from them.
/// - A computing rank with room takes a batch of tasks of a loaded slot of its node: its share,
///   ⌈tasks of the key / computing ranks of the node⌉, fixed when the slot became ready, so a
///   key's tasks spread evenly over the node and each rank projects its batch in one pass over
///   the rows.
///
/// Which rank computes which task never changes a value (see ``AnalysisPlan``), so this is free
/// to follow the load.
struct LayerScheduler {
    /// One of a node's slots.
    struct Slot: Equatable {
        /// The key held or being loaded (nil: free).
        var key: Int?
        /// Parts still loading (0: ready, when it holds a key).
        var partsLeft = 0
        /// Tasks computing from it.
        var users = 0
        /// Tasks per batch of its key.
        var share = 0
    }

    let layout: NodeLayout
    let policy: LoadPolicy
    /// Per node, its slots.
    private(set) var slots: [[Slot]]
    /// Waiting tasks per key, ascending.
    private var waiting: [Int: [Int]] = [:]
    /// Per rank, its unfinished batches (tasks still to report).
    private var batches: [[[Int]]]
    /// Per task handed out: node and slot it computes from.
    private var taskSlot: [Int: (node: Int, slot: Int)] = [:]
    /// Ranks that take batches (rank 0 does not while it trains).
    private var computes: [Bool]
    /// Per rank, the slot it last computed from (its pages are already mapped).
    private var lastSlot: [Int?]

    /// Batches a worker holds at once: one computing and one waiting, so it never waits for rank
    /// 0 between them. Rank 0 runs its own batches in turn, one at a time.
    static let batchesPerWorker = 2
    /// Tasks in a batch at most: a batch's directions (d × 32 doubles per task) stay below
    /// 140 MB at 65,536 units.
    static let maximumBatch = 8

    /// A scheduler over `layout` with `slotsPerNode` slots on every node; `computing` says which
    /// ranks take batches at first.
    init(layout: NodeLayout, slotsPerNode: Int, policy: LoadPolicy, computing: Set<Int>) {
        self.layout = layout
        self.policy = policy
        let ranks = layout.nodes.reduce(0) { $0 + $1.count }
        slots = layout.nodes.map { _ in [Slot](repeating: Slot(), count: max(1, slotsPerNode)) }
        batches = Array(repeating: [], count: ranks)
        computes = (0..<ranks).map { computing.contains($0) }
        lastSlot = Array(repeating: nil, count: ranks)
    }

    /// Queues `tasks` (id and key), after those already waiting.
    mutating func add(_ tasks: [(id: Int, key: Int)]) {
        for task in tasks { waiting[task.key, default: []].append(task.id) }
    }

    /// Lets `rank` take batches from now on (rank 0 once training is over).
    mutating func startComputing(_ rank: Int) { computes[rank] = true }

    /// Whether anything is loading or computing.
    var isBusy: Bool {
        batches.contains { !$0.isEmpty } || slots.contains { $0.contains { $0.key != nil && $0.partsLeft > 0 } }
    }

    /// Tasks waiting for a rank.
    var waitingCount: Int { waiting.values.reduce(0) { $0 + $1.count } }

    /// A part of `key` is in `slot` of `rank`'s node (a whole transfer counts as one part).
    mutating func loaded(rank: Int, key: Int, slot: Int) throws {
        let node = layout.node(of: rank)
        guard slots[node][slot].key == key, slots[node][slot].partsLeft > 0 else {
            throw SchedulerError("rank \(rank) reported key \(key) loaded into slot \(slot), which does not expect it")
        }
        slots[node][slot].partsLeft -= 1
        if slots[node][slot].partsLeft == 0 {
            let computing = layout.nodes[node].filter { computes[$0] }.count
            slots[node][slot].share = Self.share(of: waiting[key, default: []].count, over: computing)
        }
    }

    /// `rank` reports task `task` done.
    mutating func finished(task: Int, rank: Int) throws {
        guard let place = taskSlot.removeValue(forKey: task),
              let batch = batches[rank].firstIndex(where: { $0.contains(task) }) else {
            throw SchedulerError("rank \(rank) reported task \(task), which it was not given")
        }
        batches[rank][batch].removeAll { $0 == task }
        if batches[rank][batch].isEmpty { batches[rank].remove(at: batch) }
        slots[place.node][place.slot].users -= 1
    }

    /// What to do now: loads into free slots, batches for ranks with room.
    mutating func schedule() -> [SchedulerAction] {
        var actions: [SchedulerAction] = []
        for node in layout.nodes.indices {
            for s in slots[node].indices {
                releaseIfDone(node: node, slot: s)
                if slots[node][s].key == nil, let key = unclaimedKey() { actions += startLoad(key, node: node, slot: s) }
            }
        }
        for node in layout.nodes.indices {
            for rank in layout.nodes[node] where computes[rank] {
                while batches[rank].count < (rank == 0 ? 1 : Self.batchesPerWorker), let action = batch(for: rank, node: node) {
                    actions.append(action)
                }
            }
        }
        return actions
    }

    /// ⌈tasks / ranks⌉, at least 1 and at most ``maximumBatch``.
    static func share(of tasks: Int, over ranks: Int) -> Int {
        min(maximumBatch, max(1, (tasks + max(ranks, 1) - 1) / max(ranks, 1)))
    }

    /// A slot whose key has no waiting and no computing task is free again.
    private mutating func releaseIfDone(node: Int, slot s: Int) {
        let slot = slots[node][s]
        guard let key = slot.key, slot.partsLeft == 0, slot.users == 0, waiting[key, default: []].isEmpty else { return }
        slots[node][s] = Slot()
        waiting[key] = nil
    }

    /// The lowest key with waiting tasks that no node holds.
    private func unclaimedKey() -> Int? {
        let held = Set(slots.flatMap { $0.compactMap(\.key) })
        return waiting.filter { !$0.value.isEmpty && !held.contains($0.key) }.keys.min()
    }

    private mutating func startLoad(_ key: Int, node: Int, slot: Int) -> [SchedulerAction] {
        let ranks = layout.nodes[node]
        switch policy {
        case .nodeRanksRead:
            slots[node][slot] = Slot(key: key, partsLeft: ranks.count)
            return ranks.enumerated().map { .load(rank: $0.element, key: key, slot: slot, part: $0.offset, parts: ranks.count) }
        case .rankZeroReads where ranks.contains(0):
            let readers = ranks.filter { computes[$0] }
            guard !readers.isEmpty else {
                slots[node][slot] = Slot(key: key, partsLeft: 1)
                return [.load(rank: 0, key: key, slot: slot, part: 0, parts: 1)]
            }
            slots[node][slot] = Slot(key: key, partsLeft: readers.count)
            return readers.enumerated().map { .load(rank: $0.element, key: key, slot: slot, part: $0.offset, parts: readers.count) }
        case .rankZeroReads:
            slots[node][slot] = Slot(key: key, partsLeft: 1)
            return [.transfer(rank: ranks[0], key: key, slot: slot)]
        }
    }

    /// A batch of a ready slot of `node` for `rank`: the slot it used last if it still has
    /// tasks, else the ready slot with the lowest key.
    private mutating func batch(for rank: Int, node: Int) -> SchedulerAction? {
        let ready = slots[node].indices.filter {
            let slot = slots[node][$0]
            return slot.key != nil && slot.partsLeft == 0 && !waiting[slot.key!, default: []].isEmpty
        }
        guard let s = ready.first(where: { $0 == lastSlot[rank] }) ?? ready.min(by: { slots[node][$0].key! < slots[node][$1].key! }) else {
            return nil
        }
        let key = slots[node][s].key!
        if slots[node][s].share == 0 {
            slots[node][s].share = Self.share(of: waiting[key]!.count, over: layout.nodes[node].filter { computes[$0] }.count)
        }
        let tasks = Array(waiting[key]!.prefix(slots[node][s].share))
        waiting[key]!.removeFirst(tasks.count)
        slots[node][s].users += tasks.count
        for task in tasks { taskSlot[task] = (node, s) }
        batches[rank].append(tasks)
        lastSlot[rank] = s
        return .compute(rank: rank, key: key, slot: s, tasks: tasks)
    }
}

/// A message that contradicts rank 0's bookkeeping (a rank running another build, or a bug).
struct SchedulerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description + ": all ranks must run the same infoplane build" }
}
