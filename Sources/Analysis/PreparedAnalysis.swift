import Config
import Estimators
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
    /// Analyse only this many evaluation samples (nil: all): the first ones, or a seeded subset.
    public var samples: Int?
    /// With `samples`: the seed of the subset (nil: the first `samples` rows).
    public var sampleSeed: UInt64?
    /// Threads per rank for the projection GEMMs (`--blas-threads`; the values do not depend on it).
    public var blasThreads = 1
    /// Continue existing outputs.
    public var resume = false
    /// Replace existing outputs.
    public var force = false
    /// Print no progress.
    public var quiet = false
    /// Pool each point over this many consecutive snapshots (``EpochPool``); nil: single epochs.
    /// Set by ``EpochPool/prepare(_:window:)``'s caller once `runPath` names the pooled file.
    public var poolEpochs: Int?

    /// A request with every setting from the run file.
    public init(runPath: String) { self.runPath = runPath }

    /// The plane file: `out`, else `plane.h5` beside the run file (`plane-pool<W>.h5` when pooling).
    public var planePath: String {
        out ?? RunDirectory.beside(runPath, poolEpochs.map { "plane-pool\($0).h5" } ?? "plane.h5")
    }
}

/// Rank 0's side of an analysis, decided before anything is computed: the plan (held by the
/// collector, which opened the outputs), where each snapshot-layer is read, and the evaluation
/// set every rank needs.
public struct PreparedAnalysis {
    /// The outputs, and the plan they are written under.
    public let collector: PlaneCollector
    /// The run file.
    public let reader: RunFileReader
    /// Where every rank reads its share of a snapshot-layer.
    public let source: LayerSource
    /// Evaluation inputs as stored, n × d float32 (the selected samples).
    public let inputs: [Float]
    /// Class labels or regression targets.
    public let targets: EvaluationTargets
    /// The memory the plan needs (checked against the node's).
    public let memory: AnalysisMemory
    /// Threads per rank for a batch's projections (`--blas-threads`).
    public var threads = 1

    /// The plan as decided (the collector's, before any cut).
    public var plan: AnalysisPlan { collector.plan }

    /// A worker for this analysis's items.
    public func makeWorker() -> SliceWorker {
        let worker = SliceWorker(settings: plan.settings, inputs: inputs, features: plan.features, targets: targets)
        worker.threads = threads
        return worker
    }

    /// `infoplane analyze`: the run file's settings with the request's overrides, its selected
    /// snapshots, layers and samples, checked against `ranks` and nodes of `ranksOnNode` ranks.
    public static func analyze(_ request: AnalyzeRequest, ranks: Int, ranksOnNode: Int) throws -> PreparedAnalysis {
        let reader = try RunFileReader.open(request.runPath, command: "analyze")
        let settings = try RunSelection.settings(of: reader) { request.selection.settings.applied(to: $0) }
        // Shapes first: the memory check comes before anything large is read.
        let (recorded, features) = try reader.inputShape()
        let rows = try RunSelection.rows(samples: request.samples, seed: request.sampleSeed, of: recorded)
        guard settings.k < rows.count else {
            throw InfoPlaneError("k = \(settings.k) needs more samples than neighbours, but the analysis has \(rows.count): lower --k")
        }
        let (epochs, layers, projected) = try RunSelection.select(reader, samples: recorded, epochs: request.selection.epochs,
                                                                  layers: request.selection.layers, projections: true)
        try RunSelection.check(projected, settings: settings, path: reader.path)
        var plan = AnalysisPlan(settings: settings, epochs: epochs, layers: layers.map(\.layer), widths: layers.map(\.width),
                                samples: rows.count, features: features,
                                source: AnalysisPlan.sourceDigest(configText: reader.configText, dataset: reader.datasetChecksum),
                                layerNames: layers.map(\.name))
        if case .subset = rows { plan.sampleSeed = request.sampleSeed }
        plan.poolEpochs = request.poolEpochs
        plan.projectedLayers = projected.keys.sorted()
        let memory = try checkMemory(plan, ranks: ranks, ranksOnNode: ranksOnNode)
        let evaluation = try reader.evaluation().selecting(rows)
        try evaluation.targets.checkEstimable(by: settings.labelEstimator, what: "\(reader.path): /evaluation/labels",
                                              fix: "check the labels")
        plan.targetWidth = evaluation.targets.width
        plan.converted = RunSelection.conversions(evaluation, layers: layers)
        try RunSelection.validate(reader, epochs: epochs, layers: layers.filter { projected[$0.layer] == nil }, samples: recorded)
        let collector = try PlaneCollector(plan: plan, planePath: request.planePath,
                                           runPath: request.runPath, resume: request.resume, force: request.force)
        var prepared = PreparedAnalysis(collector: collector, reader: reader, source: try LayerSource(reader: reader, epochs: epochs, rows: rows, layers: layers),
                                        inputs: evaluation.inputs, targets: evaluation.targets, memory: memory)
        prepared.threads = request.blasThreads
        return prepared
    }

