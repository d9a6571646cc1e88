import Estimators
import Config
import Files
import Foundation
import Support

/// `infoplane estimate`: the engine (MPI-free).
public enum Estimation {
    /// Validates the request against the file's arrays and runs it.
    public static func run(_ request: EstimationRequest) throws -> EstimationReport {
        var request = request
        // Options are checked before the file is opened; with labels possibly inferred, as they
        // would be checked for labels (the check is repeated if Y turns out continuous).
        var assumed = request
        assumed.discreteY = request.discreteY || request.infersLabels
        try validateOptions(assumed, method: assumed.resolvedMethod)
        let file = try ArrayFile(path: request.input)
        defer { try? file.close() }
        let notes = try inferLabels(&request, file)
        let method = request.resolvedMethod
        var x = try file.matrix(request.xName, role: "--x")
        var labels: [Int32] = []
        var y = SampleMatrix(rows: 0, columns: 0, values: [])
        if request.discreteY {
            labels = try file.labels(request.yName)
            guard labels.count == x.rows else {
                throw InfoPlaneError("--x '\(request.xName)' has \(x.rows) samples but --y '\(request.yName)' has \(labels.count): they must be the same samples")
            }
            guard Set(labels).count > 1 else {
                throw InfoPlaneError("--y '\(request.yName)' holds a single class: I(X;Y) is 0 by definition and cannot be estimated; check the labels")
            }
            if method == .ross {
                try EvaluationTargets.labels(labels).checkEstimable(by: .ross, what: "--y '\(request.yName)'", fix: "check the labels")
            }
        } else {
            y = try file.matrix(request.yName, role: "--y")
            guard y.rows == x.rows else {
                throw InfoPlaneError("--x '\(request.xName)' has \(x.rows) samples but --y '\(request.yName)' has \(y.rows): they must be the same samples")
            }
        }
        let n = x.rows
        guard n >= 2 else { throw InfoPlaneError("--x '\(request.xName)' has \(n) sample(s): at least 2 are needed") }
        if method != .binning && method != .kde && request.k >= n {
            throw InfoPlaneError("k = \(request.k) needs more samples than neighbours, but there are \(n): lower --k below \(n)")
        }
        if let rank = request.stiefel {
            let limit = request.discreteY ? x.columns : min(x.columns, y.columns)
            guard rank <= limit else {
                throw InfoPlaneError("--stiefel \(rank) exceeds the dimension of the data (\(limit)): choose a rank from 1 to \(limit)")
            }
        }

        (x, y) = try compressed(request, method: method, x: x, y: y, labels: labels)
        let estimate = try compute(request, method: method, x: x, y: y, labels: labels)
        var baseline: SlicedEstimate?
        let kind = request.kind
        if request.shuffleBaseline {
            baseline = try shuffleBaseline(request, method: method, kind: kind, x: x, y: y, labels: labels)
        }
        var report = EstimationReport(request: request, kind: kind, slices: kind == .full ? 0 : (request.slices ?? 1000),
                                      n: n, dx: x.columns, dy: request.discreteY ? 1 : y.columns,
                                      estimate: estimate, baseline: baseline)
        report.notes = notes
        return report
    }

    /// Integer Y without `--discrete-y` or `--continuous-y` becomes class labels (when the
    /// estimator allows): returns the note saying so, or checks the options for continuous Y.
    private static func inferLabels(_ request: inout EstimationRequest, _ file: ArrayFile) throws -> [String] {
        guard request.infersLabels else { return [] }
        guard file.holdsIntegerLabels(request.yName) else {
            try validateOptions(request, method: request.resolvedMethod)
            return []
        }
        request.discreteY = true
        return ["note: --y '\(request.yName)' holds integers, estimated as class labels with \(request.resolvedMethod.rawValue); "
                + "pass --continuous-y to estimate it as a continuous variable with ksg"]
    }

    /// With `--pca P`, each side projected onto its own top-P principal components (labels stay
    /// as they are); an unsliced WKL estimate checks that its weights exist in those dimensions.
    private static func compressed(_ request: EstimationRequest, method: EstimationRequest.Method, x: SampleMatrix, y: SampleMatrix,
                                   labels: [Int32]) throws -> (SampleMatrix, SampleMatrix) {
        var (x, y) = (x, y)
        if let p = request.pca {
            // Each side onto its own top-P components; labels stay as they are.
            let widest = request.discreteY ? x.columns : min(x.columns, y.columns)
            guard p <= widest else {
                throw InfoPlaneError("--pca \(p) exceeds the width of the data (\(widest) columns): choose 1 to \(widest) components")
            }
            x = try PrincipalComponents.compress(x, components: p, name: "--x '\(request.xName)'")
            if !request.discreteY { y = try PrincipalComponents.compress(y, components: p, name: "--y '\(request.yName)'") }
        }
        if method == .wkl && request.kind == .full {
            try x.values.withUnsafeBufferPointer { px in
                if request.discreteY {
                    try labels.withUnsafeBufferPointer {
                        try WeightedKozachenkoLeonenko.validate(x: px, dx: x.columns, labels: $0, k: request.k, xName: "--x", labelName: "--y")
                    }
                } else {
                    try y.values.withUnsafeBufferPointer {
                        try WeightedKozachenkoLeonenko.validate(x: px, dx: x.columns, y: $0, dy: y.columns, k: request.k, xName: "--x", yName: "--y")
                    }
                }
            }
        }
        return (x, y)
    }

