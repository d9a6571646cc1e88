import Support

extension AnalysisPlan {
    /// Activations the busiest rank holds at once: the cache's four snapshot-layers and the one
    /// being projected (float32).
    static let heldSnapshotLayers = 5.0

    /// What this analysis holds on its busiest rank (rank 0: the collector besides a worker's
    /// share), in bytes:
    /// - prepared input projections θᵀX, kept for every slice: n · m doubles;
    /// - the plane's per-slice values: epochs · layers · quantities · m doubles;
    /// - the evaluation inputs, as stored and widened: n · d · (4 + 8);
    /// - activations held: 5 snapshot-layers of n · (widest layer) float32.
    /// - Parameter slicesFix: how the user lowers m here (`lower --slices`, `lower analysis.slices`).
    public func memoryEstimate(slicesFix: String) -> MemoryEstimate {
        let n = Double(samples), m = Double(settings.slices), widest = Double(widths.max() ?? 0)
        var estimate = MemoryEstimate()
        estimate.add("prepared input projections, n × m doubles", bytes: n * m * 8, fix: slicesFix)
        estimate.add("per-slice values, epochs × layers × quantities × m doubles",
                     bytes: Double(epochs.count) * Double(layers.count) * Double(settings.quantities) * m * 8,
                     fix: slicesFix + " or select fewer --epochs/--layers")
        estimate.add("evaluation inputs, n × d", bytes: n * Double(features) * 12, fix: "use fewer evaluation samples")
        estimate.add("activations, n × widest layer", bytes: Self.heldSnapshotLayers * n * widest * 4,
                     fix: "use fewer evaluation samples or narrower layers")
        return estimate
    }
}
