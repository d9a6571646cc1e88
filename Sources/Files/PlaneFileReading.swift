import Storage
import Support

extension PlaneFile {
    /// The identity lines stored in the plane file at `path` (what `--resume` compares); an
    /// error if it is not one of our plane files.
    public static func storedIdentity(_ path: String) throws -> [String] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        guard try format.marks(file.root) else {
            throw InfoPlaneError("\(path) is not an InfoPlane plane file: --resume needs one; use --force to replace it")
        }
        return try file.root.stringAttribute("identity")?.split(separator: "\n").map(String.init) ?? []
    }

    /// Reads the per-slice values the plane file at `path` holds into `values`, for the epochs of
    /// `epochs` it has (a file of a longer plan may hold more, which are skipped) and every layer
    /// named in `layers` (each must be there).
    /// - Returns: the (epoch index, layer index) pairs restored.
    public static func restore(_ path: String, into values: inout PlaneValues, epochs: [Int], layers: [String],
                               quantities: [PlaneQuantity]) throws -> [(epoch: Int, layer: Int)] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let m = values.slices
        var restored: [(epoch: Int, layer: Int)] = []
        for (l, layer) in layers.enumerated() {
            let group = try file.root.group(layer)
            let stored = try group.read("epoch", as: Int64.self).values
            let columns = try quantities.map { try group.read($0.name + "_values", as: Double.self).values }
            for (row, epoch) in stored.enumerated() {
                guard let e = epochs.firstIndex(of: Int(epoch)) else { continue }
                for (q, column) in columns.enumerated() {
                    guard column.count >= (row + 1) * m else {
                        throw StorageError(.shapeMismatch, "\(path): \(layer) values are shorter than its epochs: the file is damaged; use --force")
                    }
                    values.store(column[(row * m)..<((row + 1) * m)], epoch: e, layer: l, quantity: q, slices: 0..<m)
                }
                restored.append((e, l))
            }
        }
        return restored
    }

    /// One row of a plane's table: a layer at an epoch, S1(X;T) and S1(T;Y) with their errors.
    public struct SummaryRow: Sendable, Equatable {
        /// The snapshot epoch.
        public var epoch: Int
        /// S1(X;T) and its standard error.
        public var sxt, sxtSE: Double
        /// S1(T;Y) and its standard error.
        public var sty, stySE: Double
    }

    /// Per hidden layer (by its stream key, the group's `layer` attribute), the rows of the plane
    /// file at `path`.
    public static func summaryRows(_ path: String) throws -> [Int: [SummaryRow]] {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        var result: [Int: [SummaryRow]] = [:]
        for member in try file.root.members() where member.kind == .group {
            let group = try file.root.group(member.name)
            guard let layer = try group.intAttribute("layer").map(Int.init) ?? LayerNaming.index(of: member.name) else { continue }
            let epochs = try group.read("epoch", as: Int64.self).values
            let columns = try ["sxt", "sxt_se", "sty", "sty_se"].map { try group.read($0, as: Double.self).values }
            result[layer] = epochs.indices.map { i in
                SummaryRow(epoch: Int(epochs[i]), sxt: columns[0][i], sxtSE: columns[1][i], sty: columns[2][i], stySE: columns[3][i])
            }
        }
        return result
    }
}