    private static func validateOptions(_ request: EstimationRequest, method: EstimationRequest.Method) throws {
        guard request.k >= 1 else { throw InfoPlaneError("--k \(request.k) is impossible: use at least 1 neighbour (5 is usual)") }
        if let m = request.slices, !AnalysisSettings.slicesRange.contains(m) {
            throw InfoPlaneError("--slices \(m) is impossible: use at least 1 slice and at most \(AnalysisSettings.slicesRange.upperBound) (1000 is usual)")
        }
        guard request.threads >= 1 else { throw InfoPlaneError("--threads \(request.threads) is impossible: use at least 1") }
        if request.slices != nil && request.full { throw InfoPlaneError("--slices and --full contradict each other: choose one") }
        if request.discreteY && request.continuousY { throw InfoPlaneError("--discrete-y and --continuous-y contradict each other: choose one") }
        if let rank = request.stiefel, rank < 1 { throw InfoPlaneError("--stiefel \(rank) is impossible: the rank must be at least 1") }
        if let p = request.pca {
            guard p >= 1 else { throw InfoPlaneError("--pca \(p) is impossible: keep at least 1 principal component") }
            if request.slices != nil || request.stiefel != nil || request.full {
                throw InfoPlaneError("--pca estimates unsliced in the compressed dimensions: drop --slices/--stiefel/--full")
            }
            if method == .binning || method == .kde {
                throw InfoPlaneError("--pca compresses for KSG, Ross, micd or WKL, not --estimator \(method.rawValue): drop one of them")
            }
        }
        if request.stiefel != nil && request.full { throw InfoPlaneError("--stiefel and --full contradict each other: choose one") }
        guard (0...1).contains(request.jitter) else { throw InfoPlaneError("--jitter \(request.jitter) is impossible: use 0 (off) or a small positive number such as 1e-10 (at most 1, as in configs)") }
        switch method {
        case .wkl:
            if request.stiefel != nil { throw InfoPlaneError("--estimator wkl estimates 1-D slices or the full arrays: drop --stiefel") }
        case .ksg where request.discreteY:
            throw InfoPlaneError("--estimator ksg is for continuous Y; with --discrete-y use --estimator ross or micd")
        case .ross, .micd:
            guard request.discreteY else { throw InfoPlaneError("--estimator \(method.rawValue) needs discrete labels: add --discrete-y") }
        case .binning, .kde:
            if request.slices != nil || request.stiefel != nil {
                throw InfoPlaneError("--estimator \(method.rawValue) is applied to the whole array, not to slices: drop --slices/--stiefel")
            }
            if method == .binning && request.bins < 1 { throw InfoPlaneError("--bins \(request.bins) is impossible: use at least 1 (30 is usual)") }
            if method == .kde && !(request.noiseVariance > 0) { throw InfoPlaneError("--noise-variance must be positive (0.1 is usual)") }
        default: break
        }
    }

