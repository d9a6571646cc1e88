/// What one slice-value vector of a plane measures, in the order an item reports them.
public enum PlaneQuantity: Int, Sendable, CaseIterable {
    /// S1(X;T).
    case sxt
    /// S1(T;Y).
    case sty
    /// S1(X;T) on shuffled pairings.
    case sxtBaseline
    /// S1(T;Y) on shuffled pairings.
    case styBaseline

    /// The dataset name in plane.h5 (`sxt`, `sxt_se`, `sxt_values`, …) and the CSV column.
    public var name: String {
        switch self {
        case .sxt: "sxt"
        case .sty: "sty"
        case .sxtBaseline: "sxt_baseline"
        case .styBaseline: "sty_baseline"
        }
    }

    /// The quantities a plane measures: the two, and their baselines when asked for.
    public static func measured(shuffleBaseline: Bool) -> [PlaneQuantity] {
        shuffleBaseline ? allCases : [.sxt, .sty]
    }
}

/// The per-slice values of a whole plane in memory: for every epoch, layer and quantity the m
/// values of its slices. Slice j of quantity q of layer index l at epoch index e sits at
/// `((e·L + l)·Q + q)·m + j` — the one place this numbering is written.
public struct PlaneValues: Sendable {
    /// Epochs E (indices into the plan's epochs).
    public private(set) var epochs: Int
    /// Layers L (indices into the plan's layers).
    public let layers: Int
    /// Quantities Q per layer (2, or 4 with baselines).
    public let quantities: Int
    /// Slices m per quantity.
    public let slices: Int
    private var storage: [Double]

    /// A plane of NaNs.
    public init(epochs: Int, layers: Int, quantities: Int, slices: Int) {
        self.epochs = epochs
        self.layers = layers
        self.quantities = quantities
        self.slices = slices
        storage = [Double](repeating: .nan, count: epochs * layers * quantities * slices)
    }

    /// Where the m values of (epoch, layer, quantity) start.
    private func start(_ epoch: Int, _ layer: Int, _ quantity: Int) -> Int {
        ((epoch * layers + layer) * quantities + quantity) * slices
    }

    /// The m values of one quantity of one layer at one epoch, in slice order.
    public func values(epoch: Int, layer: Int, quantity: Int) -> [Double] {
        let s = start(epoch, layer, quantity)
        return Array(storage[s..<(s + slices)])
    }

    /// The values of `slices` of one quantity of one layer at one epoch.
    public func values(epoch: Int, layer: Int, quantity: Int, slices range: Range<Int>) -> [Double] {
        let s = start(epoch, layer, quantity)
        return Array(storage[(s + range.lowerBound)..<(s + range.upperBound)])
    }

    /// Stores `values` as slices `range` of one quantity of one layer at one epoch.
    public mutating func store(_ values: ArraySlice<Double>, epoch: Int, layer: Int, quantity: Int, slices range: Range<Int>) {
        precondition(values.count == range.count, "\(values.count) values for \(range.count) slices")
        let s = start(epoch, layer, quantity)
        storage.replaceSubrange((s + range.lowerBound)..<(s + range.upperBound), with: values)
    }

    /// Keeps the first `count` epochs only (their values stay where they are).
    public mutating func keepEpochs(_ count: Int) {
        guard count < epochs else { return }
        storage.removeSubrange(start(count, 0, 0)...)
        epochs = count
    }
}
