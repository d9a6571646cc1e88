import Config
import Estimators
import Files
import Foundation
import Support

/// The full-layer information plane of the classic studies, measured on an existing run file:
/// I(X;T) and I(T;Y) of every hidden layer at every snapshot, by equal-width binning
/// (Shwartz-Ziv & Tishby 2017) or by the pairwise-distance KDE upper bound (Saxe et al. 2018).
///
/// The output has `plane.h5`'s schema, so every reader of plane files reads it: `sxt` is I(X;T),
/// `sty` is I(T;Y), each `*_values` has one column (there are no slices) and every `*_se` is NaN
/// (one deterministic value, no average over projections). Root attribute `estimator` is
/// `binning` or `kde`, `units` is `nats`.
public enum ClassicPlane {
    /// Which full-layer estimator to use.
    public enum Method: Sendable, Equatable {
        /// `bins` equal-width bins per unit over the layer's range (see ``binningRange(activation:values:)``).
        case binning(bins: Int)
        /// Gaussian noise of variance σ² added to T (Kolchinsky & Tracey's upper bound).
        case kde(noiseVariance: Double)
        /// X and T each compressed to their top `components` principal components, then full
        /// KSG with `k` neighbours (Ross's mixed estimator against labels), jitter seeded by `seed`.
        case pca(components: Int, k: Int, seed: UInt64)

        /// `binning`, `kde` or `pca`: the `estimator` attribute and the default file name `plane-<name>.h5`.
        public var name: String {
            switch self {
            case .binning: "binning"
            case .kde: "kde"
            case .pca: "pca"
            }
        }
    }

    /// What `infoplane analyze --method binning|kde` was asked for.
    public struct Request: Sendable {
        /// The run file.
        public var runPath: String
        /// Which estimator, with its setting.
        public var method: Method
        /// The plane file; nil: `plane-<method>.h5` beside the run file.
        public var out: String?
        /// Hidden layers, each by name or number; nil for all.
        public var layers: [String]?
        /// Snapshot epochs; nil for all.
        public var epochs: [Int]?
        /// Replace existing outputs.
        public var force = false
        /// Print no progress.
        public var quiet = false

        /// A request for every layer and epoch of the run file at `runPath`.
        public init(runPath: String, method: Method) {
            self.runPath = runPath
            self.method = method
        }

        /// The plane file this request writes.
        public var planePath: String {
            out ?? RunDirectory.beside(runPath, "plane-\(method.name).h5")
        }
    }

    /// The binning range of a layer, following ibsgd: tanh units over their whole range [−1, 1];
    /// ReLU units over [0, the layer's largest activation over every analysed epoch]; activations
    /// of other or unknown kind over their own [min, max] over every analysed epoch. The range is
    /// fixed across epochs so that bins mean the same at every epoch.
    /// - Parameter activation: the run file's `activation` attribute (nil or anything else for
    ///   files of other tools).
    public static func binningRange(activation: String?, values: [[Float]]) -> ClosedRange<Double> {
        let kind = activation.flatMap(ExperimentConfig.ModelSection.Activation.init(rawValue:))
        if kind == .tanh { return -1...1 }
        var low = Double.infinity, high = -Double.infinity
        for epoch in values {
            for v in epoch {
                low = min(low, Double(v))
                high = max(high, Double(v))
            }
        }
        if kind == .relu { low = 0 }
        // A constant layer (dead ReLUs) still needs a non-empty range: everything falls in bin 0.
        return high > low ? low...high : low...(low + 1)
    }