    /// The estimate on shuffled pairings. As in the plane, slice j re-pairs the samples by its
    /// own permutation (``SlicedMutualInformation/baselinePermutation(seed:slice:samples:)``), so
    /// the baseline's standard error includes the spread over permutations; a whole-array
    /// estimate is one "slice", 0.
    private static func shuffleBaseline(_ request: EstimationRequest, method: EstimationRequest.Method, kind: EstimationReport.Kind,
                                        x: SampleMatrix, y: SampleMatrix, labels: [Int32]) throws -> SlicedEstimate {
        let n = x.rows
        func permutation(_ slice: Int) -> [Int] { SlicedMutualInformation.baselinePermutation(seed: request.seed, slice: slice, samples: n) }
        func repaired(_ slice: Int) -> (y: SampleMatrix, labels: [Int32]) {
            let p = permutation(slice)
            return request.discreteY ? (y, p.map { labels[$0] }) : (y.permutingRows(p), [])
        }
        switch kind {
        case .full:
            let (shuffledY, shuffledLabels) = repaired(0)
            return try compute(request, method: method, x: x, y: shuffledY, labels: shuffledLabels)
        case .stiefel:
            return SlicedEstimate(values: try (0..<(request.slices ?? 1000)).flatMap { j -> [Double] in
                let (shuffledY, shuffledLabels) = repaired(j)
                return try compute(request, method: method, x: x, y: shuffledY, labels: shuffledLabels, slices: j..<(j + 1)).values
            })
        case .sliced:
            // Block by block, as the pipeline: the projected slices are re-paired, not the data.
            let preparation = SlicePreparation(standardize: request.standardize, jitter: request.jitter, seed: request.seed)
            let sliced = SlicedMutualInformation(k: request.k, seed: request.seed, preparation: preparation)
            let workspace = KSGWorkspace()
            let m = request.slices ?? 1000
            var values: [Double] = []
            for start in stride(from: 0, to: m, by: SlicedMutualInformation.blockSize) {
                let block = start..<min(start + SlicedMutualInformation.blockSize, m)
                let discrete: DiscreteEstimator = method == .micd ? .entropyDifference : .ross
                if request.discreteY {
                    let t = sliced.preparedLayer(x, layer: 0, slices: block).permutingSamples(block.map(permutation))
                    values += labels.withUnsafeBufferPointer {
                        method == .wkl ? sliced.weightedKLLabelInformation(t, labels: $0, workspace: workspace)
                            : sliced.labelInformation(t, labels: $0, estimator: discrete, workspace: workspace)
                    }
                } else {
                    let t = sliced.preparedLayer(y, layer: 0, slices: block).permutingSamples(block.map(permutation))
                    let inputs = sliced.preparedInputs(x, slices: block)
                    values += method == .wkl ? sliced.weightedKLInputInformation(inputs, t, workspace: workspace)
                        : sliced.inputInformation(inputs, t, workspace: workspace)
                }
            }
            return SlicedEstimate(values: values)
        }
    }

    /// - Parameter only: these slices instead of all of them (the baseline's one at a time).
    private static func compute(_ request: EstimationRequest, method: EstimationRequest.Method,
                                x: SampleMatrix, y: SampleMatrix, labels: [Int32], slices only: Range<Int>? = nil) throws -> SlicedEstimate {
        let preparation = SlicePreparation(standardize: request.standardize, jitter: request.jitter, seed: request.seed)
        let sliced = SlicedMutualInformation(k: request.k, seed: request.seed, preparation: preparation, threads: request.threads)
        let slices = only ?? 0..<(request.slices ?? 1000)
        let discrete: DiscreteEstimator = method == .micd ? .entropyDifference : .ross
        switch method {
        case .binning:
            // With continuous Y, Y is the layer T and X its input: I(X;T) = H(T) − H(T|X).
            let binning = BinningEstimator(bins: request.bins)
            return SlicedEstimate(values: [try x.values.withUnsafeBufferPointer { px in
                if request.discreteY {
                    return try binning.mutualInformationWithLabels(t: px, n: x.rows, d: x.columns, labels: labels)
                }
                return try y.values.withUnsafeBufferPointer { py in
                    try binning.mutualInformation(t: py, n: y.rows, d: y.columns, inputs: px, dx: x.columns)
                }
            }])
        case .kde:
            // With continuous Y, Y is the layer T: the bound H_upper(T) − H(T|X).
            let kde = KDEUpperBound(noiseVariance: request.noiseVariance)
            if request.discreteY {
                return SlicedEstimate(values: [try x.values.withUnsafeBufferPointer {
                    try kde.mutualInformationWithLabels(t: $0, n: x.rows, d: x.columns, labels: labels)
                }])
            }
            return SlicedEstimate(values: [try y.values.withUnsafeBufferPointer {
                try kde.mutualInformationWithInput(t: $0, n: y.rows, d: y.columns)
            }])
        case .wkl:
            if request.kind == .full {
                return SlicedEstimate(values: [request.discreteY
                    ? sliced.fullWeightedKLLabelInformation(t: x, labels: labels)
                    : sliced.fullWeightedKLInformation(x: x, y: y)])
            }
            return SlicedEstimate(values: request.discreteY
                ? sliced.weightedKLLabelInformation(t: x, labels: labels, layer: 0, slices: slices)
                : sliced.weightedKLInputInformation(x: x, t: y, layer: 0, slices: slices))
        case .ksg, .ross, .micd:
            if request.kind == .full {
                return SlicedEstimate(values: [request.discreteY
                    ? sliced.fullLabelInformation(t: x, labels: labels, estimator: discrete)
                    : sliced.fullInformation(x: x, y: y)])
            }
            if let rank = request.stiefel {
                return SlicedEstimate(values: request.discreteY
                    ? sliced.stiefelLabelInformation(t: x, labels: labels, rank: rank, layer: 0, slices: slices, estimator: discrete)
                    : sliced.stiefelInformation(x: x, t: y, rank: rank, layer: 0, slices: slices))
            }
            return SlicedEstimate(values: request.discreteY
                ? sliced.labelInformation(t: x, labels: labels, layer: 0, slices: slices, estimator: discrete)
                : sliced.inputInformation(x: x, t: y, layer: 0, slices: slices))
        }
    }
}
