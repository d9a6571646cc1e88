import Config
import Files
import Support

/// Settling what an analysis of an existing run file measures, before anything is computed:
/// its settings (the run's, with the command's overrides) and the snapshots and layers,
/// each checked to exist and every selected activation read once.
public enum RunSelection {
    /// The run's analysis settings (its config's `analysis` section; seed 0 for a file without
    /// a config) after `override` applies the command's options, checked.
    public static func settings(of reader: RunFileReader, override: (AnalysisSettings) throws -> AnalysisSettings) throws -> AnalysisSettings {
        var settings = try ExperimentConfig.parse(yaml: reader.configText ?? "", source: reader.path).analysis
        if reader.configText == nil { settings.seed = 0 }
        settings = try override(settings)
        guard AnalysisSettings.slicesRange.contains(settings.slices) else {
            throw InfoPlaneError("--slices \(settings.slices) is impossible: use at least 1 and at most \(AnalysisSettings.slicesRange.upperBound) (1000 is usual)")
        }
        guard settings.k >= 1 else { throw InfoPlaneError("--k \(settings.k) is impossible: use at least 1 neighbour (5 is usual)") }
        return settings
    }

    /// The snapshot epochs and hidden layers to analyse (all, or those asked for, each checked to
    /// exist), from the file's listing and shapes alone (nothing large is read).
    public static func select(_ reader: RunFileReader, samples: Int, epochs wantedEpochs: [Int]?, layers wantedLayers: [Int]?)
        throws -> (epochs: [Int], layers: [(layer: Int, width: Int)]) {
        var epochs = reader.epochs
        guard !epochs.isEmpty else { throw InfoPlaneError("\(reader.path) holds no snapshots: train first, or check /snapshots") }
        if let wanted = wantedEpochs {
            if let missing = wanted.first(where: { !epochs.contains($0) }) {
                throw InfoPlaneError("\(reader.path) has no snapshot at epoch \(missing) (it has \(epochs.map(String.init).joined(separator: ", "))): choose from those with --epochs")
            }
            epochs = epochs.filter { wanted.contains($0) }
        }
        var layers = try reader.layers(samples: samples, epochs: epochs)
        if let wanted = wantedLayers {
            if let missing = wanted.first(where: { w in !layers.contains { $0.layer == w } }) {
                throw InfoPlaneError("\(reader.path) has no layer_\(missing) in every selected snapshot (it has \(layers.map { String($0.layer) }.joined(separator: ", "))): choose from those with --layers")
            }
            layers = layers.filter { wanted.contains($0.layer) }
        }
        guard !layers.isEmpty else { throw InfoPlaneError("\(reader.path): no hidden layer is present in every selected snapshot") }
        return (epochs, layers)
    }

    /// Reads every selected activation once, so bad data (NaN, a wrong type) stops the job
    /// before any output exists.
    public static func validate(_ reader: RunFileReader, epochs: [Int], layers: [Int]) throws {
        for epoch in epochs { for layer in layers { _ = try reader.activations(epoch: epoch, layer: layer) } }
    }
}
