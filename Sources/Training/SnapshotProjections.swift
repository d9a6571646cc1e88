import Analysis
import Config
import Files
import Foundation
import Learning
import Support

extension StoredProjections.Snapshot {
    /// What `snapshots.store: projections` records of a snapshot's `activations`: each layer's
    /// raw φ_jᵀt_i for slices 0 ..< m under the analysis's seed, computed as the analysis computes
    /// them from the activations (same directions, same block GEMMs on the same widened rows,
    /// ``SlicedMutualInformation/layerProjectionMatrix(_:columns:layer:slices:widened:)``), so
    /// the plane is bit-identical to the one the activations give. Layer `L` (1-based, the
    /// recorded order) is keyed `L`, as `run` and `analyze` key the trainer's layers.
    init(recording activations: [Matrix], settings: AnalysisSettings) {
        let estimator = settings.estimator
        var widened: [Double] = []
        let layers = activations.enumerated().map { index, layer in
            layer.storage.withUnsafeBufferPointer {
                estimator.layerProjectionMatrix($0, columns: layer.columns, layer: index + 1, slices: settings.slices, widened: &widened)
            }
        }
        self.init(samples: activations.first?.rows ?? 0, slices: settings.slices, seed: settings.seed,
                  widths: activations.map(\.columns), layers: layers)
    }
}

extension ExperimentConfig {
    /// How a snapshot becomes projections under `snapshots.store: projections` (nil: the
    /// activations are stored).
    var snapshotProjection: (@Sendable ([Matrix]) -> StoredProjections.Snapshot)? {
        guard snapshots.store == .projections else { return nil }
        let settings = analysis
        return { StoredProjections.Snapshot(recording: $0, settings: settings) }
    }
}

extension TrainingSession {
    /// A resume of a run that stores projections under other `analysis.seed` or `analysis.slices`
    /// is refused: its snapshots would mix two sets of directions, which no analysis can use.
    func refuseOtherProjections() throws {
        guard config.snapshots.store == .projections else { return }
        let stored = try RunFileReader(path: runPath).configText ?? ""
        let changed = CanonicalText.differences(stored, config.canonicalText)
            .filter { $0.hasPrefix("analysis.seed:") || $0.hasPrefix("analysis.slices:") }.sorted()
        guard changed.isEmpty else {
            throw InfoPlaneError("--resume refused: \(runPath) stores projections drawn under its analysis settings, not these (\(changed.joined(separator: "; "))); keep analysis.seed and analysis.slices, or --force to start over")
        }
    }
}
