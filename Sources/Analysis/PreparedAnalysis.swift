import Config
import Files
import Foundation
import Support

/// What `infoplane analyze` was asked for.
public struct AnalyzeRequest: Sendable {
    /// The run file.
    public var runPath: String
    /// The plane file; nil: `plane.h5` beside the run file.
    public var out: String?
    /// Settings, layers and epochs the command line sets.
    public var selection = SliceSelection()
    /// Continue existing outputs.
    public var resume = false
    /// Replace existing outputs.
    public var force = false
    /// Print no progress.
    public var quiet = false

    /// A request with every setting from the run file.
    public init(runPath: String) { self.runPath = runPath }
}

/// Rank 0's side of an analysis, decided before anything is computed: the plan (held by the
/// collector, which opened the outputs), the activations to read, and the evaluation set every
/// rank needs.
public struct PreparedAnalysis {
    /// The outputs, and the plan they are written under.
    public let collector: PlaneCollector
    /// Where activations come from (the run file, or the trainer's hands).
    public let activations: ActivationCache
    /// Evaluation inputs as stored, n × d float32.
    public let inputs: [Float]
    /// Class labels or regression targets.
    public let targets: EvaluationTargets

    /// The plan as decided (the collector's, before any cut).
    public var plan: AnalysisPlan { collector.plan }

    /// A worker for this analysis's items.
    public func makeWorker() -> SliceWorker {
        SliceWorker(settings: plan.settings, inputs: inputs, features: plan.features, targets: targets)
    }

    /// `infoplane analyze`: the run file's settings with the request's overrides, its selected
    /// snapshots and layers, checked against `ranks`.
    public static func analyze(_ request: AnalyzeRequest, ranks: Int) throws -> PreparedAnalysis {
        let reader = try RunFileReader.open(request.runPath, command: "analyze")
        let settings = try RunSelection.settings(of: reader) { request.selection.settings.applied(to: $0) }
        // Shapes first: the memory check comes before anything large is read.
        let (samples, features) = try reader.inputShape()
        guard settings.k < samples else {
            throw InfoPlaneError("k = \(settings.k) needs more samples than neighbours, but the run has \(samples): lower --k")
        }
        let (epochs, layers) = try RunSelection.select(reader, samples: samples, epochs: request.selection.epochs,
                                                       layers: request.selection.layers)
        var plan = AnalysisPlan(settings: settings, epochs: epochs, layers: layers.map(\.layer), widths: layers.map(\.width),
                                samples: samples, features: features,
                                source: AnalysisPlan.sourceDigest(configText: reader.configText, dataset: reader.datasetChecksum),
                                layerNames: layers.map(\.name))
        try plan.memoryEstimate(slicesFix: "lower --slices").check()
        try plan.check(ranks: ranks)
        let evaluation = try reader.evaluation()
        try evaluation.targets.checkEstimable(by: settings.labelEstimator, what: "\(reader.path): /evaluation/labels",
                                              fix: "check the labels")
        plan.targetWidth = evaluation.targets.width
        plan.converted = RunSelection.conversions(evaluation, layers: layers)
        try RunSelection.validate(reader, epochs: epochs, layers: plan.layers)
        let collector = try PlaneCollector(plan: plan, planePath: request.out ?? RunDirectory.beside(request.runPath, "plane.h5"),
                                           runPath: request.runPath, resume: request.resume, force: request.force)
        return PreparedAnalysis(collector: collector, activations: ActivationCache(reader: reader), inputs: evaluation.inputs,
                                targets: evaluation.targets)
    }

    /// `infoplane run`, once training has written the run file's header: every hidden layer at
    /// every snapshot epoch `epochs` (schedule order) under the config's settings.
    /// - Parameters:
    ///   - widths: the hidden widths.
    ///   - inputs: the evaluation inputs, n × `features` float32.
    public static func run(in directory: RunDirectory, settings: AnalysisSettings, epochs: [Int], widths: [Int], layerNames: [String]? = nil,
                           inputs: [Float], features: Int, targets: EvaluationTargets, resume: Bool, force: Bool,
                           ranks: Int) throws -> PreparedAnalysis {
        let reader = try RunFileReader(path: directory.runFile)
        let plan = AnalysisPlan(settings: settings, epochs: epochs, layers: Array(1...widths.count), widths: widths,
                                samples: inputs.count / features, features: features,
                                source: AnalysisPlan.sourceDigest(configText: reader.configText, dataset: reader.datasetChecksum),
                                targetWidth: targets.width, layerNames: layerNames)
        try plan.check(ranks: ranks)
        switch targets {
        case .continuous(let y, _) where !y.contains(where: { $0 != y[0] }):
            throw InfoPlaneError("the evaluation targets are all equal: S1(T;Y) is 0 by definition; use a larger dataset.evaluation_size")
        case .labels(let labels) where Set(labels).count < 2:
            throw InfoPlaneError("the evaluation set holds a single class: S1(T;Y) is 0 by definition; use a larger dataset.evaluation_size")
        default: break
        }
        let collector = try PlaneCollector(plan: plan, planePath: directory.planeFile, runPath: directory.runFile, resume: resume, force: force)
        return PreparedAnalysis(collector: collector, activations: ActivationCache(reader: reader), inputs: inputs, targets: targets)
    }
}
