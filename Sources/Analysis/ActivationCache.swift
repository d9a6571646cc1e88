import Files

/// The analysis's hold on hidden activations: the last few (epoch, layer) matrices, read from
/// the run file or handed over by the trainer, so each crosses the disk once per snapshot-layer.
public final class ActivationCache {
    /// The run file read on a miss.
    public let reader: RunFileReader
    private var held: [(key: [Int], values: [Float])] = []
    private let capacity = 4

    /// A cache over the run file `reader` reads.
    public init(reader: RunFileReader) { self.reader = reader }

    /// One layer's activations at one epoch (n × width, float32), checked to be finite.
    public func activations(epoch: Int, layer: Int) throws -> [Float] {
        if let hit = held.firstIndex(where: { $0.key == [epoch, layer] }) { return held[hit].values }
        let values = try reader.activations(epoch: epoch, layer: layer)
        remember(epoch: epoch, layer: layer, values)
        return values
    }

    /// Keeps activations the trainer just produced, so they need not be read back.
    public func remember(epoch: Int, layer: Int, _ values: [Float]) {
        held.removeAll { $0.key == [epoch, layer] }
        held.append((key: [epoch, layer], values: values))
        if held.count > capacity { held.removeFirst() }
    }
}
