import CMPI
import Foundation
import Support

/// Which ranks of a communicator share a node's memory: the ranks of each node in rank order.
public struct NodeLayout: Sendable, Equatable {
    /// Per node (in order of their lowest rank), its ranks ascending.
    public let nodes: [[Int]]

    /// A layout from its parts.
    public init(nodes: [[Int]]) { self.nodes = nodes }

    /// The node of `rank`.
    public func node(of rank: Int) -> Int {
        nodes.firstIndex { $0.contains(rank) } ?? 0
    }
}

extension Communicator {
    /// Splits this communicator by node (collective): the ranks that can share memory with this
    /// one, by `MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)`, ordered by rank. Alone, or without
    /// MPI, the group is this process. `INFOPLANE_RANKS_PER_NODE=k` makes groups of k consecutive
    /// ranks instead, so the paths of a job on many nodes can be tested on one machine.
    public func splitByNode() throws -> Communicator {
        guard let comm, usesMPI else { return Communicator(local: ()) }
        if let text = ProcessInfo.processInfo.environment["INFOPLANE_RANKS_PER_NODE"], let perNode = Int(text), perNode >= 1 {
            return try split(color: rank / perNode, key: rank)
        }
        var node: MPI_Comm?
        try check(MPI_Comm_split_type(comm, infoplane_mpi_comm_type_shared(), Int32(rank), infoplane_mpi_info_null(), &node),
                  "split by node (MPI_Comm_split_type)")
        return try Self.subgroup(node, what: "MPI_Comm_split_type")
    }

    /// Every rank's node (collective): `node` is this rank's ``splitByNode()`` communicator.
    public func nodeLayout(node: Communicator) throws -> NodeLayout {
        // Each node is named by the rank (here) of its first member.
        var leader = [Int64(node.rank == 0 ? rank : -1)]
        try node.broadcast(&leader, root: 0)
        var leaders = (try gather(leader, root: 0) ?? []).flatMap { $0 }
        try broadcast(&leaders, root: 0)
        let names = Array(Set(leaders)).sorted()
        var nodes = [[Int]](repeating: [], count: names.count)
        for (r, name) in leaders.enumerated() { nodes[names.firstIndex(of: name)!].append(r) }
        return NodeLayout(nodes: nodes)
    }
}
