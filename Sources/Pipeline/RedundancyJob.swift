import Cluster
import Config
import Estimators
import Experiment
import Files
import Foundation
import Storage
import Support

/// What `infoplane redundancy` was asked for; nil fields take the settings file, then the run's
/// config (its analysis section), then the defaults (m = 1000, k = 5, ross, seed 0).
public struct RedundancyRequest: Sendable {
    public var runPath: String
    /// nil: `redundancy.h5` beside the run file.
    public var out: String?
    public var config: RedundancyConfig?
    public var slices: Int?
    public var k: Int?
    public var seed: UInt64?
    public var labelEstimator: LabelEstimator?
    public var layers: [Int]?
    public var epochs: [Int]?
    public var force = false
    public var quiet = false
    /// Threads per rank; nil: the cores shared among the ranks.
    public var threads: Int?

    public init(runPath: String) { self.runPath = runPath }
}

/// The checked job every rank follows: which (epoch, layer) items exist and where results go.
public struct RedundancyPlan: Codable, Sendable {
    /// The run file read, and the redundancy file written.
    public var runPath: String
    public var outPath: String
    /// Slices, k, label estimator, seed and jitter.
    public var settings: AnalysisSettings
    /// Snapshot epochs and hidden layers measured (ascending), and the layers' widths.
    public var epochs: [Int]
    public var layers: [Int]
    public var widths: [Int]
    /// Evaluation samples n.
    public var samples: Int
    /// H(Y) of the evaluation labels (plug-in, nats): no I(T;Y) can exceed it, so a unit sum
    /// above it proves the units repeat label information.
    public var labelEntropy: Double

    /// What redundancy.h5 records of the plan.
    public var header: RedundancyFile.Header {
        RedundancyFile.Header(runPath: runPath, settings: settings, epochs: epochs, layers: layers, widths: widths, samples: samples,
                              labelEntropy: labelEntropy)
    }

    /// Items in (epoch, layer) order; item i is epoch index i / L, layer index i % L.
    public var itemCount: Int { epochs.count * layers.count }
    /// How many values item `item` reports (its layer's unit values and three slice sets).
    public func values(ofItem item: Int) -> Int {
        LabelRedundancy.valueCount(width: widths[item % layers.count], slices: settings.slices)
    }
}

/// `infoplane redundancy`: rank 0 checks the request and broadcasts the plan (or the error that
/// stops everyone); every rank reads the run file and computes items i ≡ rank (mod P); rank 0
/// gathers the values, writes the outputs and returns the summary. Each item's values depend
/// only on the plan, so the files are bit-identical for any P and any thread count.
public enum RedundancyJob {
    struct Start: Codable {
        var plan: RedundancyPlan?
        var error: String?
    }

