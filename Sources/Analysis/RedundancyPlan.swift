import Config
import Estimators
import Files
import Foundation
import Support

/// The checked job every rank follows: which (epoch, layer) items exist and where results go.
/// What it measures is what redundancy.h5 records (``RedundancyFile/Header``: the run file,
/// settings, epochs, layers, widths, samples, H(Y)), readable as the plan's own properties.
@dynamicMemberLookup
public struct RedundancyPlan: Codable, Sendable {
    /// What is measured, as the file records it.
    public var header: RedundancyFile.Header
    /// The redundancy file written.
    public var outPath: String

    /// `plan.epochs` for `plan.header.epochs`, and so on.
    public subscript<Value>(dynamicMember keyPath: KeyPath<RedundancyFile.Header, Value>) -> Value { header[keyPath: keyPath] }

    /// Items in (epoch, layer) order; item i is epoch index i / L, layer index i % L.
    public var itemCount: Int { header.epochs.count * header.layers.count }

    /// How many values item `item` reports (its layer's unit values and three slice sets).
    public func values(ofItem item: Int) -> Int {
        LabelRedundancy.valueCount(width: header.widths[item % header.layers.count], slices: header.settings.slices)
    }

    /// Rank 0's checks, before any computing: files, settings, layers and epochs.
    public static func prepare(_ request: RedundancyRequest) throws -> RedundancyPlan {
        let (reader, outPath, settings) = try request.opened(command: "redundancy", file: "redundancy.h5", csvPath: RedundancyFile.csvPath(for:))
        let evaluation = try reader.evaluation()
        guard let labels = evaluation.targets.classLabels else { throw regressionRefused(request.runPath) }
        guard settings.k < evaluation.samples else {
            throw InfoPlaneError("k = \(settings.k) needs more samples than neighbours, but the run has \(evaluation.samples): lower --k")
        }
        let (epochs, layers) = try RunSelection.select(reader, samples: evaluation.samples, epochs: request.selection.epochs,
                                                       layers: request.selection.layers)
        if let narrow = layers.first(where: { $0.width < 2 }) {
            throw InfoPlaneError("\(narrow.name) has \(narrow.width) unit: it cannot be split into two halves; leave it out with --layers")
        }
        try evaluation.targets.checkEstimable(by: settings.labelEstimator, what: "\(reader.path): /evaluation/labels", fix: "check the labels")
        try RunSelection.validate(reader, epochs: epochs, layers: layers.map(\.layer))
        let header = RedundancyFile.Header(runPath: request.runPath, settings: settings, epochs: epochs, layers: layers.map(\.layer),
                                           widths: layers.map(\.width), samples: evaluation.samples, labelEntropy: entropy(of: labels))
        try OutputDirectory.prepare(forFile: outPath)
        return RedundancyPlan(header: header, outPath: outPath)
    }

    /// Redundancy is about class labels; a regression run has real targets instead.
    static func regressionRefused(_ path: String) -> InfoPlaneError {
        InfoPlaneError("\(path) holds regression targets (/evaluation/targets): redundancy measures information about class labels; give a classification run")
    }

    /// The plug-in entropy of a label sample, in nats.
    static func entropy(of labels: [Int32]) -> Double {
        var counts: [Int32: Int] = [:]
        for y in labels { counts[y, default: 0] += 1 }
        let n = Double(labels.count)
        return counts.keys.sorted().reduce(0.0) { sum, y in
            let p = Double(counts[y]!) / n
            return sum - p * Foundation.log(p)
        }
    }
}
