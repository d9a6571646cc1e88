import Config
import Estimators
import Storage
import Support

/// One row of `/stopping`: the objective at a snapshot epoch, its parts, and the rule's decision
/// so far.
public struct StoppingRow: Sendable, Equatable {
    /// The snapshot epoch measured.
    public var epoch: Int
    /// J = S1(T;Y) − β·S1(X;T).
    public var objective: Double
    /// S1(X;T) of the rule's layer.
    public var inputInformation: SlicedEstimate
    /// S1(T;Y) of the rule's layer.
    public var labelInformation: SlicedEstimate
    /// The snapshot with the best J so far.
    public var chosenEpoch: Int
    /// The epoch the rule stopped training at; nil while it has not.
    public var stoppedEpoch: Int?

    /// A row from its parts.
    public init(epoch: Int, objective: Double, inputInformation: SlicedEstimate, labelInformation: SlicedEstimate,
                chosenEpoch: Int, stoppedEpoch: Int?) {
        self.epoch = epoch
        self.objective = objective
        self.inputInformation = inputInformation
        self.labelInformation = labelInformation
        self.chosenEpoch = chosenEpoch
        self.stoppedEpoch = stoppedEpoch
    }
}

/// The `/stopping` group of `run.h5`, present when the config has a `stopping:` section.
///
/// ```
/// /stopping              attributes: objective (its formula), beta, tolerance, window, slices, k,
///                        layer, seed, units, chosen_epoch (best J so far), stopped_epoch (−1 until
///                        the rule fires)
/// /stopping/<column>     one row per snapshot epoch: epoch (int64), objective, sxt, sxt_se, sty,
///                        sty_se (float64, nats)
/// ```
/// The group is tiny and lives in the index: each published index holds exactly the rows of
/// the epochs it holds (``StoppingTable`` is the writer's copy).
public enum StoppingGroup {
    static let name = "stopping"
    /// The per-snapshot columns besides `epoch`.
    public static let columns = ["objective", "sxt", "sxt_se", "sty", "sty_se"]

    /// The recorded epochs and objectives, and the epoch the rule stopped at (nil if it has not).
    static func history(_ file: HDF5File) throws -> (epochs: [Int], objectives: [Double], stopped: Int?) {
        guard file.root.contains(name) else {
            throw InfoPlaneError("\(file.path) has no /stopping group although its config has a stopping section: the file is damaged; use --force to start over")
        }
        let group = try file.root.group(name)
        let epochs = try group.read("epoch", as: Int64.self).values.map { Int($0) }
        let objectives = try group.read("objective", as: Double.self).values
        guard objectives.count == epochs.count else {
            throw InfoPlaneError("\(file.path): /stopping has \(epochs.count) epochs but \(objectives.count) objectives: the file is damaged; use --force to start over")
        }
        let stopped = try group.intAttribute("stopped_epoch") ?? -1
        return (epochs, objectives, stopped >= 0 ? Int(stopped) : nil)
    }

    /// The line `inspect` prints: the rule's settings and decision.
    static func summaryLine(_ file: HDF5File) throws -> String {
        let group = try file.root.group(name)
        let epochs = try group.read("epoch", as: Int64.self).values
        let objectives = try group.read("objective", as: Double.self).values
        let stopped = try group.intAttribute("stopped_epoch") ?? -1
        let chosen = try group.intAttribute("chosen_epoch") ?? -1
        let best = zip(epochs, objectives).first { $0.0 == chosen }?.1
        return String(format: "  stopping:   J = S1(T;Y) − %g·S1(X;T) of layer_%d at %d snapshots; %@; chosen epoch %d%@",
                      try group.doubleAttribute("beta") ?? 0, Int(try group.intAttribute("layer") ?? 0), epochs.count,
                      stopped >= 0 ? "stopped after epoch \(stopped)" : "not stopped", Int(chosen),
                      best.map { String(format: " (J = %.4f nats)", $0) } ?? "")
    }
}

