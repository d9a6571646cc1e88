import Estimators
import Foundation

/// `infoplane estimate`: mutual information between two arrays of any HDF5 file, so a PyTorch
/// or numpy user can bring their own activations.
public struct EstimationRequest: Sendable {
    /// The estimator family.
    public enum Method: String, Sendable, CaseIterable {
        /// KSG between two continuous variables.
        case ksg
        /// Ross's mixed KSG for discrete Y.
        case ross
        /// Entropy difference (NPEET's micd) for discrete Y.
        case micd
        /// Equal-width binning of the whole arrays.
        case binning
        /// The KDE upper bound on the whole arrays.
        case kde
        /// Weighted Kozachenko–Leonenko entropies, H(X) + H(Y) − H(X,Y) (against labels: the
        /// entropy difference, which is `micd` in a 1-D slice).
        case wkl
    }

    /// The HDF5 file.
    public var input: String
    /// Dataset of X.
    public var xName: String
    /// Dataset of Y.
    public var yName: String
    /// Y holds class labels.
    public var discreteY = false
    /// Y is a continuous variable even when it holds integers (`--continuous-y`); without it
    /// and without `discreteY`, integer Y is read as class labels when the estimator allows.
    public var continuousY = false
    /// nil: `ross` for discrete Y, `ksg` otherwise.
    public var method: Method?
    /// KSG neighbours.
    public var k = 5
    /// Number of slices; nil with `full` false means 1000.
    public var slices: Int?
    /// Unsliced mutual information in the full dimensions.
    public var full = false
    /// Rank of Stiefel projections (k-SMI); nil for 1-D slices.
    public var stiefel: Int?
    /// Compress each side to its top-P principal components, then estimate unsliced; nil: no PCA.
    public var pca: Int?
    /// Seed of projections, jitter and shuffles.
    public var seed: UInt64 = 0
    /// Standardise projected variables.
    public var standardize = true
    /// Jitter in standard deviations (0 disables).
    public var jitter = 1e-10
    /// Also estimate on shuffled pairings.
    public var shuffleBaseline = false
    /// Bins per unit (`binning`).
    public var bins = 30
    /// Noise variance (`kde`).
    public var noiseVariance = 0.1
    /// Worker threads (results do not depend on it).
    public var threads = 1

    /// A request with the defaults for X and Y named so.
    public init(input: String, xName: String, yName: String) {
        self.input = input
        self.xName = xName
        self.yName = yName
    }

    /// Whether integer Y would be read as class labels: neither `--discrete-y` nor
    /// `--continuous-y` was given, and the estimator (if named) is a label estimator.
    public var infersLabels: Bool {
        !discreteY && !continuousY && (method == nil || method == .ross || method == .micd)
    }

    /// The estimator used: the one asked for, else Ross for discrete Y and KSG otherwise.
    public var resolvedMethod: Method { method ?? (discreteY ? .ross : .ksg) }

    /// What is estimated: unsliced for binning, KDE, `--full` and `--pca`; Stiefel frames with `--stiefel`.
    public var kind: EstimationReport.Kind {
        resolvedMethod == .binning || resolvedMethod == .kde || full || pca != nil ? .full : (stiefel != nil ? .stiefel : .sliced)
    }
}

/// The result of an estimate, with everything needed to reproduce it.
public struct EstimationReport: Sendable {
    /// What was estimated.
    public enum Kind: String, Sendable {
        /// S1 over 1-D slices.
        case sliced
        /// k-SMI over Stiefel frames.
        case stiefel
        /// Unsliced I(X;Y).
        case full
    }

    /// The request, as run.
    public var request: EstimationRequest
    /// `sliced`, `stiefel` or `full`.
    public var kind: Kind
    /// Slices averaged (0 for `full`).
    public var slices: Int
    /// Samples.
    public var n: Int
    /// Dimensions of X and of Y (1 for labels).
    public var dx: Int
    /// Dimensions of Y (1 for labels).
    public var dy: Int
    /// The estimate: mean, standard error, per-slice values.
    public var estimate: SlicedEstimate
    /// The estimate on shuffled pairings, when asked for.
    public var baseline: SlicedEstimate?
    /// Lines for stderr: what was decided for the user (integer Y read as class labels).
    public var notes: [String] = []

    /// One JSON object (values in nats, or bits with `bits`).
    public func json(includeValues: Bool, bits: Bool) -> String {
        let scale = bits ? 1 / Foundation.log(2.0) : 1
        func number(_ x: Double) -> String { x.isFinite ? "\(x * scale)" : "null" }
        func estimateFields(_ e: SlicedEstimate) -> String {
            // One value (unsliced: --full, binning, KDE) has no standard error.
            var fields = "\"mean\": \(number(e.mean)), \"stderr\": \(e.values.count > 1 ? number(e.standardError) : "null")"
            if includeValues { fields += ", \"values\": [\(e.values.map(number).joined(separator: ", "))]" }
            return fields
        }
        var text = "{\"estimator\": \"\(request.resolvedMethod.rawValue)\", \"kind\": \"\(kind)\", \"k\": \(request.k), "
            + "\"slices\": \(slices), \"n\": \(n), \"dx\": \(dx), \"dy\": \(dy), \"discrete_y\": \(request.discreteY), "
            + "\"standardize\": \(request.standardize), \"jitter\": \(request.jitter), \"seed\": \(request.seed), "
            + (request.pca.map { "\"pca\": \($0), " } ?? "")
            + "\"units\": \"\(bits ? "bits" : "nats")\", " + estimateFields(estimate)
        if let baseline { text += ", \"shuffle_baseline\": {" + estimateFields(baseline) + "}" }
        return text + "}"
    }

    /// A readable summary line (and the baseline's), and with `includeValues` the per-slice values.
    public func text(bits: Bool, includeValues: Bool = false) -> [String] {
        let scale = bits ? 1 / Foundation.log(2.0) : 1
        let units = bits ? "bits" : "nats"
        let what: String
        switch kind {
        case .full: what = "I(X;Y)"
        case .stiefel: what = "S\(request.stiefel ?? 0)(X;Y)"
        case .sliced: what = "S1(X;Y)"
        }
        let parameter: String
        switch request.resolvedMethod {
        case .binning: parameter = "\(request.bins) bins"
        case .kde: parameter = "noise variance \(request.noiseVariance)"
        default: parameter = "k=\(request.k)"
        }
        let unsliced = request.pca.map { "unsliced on the top \($0) principal components of each side" } ?? "unsliced"
        let settings = "\(request.resolvedMethod.rawValue), \(parameter), \(kind == .full ? unsliced : "\(slices) slices"), n=\(n)"
        // One value (unsliced) has no standard error: no ± is printed then.
        func value(_ e: SlicedEstimate) -> String {
            e.values.count > 1 ? String(format: "%.6f ± %.6f", e.mean * scale, e.standardError * scale) : String(format: "%.6f", e.mean * scale)
        }
        var lines = ["\(what) = \(value(estimate)) \(units) (\(settings))"]
        if let baseline {
            lines.append("shuffle baseline = \(value(baseline)) \(units) (the estimate on independent data)")
        }
        if includeValues {
            lines.append("values: " + estimate.values.map { String(format: "%.6g", $0 * scale) }.joined(separator: " "))
        }
        return lines
    }
}