    /// `infoplane run`, once training has written the run file's header: every hidden layer at
    /// every snapshot epoch `epochs` (schedule order) under the config's settings.
    /// - Parameters:
    ///   - widths: the hidden widths.
    ///   - inputs: the evaluation inputs, n × `features` float32.
    ///   - extending: when a resume trains the run further: the config text the run file was made
    ///     with and the one it continues under (the file stores it from the next epoch on); an
    ///     analysis of the shorter run continues as this plan's.
    ///   - projected: the snapshots store projections under these settings (`snapshots.store:
    ///     projections`), which every item reads instead of activations.
    public static func run(in directory: RunDirectory, settings: AnalysisSettings, epochs: [Int], widths: [Int], layerNames: [String]? = nil,
                           inputs: [Float], features: Int, targets: EvaluationTargets, resume: Bool, force: Bool, ranks: Int,
                           ranksOnNode: Int, extending: (stored: String, current: String)? = nil,
                           projected: Bool = false) throws -> PreparedAnalysis {
        let reader = try RunFileReader(path: directory.runFile)
        var plan = AnalysisPlan(settings: settings, epochs: epochs, layers: Array(1...widths.count), widths: widths,
                                samples: inputs.count / features, features: features,
                                source: AnalysisPlan.sourceDigest(configText: extending?.current ?? reader.configText, dataset: reader.datasetChecksum),
                                targetWidth: targets.width, layerNames: layerNames)
        if projected { plan.projectedLayers = plan.layers }
        switch targets {
        case .continuous(let y, _) where !y.contains(where: { $0 != y[0] }):
            throw InfoPlaneError("the evaluation targets are all equal: S1(T;Y) is 0 by definition; use a larger dataset.evaluation_size")
        case .labels(let labels) where Set(labels).count < 2:
            throw InfoPlaneError("the evaluation set holds a single class: S1(T;Y) is 0 by definition; use a larger dataset.evaluation_size")
        default: break
        }
        let memory = try checkMemory(plan, ranks: ranks, ranksOnNode: ranksOnNode, slicesFix: "lower analysis.slices", ranksRead: false)
        let collector = try PlaneCollector(plan: plan, planePath: directory.planeFile, runPath: directory.runFile, resume: resume, force: force,
                                           previousSource: extending.map { AnalysisPlan.sourceDigest(configText: $0.stored, dataset: reader.datasetChecksum) })
        // Snapshots of this run are named by the schema, so the groups are known before they exist.
        let source = LayerSource(runPath: directory.runFile, groups: epochs.map(RunFile.snapshotGroupName), rows: .first(plan.samples),
                                 names: LayerSource.names(keys: plan.layers, names: plan.layerNames))
        return PreparedAnalysis(collector: collector, reader: reader, source: source, inputs: inputs, targets: targets, memory: memory)
    }

    /// The plan's memory on nodes of `ranksOnNode` ranks, refused if this node cannot hold it.
    /// - Parameter slicesFix: how the user lowers m (`lower --slices`, `run`'s `lower analysis.slices`).
    private static func checkMemory(_ plan: AnalysisPlan, ranks: Int, ranksOnNode: Int, slicesFix: String = "lower --slices",
                                    ranksRead: Bool = true) throws -> AnalysisMemory {
        let memory = AnalysisMemory(plan: plan, ranksOnNode: ranksOnNode, slicesFix: slicesFix, ranksRead: ranksRead)
        try memory.check(plan, physical: MemoryEstimate.machineBytes, sharedFree: ranks > 1 ? AnalysisMemory.sharedFree() : .infinity)
        return memory
    }
}