    /// Runs on every rank; returns rank 0's summary (nil elsewhere).
    public static func run(_ request: RedundancyRequest, comm: Communicator) throws -> String? {
        let log = ProgressLog(quiet: request.quiet || comm.rank != 0)
        var start = Start()
        if comm.rank == 0 {
            do { start.plan = try prepare(request) } catch { start.error = "\(error)" }
        }
        var bytes = comm.rank == 0 ? [UInt8](try JSONEncoder().encode(start)) : []
        try comm.broadcast(&bytes, root: 0)
        if comm.rank != 0 { start = try JSONDecoder().decode(Start.self, from: Data(bytes)) }
        guard let plan = start.plan else {
            if comm.rank == 0 { PipelineJob.report(InfoPlaneError(start.error ?? "no plan")) }
            throw ReportedFailure()
        }

        let threads = request.threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / comm.size)
        let mine = Array(stride(from: comm.rank, to: plan.itemCount, by: comm.size))
        log("redundancy: \(plan.runPath): \(plan.layers.count) layers × \(plan.epochs.count) snapshots, \(plan.settings.slices) slices "
            + "(k = \(plan.settings.k), seed \(plan.settings.seed)) on \(comm.size) rank(s) → \(plan.outPath)")
        var values: [Double] = []
        var failure: Error?
        do {
            values = try compute(mine, plan: plan, threads: threads, log: log)
        } catch {
            // Still join the gather (with nothing) so no rank waits forever.
            failure = error
            if comm.rank != 0 { FileHandle.standardError.write(Data("Error: rank \(comm.rank): \(error)\n".utf8)) }
        }
        let gathered = try comm.gather(values, root: 0)
        guard comm.rank == 0, let gathered else { if failure != nil { throw ReportedFailure() } else { return nil } }
        if let failure {
            PipelineJob.report(failure)
            throw ReportedFailure()
        }
        var results = [[LabelRedundancy?]](repeating: [LabelRedundancy?](repeating: nil, count: plan.layers.count), count: plan.epochs.count)
        for (rank, received) in gathered.enumerated() {
            let items = Array(stride(from: rank, to: plan.itemCount, by: comm.size))
            guard received.count == items.reduce(0, { $0 + plan.values(ofItem: $1) }) else {
                PipelineJob.report(InfoPlaneError("rank \(rank) failed (its error is above); nothing was written"))
                throw ReportedFailure()
            }
            var offset = 0
            for item in items {
                let count = plan.values(ofItem: item)
                results[item / plan.layers.count][item % plan.layers.count] = LabelRedundancy(
                    flattened: Array(received[offset..<(offset + count)]), width: plan.widths[item % plan.layers.count],
                    slices: plan.settings.slices)
                offset += count
            }
        }
        let complete = results.map { $0.map { $0! } }
        do {
            try RedundancyFile.write(complete, header: plan.header, to: plan.outPath, overwrite: request.force)
        } catch {
            PipelineJob.report(error)
            throw ReportedFailure()
        }
        return summary(complete, plan: plan)
    }

    /// The values of `items`, concatenated in order.
    static func compute(_ items: [Int], plan: RedundancyPlan, threads: Int, log: ProgressLog) throws -> [Double] {
        let source = try RunFileReader(path: plan.runPath)
        guard let labels = try source.evaluation().targets.classLabels else { throw regressionRefused(plan.runPath) }
        let s = plan.settings
        var estimator = s.estimator
        estimator.threads = threads
        var values: [Double] = []
        let clock = ContinuousClock.now
        for (done, item) in items.enumerated() {
            let e = item / plan.layers.count, l = item % plan.layers.count
            let activations = try source.activations(epoch: plan.epochs[e], layer: plan.layers[l])
            let t = SampleMatrix(rows: plan.samples, columns: plan.widths[l], values: activations.map(Double.init))
            values += LabelRedundancy.estimate(t: t, labels: labels, layer: plan.layers[l], slices: s.slices,
                                               estimator: estimator, discrete: s.discreteEstimator).flattened
            let seconds = Double((ContinuousClock.now - clock).components.seconds)
            log("redundancy: layer \(plan.layers[l]) epoch \(plan.epochs[e]) done (\(done + 1)/\(items.count) on this rank, \(Int(seconds)) s)")
        }
        return values
    }

    /// Rank 0's checks, before any computing: files, settings, layers and epochs.
    static func prepare(_ request: RedundancyRequest) throws -> RedundancyPlan {
        let source = try PipelineJob.openRun(request.runPath, command: "redundancy")
        let outPath = request.out ?? RunDirectory.beside(request.runPath, "redundancy.h5")
        let directory = (outPath as NSString).deletingLastPathComponent.isEmpty ? "." : (outPath as NSString).deletingLastPathComponent
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw InfoPlaneError("cannot write \(outPath): \(directory) is not a writable directory; create it or choose another --out")
        }
        for path in [outPath, RedundancyFile.csvPath(for: outPath)] where !request.force && FileManager.default.fileExists(atPath: path) {
            throw InfoPlaneError("\(path) already exists: pass --force to replace it, or --out to write elsewhere")
        }
        let section = try PipelineJob.settings(of: source) { section in
            if let config = request.config { section = config.applied(to: section) }
            if let v = request.slices { section.slices = v }
            if let v = request.k { section.k = v }
            if let v = request.seed { section.seed = v }
            if let v = request.labelEstimator { section.labelEstimator = v }
        }
        let evaluation = try source.evaluation()
        guard let labels = evaluation.targets.classLabels else { throw regressionRefused(request.runPath) }
        guard section.k < evaluation.samples else {
            throw InfoPlaneError("k = \(section.k) needs more samples than neighbours, but the run has \(evaluation.samples): lower --k")
        }
        let (epochs, layers) = try PipelineJob.select(source, samples: evaluation.samples, epochs: request.epochs, layers: request.layers)
        if let narrow = layers.first(where: { $0.width < 2 }) {
            throw InfoPlaneError("layer_\(narrow.layer) has \(narrow.width) unit: it cannot be split into two halves; leave it out with --layers")
        }
        return RedundancyPlan(runPath: request.runPath, outPath: outPath, settings: section, epochs: epochs,
                              layers: layers.map(\.layer), widths: layers.map(\.width), samples: evaluation.samples,
                              labelEntropy: entropy(of: labels))
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

    /// A table on standard output: each layer at its first and last snapshot, then the files.
    static func summary(_ results: [[LabelRedundancy]], plan: RedundancyPlan) -> String {
        var lines = ["layer  width  epoch   ΣI(Ti;Y)   S1(T;Y)   ratio   S1(TA;Y)  S1(TB;Y)  Rmin/S1   [nats]"]
        for (l, layer) in plan.layers.enumerated() {
            for e in Set([0, plan.epochs.count - 1]).sorted() {
                let r = results[e][l]
                lines.append(String(format: "%5d  %5d  %5d  %9.4f  %8.4f  %6.2f  %8.4f  %8.4f  %7.3f", layer, plan.widths[l], plan.epochs[e],
                                    r.unitSum, r.joint.mean, r.ratio, r.halfA.mean, r.halfB.mean, r.minimumRatio))
            }
        }
        lines.append(String(format: "H(Y) = %.4f nats bounds I(T;Y); a unit sum above it proves redundancy.", plan.labelEntropy))
        lines.append("\(plan.outPath): \(plan.layers.count) layers × \(plan.epochs.count) snapshots, \(plan.settings.slices) slices (also \(RedundancyFile.csvPath(for: plan.outPath)))")
        return lines.joined(separator: "\n")
    }
}