    /// Measures the plane and writes it (and its CSV) atomically; returns the summary line.
    /// Everything is checked and computed before anything is written.
    public static func run(_ request: Request, log: ProgressLog) throws -> String {
        try check(request.method)
        let planePath = request.planePath, csvPath = PlaneFile.csvPath(for: planePath)
        try OutputTarget.check([planePath, csvPath], inputs: [request.runPath], force: request.force)
        let reader = try RunFileReader.open(request.runPath, command: "analyze")
        let evaluation = try reader.evaluation()
        // Binning and the KDE bound measure information about classes (Tishby's and Saxe's setting).
        guard let labels = evaluation.targets.classLabels else {
            throw InfoPlaneError("\(request.runPath) holds regression targets: --method \(request.method.name) needs class labels; analyse it with the default sliced KSG method")
        }
        let (epochs, layers) = try RunSelection.select(reader, samples: evaluation.samples, epochs: request.epochs, layers: request.layers)
        try RunSelection.validate(reader, epochs: epochs, layers: layers.map(\.layer))
        let compressedInputs = try PCAPlane.checkedInputs(request.method, evaluation: evaluation, layers: layers)
        log("analyze --method \(request.method.name): \(reader.path): \(layers.count) layers × \(epochs.count) snapshots, "
            + "n = \(evaluation.samples) → \(planePath)")
        var tables: [PlaneFile.LayerTable] = []
        var ranges: [(name: String, range: ClosedRange<Double>)] = []
        for (index, layer) in layers.enumerated() {
            let values = try epochs.map { try reader.activations(epoch: $0, layer: layer.layer) }
            var range: ClosedRange<Double> = 0...1  // the KDE bound needs none
            if case .binning = request.method {
                range = binningRange(activation: reader.activation, values: values)
                ranges.append((layer.name, range))
            }
            let (sxt, sty) = try compressedInputs.map {
                try PCAPlane.measure(request.method, layer: values, width: layer.width, inputs: $0, labels: labels)
            } ?? measure(request.method, layer: values, width: layer.width, range: range, evaluation: evaluation, labels: labels)
            let none = [Double](repeating: .nan, count: epochs.count)
            tables.append(PlaneFile.LayerTable(layer: layer.layer, name: layer.name, width: layer.width, epochs: epochs, columns: [
                PlaneFile.Column(name: PlaneQuantity.sxt.name, means: sxt, standardErrors: none, values: sxt, slices: 1),
                PlaneFile.Column(name: PlaneQuantity.sty.name, means: sty, standardErrors: none, values: sty, slices: 1),
            ]))
            log("analyze --method \(request.method.name): \(layer.name) done (\(index + 1)/\(layers.count))")
        }
        let estimator: PlaneFile.ClassicEstimator
        switch request.method {
        case .binning(let bins): estimator = .binning(bins: bins, activation: reader.activation, ranges: ranges)
        case .kde(let variance): estimator = .kde(noiseVariance: variance)
        case .pca(let components, let k, let seed): estimator = .pca(components: components, k: k, seed: seed)
        }
        var header = PlaneFile.ClassicHeader(run: request.runPath, estimator: estimator, samples: evaluation.samples, epochs: epochs,
                                             layers: layers.map(\.layer))
        header.converted = RunSelection.conversions(evaluation, layers: layers)
        try OutputDirectory.prepare(forFile: planePath)
        try PlaneFile.write(to: planePath, header: header, layers: tables)
        return "\(planePath): \(layers.count) layers × \(epochs.count) snapshots, \(request.method.name) (also \(csvPath))"
    }

    /// The method's settings are possible.
    private static func check(_ method: Method) throws {
        switch method {
        case .binning(let bins):
            guard bins >= 2 else { throw InfoPlaneError("--bins \(bins) is impossible: use at least 2 bins per unit (30 is Tishby's)") }
        case .kde(let variance):
            guard variance > 0, variance.isFinite else {
                throw InfoPlaneError("--noise-variance \(variance) is impossible: use a positive variance (0.1 is Saxe et al.'s)")
            }
        case .pca(let components, let k, _):
            guard components >= 1 else { throw InfoPlaneError("--components \(components) is impossible: keep at least 1 principal component") }
            guard k >= 1 else { throw InfoPlaneError("--k \(k) is impossible: use at least 1 neighbour (5 is usual)") }
        }
    }

    /// I(X;T) and I(T;Y) of one layer at each epoch (`layer[e]` is n × `width`).
    /// - Parameter range: the binning range (unused by the KDE bound).
    private static func measure(_ method: Method, layer: [[Float]], width: Int, range: ClosedRange<Double>,
                                evaluation: RunEvaluation, labels: [Int32]) throws -> (sxt: [Double], sty: [Double]) {
        let n = evaluation.samples
        var sxt: [Double] = [], sty: [Double] = []
        for t in layer {
            try t.withUnsafeBufferPointer { t in
                switch method {
                case .binning(let bins):
                    let estimator = BinningEstimator(bins: bins, range: range)
                    try evaluation.inputs.withUnsafeBufferPointer { x in
                        sxt.append(try estimator.mutualInformation(t: t, n: n, d: width, inputs: x, dx: evaluation.features))
                    }
                    sty.append(try estimator.mutualInformationWithLabels(t: t, n: n, d: width, labels: labels))
                case .kde(let variance):
                    let estimator = KDEUpperBound(noiseVariance: variance)
                    sxt.append(try estimator.mutualInformationWithInput(t: t, n: n, d: width))
                    sty.append(try estimator.mutualInformationWithLabels(t: t, n: n, d: width, labels: labels))
                case .pca:
                    preconditionFailure("the PCA plane is measured by PCAPlane.measure")
                }
            }
        }
        return (sxt, sty)
    }
}
