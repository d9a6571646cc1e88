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
        // The Python recorder's config is its user's own: recorded, not an experiment config.
        var settings = try ExperimentConfig.parse(yaml: reader.experimentConfigText ?? "", source: reader.path).analysis
        if reader.experimentConfigText == nil { settings.seed = 0 }
        settings = try override(settings)
        guard AnalysisSettings.slicesRange.contains(settings.slices) else {
            throw InfoPlaneError("--slices \(settings.slices) is impossible: use at least 1 and at most \(AnalysisSettings.slicesRange.upperBound) (1000 is usual)")
        }
        guard settings.k >= 1 else { throw InfoPlaneError("--k \(settings.k) is impossible: use at least 1 neighbour (5 is usual)") }
        return settings
    }

    /// The snapshot epochs and hidden layers to analyse (all, or those asked for — layers by name
    /// or number, ``LayerNaming/select(_:from:file:)`` — each checked to exist), from the file's
    /// listing and shapes alone (nothing large is read).
    public static func select(_ reader: RunFileReader, samples: Int, epochs wantedEpochs: [Int]?, layers wantedLayers: [String]?)
        throws -> (epochs: [Int], layers: [RecordedLayer]) {
        var epochs = reader.epochs
        guard !epochs.isEmpty else { throw InfoPlaneError("\(reader.path) holds no snapshots: train first, or check /snapshots") }
        if let wanted = wantedEpochs {
            if let missing = wanted.first(where: { !epochs.contains($0) }) {
                throw InfoPlaneError("\(reader.path) has no snapshot at epoch \(missing) (it has \(epochs.map(String.init).joined(separator: ", "))): choose from those with --epochs")
            }
            epochs = epochs.filter { wanted.contains($0) }
        }
        var layers = try reader.layers(samples: samples, epochs: epochs)
        if let wanted = wantedLayers { layers = try LayerNaming.select(wanted, from: layers, file: reader.path) }
        guard !layers.isEmpty else { throw InfoPlaneError("\(reader.path): no hidden layer is present in every selected snapshot") }
        return (epochs, layers)
    }

    /// What was converted to float32 on read, one entry per dataset ("evaluation/inputs
    /// uint8→float32", "fc1 float64→float32"), for the plane's `converted` attribute.
    public static func conversions(_ evaluation: RunEvaluation, layers: [RecordedLayer]) -> [String] {
        let inputs = evaluation.inputsConvertedFrom.map { ["evaluation/inputs \($0)→float32"] } ?? []
        return inputs + layers.filter { !$0.convertedFrom.isEmpty }.map { "\($0.name) \($0.convertedFrom.joined(separator: "/"))→float32" }
    }

    /// Reads every selected activation once, so bad data (NaN, a wrong type) stops the job
    /// before any output exists.
    public static func validate(_ reader: RunFileReader, epochs: [Int], layers: [Int]) throws {
        for epoch in epochs { for layer in layers { _ = try reader.activations(epoch: epoch, layer: layer) } }
    }
}
