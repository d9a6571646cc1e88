import Config
import Estimators
import Files
import Foundation
import Support

/// The checked job every rank follows: S1(T;Y) of each (epoch, layer, curve) on a subset of the
/// recorded training rows (``MemorisationFile/Curve``). Item i is epoch i / (L·C), layer
/// (i / C) mod L, curve `curves[i mod C]`, over the C curves whose rows exist.
///
/// Each value is `infoplane estimate`'s on the same rows: the directions φ_j are the stream of
/// layer key 0 under the settings' seed for every layer (``estimateLayerKey``), so any point can
/// be reproduced by writing the rows out and running `estimate --discrete-y --seed S`.
public struct MemorisationPlan: Codable, Sendable {
    /// What is measured, as the file records it.
    public var header: MemorisationFile.Header
    /// The curves measured (those whose rows exist), in ``MemorisationFile/Curve`` order.
    public var curves: [MemorisationFile.Curve]
    /// The file written.
    public var outPath: String

    /// The layer key of every projection: `estimate`'s, so its values are this analysis's.
    public static let estimateLayerKey = 0

    /// Items in (epoch, layer, curve) order.
    public var itemCount: Int { header.epochs.count * header.layers.count * curves.count }

    /// Rank 0's checks, before any computing: files, settings, rows, layers and epochs.
    public static func prepare(_ request: MemorisationRequest) throws -> MemorisationPlan {
        let (reader, outPath, settings) = try request.opened(command: "memorisation", file: "memorisation.h5", csvPath: MemorisationFile.csvPath(for:))
        let evaluation = try reader.evaluation()
        let (labels, noise) = try trainingRows(reader, evaluation: evaluation)
        let rows = labels.noisy.indices
        let noisyRows = rows.filter { labels.changed[$0] }, cleanRows = rows.filter { !labels.changed[$0] }
        let (epochs, layers) = try RunSelection.select(reader, samples: evaluation.samples, epochs: request.selection.epochs,
                                                       layers: request.selection.layers)
        let header = MemorisationFile.Header(runPath: request.runPath, fraction: noise?.fraction ?? 0, settings: settings, epochs: epochs,
                                             layers: layers, samples: labels.noisy.count, noisyRows: noisyRows, cleanRows: cleanRows,
                                             noisyLabels: labels.noisy, trueLabels: labels.original)
        let curves = try measurable(header, path: reader.path)
        try RunSelection.validate(reader, epochs: epochs, layers: layers.map(\.layer))
        try OutputDirectory.prepare(forFile: outPath)
        return MemorisationPlan(header: header, curves: curves, outPath: outPath)
    }

    /// The recorded rows that are training samples, with the labels training saw and the true
    /// ones (equal without `/label_noise`), and the recorded draw.
    static func trainingRows(_ reader: RunFileReader, evaluation: RunEvaluation) throws -> (labels: LabelNoiseGroup.Record, noise: LabelNoiseGroup.Record?) {
        guard let labels = evaluation.targets.classLabels else {
            throw InfoPlaneError("\(reader.path) holds regression targets (/evaluation/targets): memorisation is measured against class labels; give a classification run")
        }
        guard let text = reader.experimentConfigText else {
            throw InfoPlaneError("\(reader.path) was not written by infoplane train/run: memorisation needs to know which recorded rows are training samples; train with dataset.evaluation_split: train")
        }
        let split = try ExperimentConfig.parse(yaml: text, source: reader.path).dataset.evaluationSplit
        let noise = try LabelNoiseGroup.read(runPath: reader.path)
        var samples = labels.count
        switch split {
        case .test:
            throw InfoPlaneError("\(reader.path) recorded test samples (dataset.evaluation_split: test): memorisation is measured on training samples; retrain with dataset.evaluation_split: train and a dataset.evaluation_size of a few thousand")
        case .all:
            guard let noise else {
                throw InfoPlaneError("\(reader.path) recorded the training and test splits together and has no /label_noise to say where training ends: retrain with dataset.evaluation_split: train")
            }
            samples = min(samples, noise.noisy.count)
        case .train: break
        }
        let original = Array(labels.prefix(samples))
        guard let noise else { return (LabelNoiseGroup.Record(noisy: original, original: original, changed: original.map { _ in false }, fraction: 0, seed: 0), nil) }
        guard noise.original.count >= samples, Array(noise.original.prefix(samples)) == original else {
            throw InfoPlaneError("\(reader.path): /label_noise/true_labels do not match /evaluation/labels on the recorded training rows: the run file is damaged; retrain it")
        }
        let changed = Array(noise.changed.prefix(samples))
        return (LabelNoiseGroup.Record(noisy: Array(noise.noisy.prefix(samples)), original: original, changed: changed, fraction: noise.fraction, seed: noise.seed), noise)
    }

    /// The curves whose rows exist, each checked to be estimable (more rows than neighbours, and
    /// labels the estimator can use).
    static func measurable(_ header: MemorisationFile.Header, path: String) throws -> [MemorisationFile.Curve] {
        let k = header.settings.k
        return try MemorisationFile.Curve.allCases.filter { curve in
            let rows = header.rows(curve)
            guard !rows.isEmpty else { return false }
            let which = curve.noisyRows ? "noisy" : "clean"
            guard rows.count > k else {
                throw InfoPlaneError("\(path) has \(rows.count) \(which) training rows, but k = \(k) needs more: record more training samples (dataset.evaluation_size) or lower --k")
            }
            try EvaluationTargets.labels(header.labels(curve)).checkEstimable(
                by: header.settings.labelEstimator, what: "the \(which) training rows of \(path)", fix: "record more training samples (dataset.evaluation_size)")
            return true
        }
    }
}
