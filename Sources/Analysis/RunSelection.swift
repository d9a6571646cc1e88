import Config
import Estimators
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
    /// or number, ``LayerNaming/select(_:from:file:)`` — each checked to exist), from the
    /// file's listing and shapes alone (nothing large is read).
    public static func select(_ reader: RunFileReader, samples: Int, epochs wantedEpochs: [Int]?, layers wantedLayers: [String]?)
        throws -> (epochs: [Int], layers: [RecordedLayer]) {
        let chosen = try select(reader, samples: samples, epochs: wantedEpochs, layers: wantedLayers, projections: false)
        return (chosen.epochs, chosen.layers)
    }

    /// ``select(_:samples:epochs:layers:)`` for the sliced plane, which also measures layers
    /// stored as projections (``StoredProjections``; `projected` describes them).
    public static func select(_ reader: RunFileReader, samples: Int, epochs wantedEpochs: [Int]?, layers wantedLayers: [String]?, projections: Bool)
        throws -> (epochs: [Int], layers: [RecordedLayer], projected: [Int: StoredProjections.Layer]) {
        var epochs = reader.epochs
        guard !epochs.isEmpty else { throw InfoPlaneError("\(reader.path) holds no snapshots: train first, or check /snapshots") }
        if let wanted = wantedEpochs {
            if let missing = wanted.first(where: { !epochs.contains($0) }) {
                throw InfoPlaneError("\(reader.path) has no snapshot at epoch \(missing) (it has \(epochs.map(String.init).joined(separator: ", "))): choose from those with --epochs")
            }
            epochs = epochs.filter { wanted.contains($0) }
        }
        var layers = try reader.layers(samples: samples, epochs: epochs)
        let projected = projections ? try reader.projectedLayers(samples: samples, epochs: epochs).filter { p in !layers.contains { $0.layer == p.key } } : [:]
        if !projected.isEmpty {
            // Projection-only layers are `projections_L`, keyed by L like the trainer's `layer_L`,
            // and named as the file's `layers` attribute names layer L (the trainer's `conv1`, …).
            layers = (layers + projected.map {
                RecordedLayer(layer: $0.key, name: (try? reader.datasetName(layer: $0.key)) ?? LayerNaming.defaultName($0.key), width: $0.value.width)
            })
                .sorted { $0.layer < $1.layer }
        }
        if let wanted = wantedLayers { layers = try LayerNaming.select(wanted, from: layers, file: reader.path) }
        guard !layers.isEmpty else { throw InfoPlaneError("\(reader.path): no hidden layer is present in every selected snapshot") }
        return (epochs, layers, projected.filter { p in layers.contains { $0.layer == p.key } })
    }

    /// Refuses settings the stored projections cannot serve: their directions were drawn under
    /// one seed, and only their slices exist.
    public static func check(_ projected: [Int: StoredProjections.Layer], settings: AnalysisSettings, path: String) throws {
        for (layer, stored) in projected.sorted(by: { $0.key < $1.key }) where stored.seed != settings.seed || stored.slices < settings.slices {
            throw InfoPlaneError("\(path) stores layer \(layer) as \(stored.slices) projections drawn under seed \(stored.seed), which cannot give "
                                 + "\(settings.slices) slices under seed \(settings.seed) (the activations are not there to draw others): "
                                 + "analyze with --seed \(stored.seed) and --slices ≤ \(stored.slices)")
        }
    }

    /// Bytes of activations read up front to check their values (1 GiB: a few seconds on one rank).
    public static let upFrontValueCheck = 1 << 30

    /// The samples an analysis uses: all `recorded` ones; the first `samples`; or, with a seed, a
    /// seeded subset of `samples` (``SampleSubset``), the same on every rank and every resume.
    public static func rows(samples: Int?, seed: UInt64?, of recorded: Int) throws -> SampleRows {
        guard let samples else {
            if seed != nil { throw InfoPlaneError("--sample-seed chooses which samples --samples keeps: add --samples N (N < \(recorded))") }
            return .first(recorded)
        }
        guard samples >= 2, samples <= recorded else {
            throw InfoPlaneError("--samples \(samples) is impossible: the run recorded \(recorded) evaluation samples; use 2…\(recorded)")
        }
        guard let seed, samples < recorded else { return .first(samples) }
        return .subset(SampleSubset.rows(seed: seed, count: samples, of: recorded))
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

    /// ``validate(_:epochs:layers:)`` for the sliced plane when the selected activations (n =
    /// `samples` rows as recorded) hold at most ``upFrontValueCheck`` bytes. Larger runs are not
    /// read twice: each snapshot-layer is checked as it is loaded (``LayerSource``), and a bad one
    /// stops the job there (the plane then holds the snapshots completed before it).
    public static func validate(_ reader: RunFileReader, epochs: [Int], layers: [RecordedLayer], samples: Int) throws {
        let bytes = Double(epochs.count) * Double(layers.reduce(0) { $0 + $1.width }) * Double(samples) * 4
        guard bytes <= Double(upFrontValueCheck) else { return }
        try validate(reader, epochs: epochs, layers: layers.map(\.layer))
    }
}