/// What the stopping rule recorded in a run file (`/stopping`), for callers without HDF5 at hand.
public struct StoppingRecord: Sendable, Equatable {
    /// Snapshot epochs measured, ascending.
    public var epochs: [Int]
    /// J per snapshot, nats.
    public var objectives: [Double]
    /// S1(X;T) per snapshot.
    public var inputInformation: [Double]
    /// S1(T;Y) per snapshot.
    public var labelInformation: [Double]
    /// The snapshot with the best J so far.
    public var chosenEpoch: Int?
    /// The epoch training stopped after; nil while the rule has not fired.
    public var stoppedEpoch: Int?

    /// Reads `/stopping` of the run file at `path`.
    public static func read(runPath path: String) throws -> StoppingRecord {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        let history = try StoppingGroup.history(file)
        let group = try file.root.group(StoppingGroup.name)
        let chosen = try group.intAttribute("chosen_epoch") ?? -1
        return StoppingRecord(epochs: history.epochs, objectives: history.objectives,
                              inputInformation: try group.read("sxt", as: Double.self).values,
                              labelInformation: try group.read("sty", as: Double.self).values,
                              chosenEpoch: chosen >= 0 ? Int(chosen) : nil, stoppedEpoch: history.stopped)
    }
}

/// The writer's copy of `/stopping`: the rule's settings and the rows so far, written whole into
/// every index (a few rows per snapshot, so rewriting is cheaper than any in-place update).
struct StoppingTable {
    /// The group's attributes (settings, chosen and stopped epochs).
    var attributes: [(String, AttributeValue)]
    /// The `epoch` column.
    var epochs: [Int64] = []
    /// The other columns, in ``StoppingGroup/columns`` order.
    var columns: [[Double]] = StoppingGroup.columns.map { _ in [] }

    /// A table with the rule's settings and no rows.
    init(settings s: StoppingSection) {
        attributes = [
            ("objective", .string("S1(T;Y) - beta * S1(X;T) of layer_\(s.layer)")), ("beta", .double(s.beta)),
            ("tolerance", .double(s.tolerance)), ("window", .int(Int64(s.window))), ("slices", .int(Int64(s.slices))),
            ("k", .int(Int64(s.k))), ("layer", .int(Int64(s.layer))), ("seed", .int(Int64(bitPattern: s.seed))),
            ("units", .string("nats")), ("chosen_epoch", .int(-1)), ("stopped_epoch", .int(-1)),
        ]
    }

    /// The table stored in `file`'s `/stopping`.
    init(reading file: HDF5File) throws {
        let group = try file.root.group(StoppingGroup.name)
        attributes = try group.attributeNames().compactMap { name in try group.attribute(name).map { (name, $0) } }
        epochs = try group.read("epoch", as: Int64.self).values
        columns = try StoppingGroup.columns.map { try group.read($0, as: Double.self).values }
        guard columns.allSatisfy({ $0.count == epochs.count }) else {
            throw InfoPlaneError("\(file.path): /stopping has columns of different lengths: the file is damaged; use --force to start over")
        }
    }

    /// Appends a snapshot's objective and records the rule's current decision.
    mutating func append(_ row: StoppingRow) {
        epochs.append(Int64(row.epoch))
        let values = [row.objective, row.inputInformation.mean, row.inputInformation.standardError,
                      row.labelInformation.mean, row.labelInformation.standardError]
        for (c, value) in values.enumerated() { columns[c].append(value) }
        set("chosen_epoch", Int64(row.chosenEpoch))
        set("stopped_epoch", Int64(row.stoppedEpoch ?? -1))
    }

    private mutating func set(_ name: String, _ value: Int64) {
        if let i = attributes.firstIndex(where: { $0.0 == name }) { attributes[i].1 = .int(value) } else { attributes.append((name, .int(value))) }
    }

    /// Writes `/stopping` into a new index.
    func write(to root: HDF5Group) throws {
        let group = try root.createGroup(StoppingGroup.name)
        for (name, value) in attributes { try group.setAttribute(name, value) }
        try group.createExtendible("epoch", of: Int64.self, chunkRows: 256)
        if !epochs.isEmpty { try group.append("epoch", epochs) }
        for (name, column) in zip(StoppingGroup.columns, columns) {
            try group.createExtendible(name, of: Double.self, chunkRows: 256)
            if !column.isEmpty { try group.append(name, column) }
        }
    }
}
