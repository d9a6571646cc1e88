import Analysis
import ArgumentParser
import Foundation
import Support

struct Estimate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Estimate (sliced) mutual information between two arrays of an HDF5 file.",
        discussion: """
            X is a 2-D float dataset (n × d; 1-D is n × 1, more dimensions are flattened). Y is a \
            1-D integer label dataset (an integer-typed Y is read as class labels, with a note on \
            stderr; --continuous-y overrides), or a float array like X. Default: S1(X;Y) \
            over 1000 slices with KSG (k = 5), or with the Ross mixed estimator for class labels. \
            Each projected variable is standardised and jittered (1e-10 standard deviations) to break \
            ties; values are raw (never clipped at 0), in nats unless --bits.
            """)

    @Option(help: "The HDF5 file.") var input: String
    @Option(help: "Dataset of X, e.g. snapshots/epoch_000010/layer_2.") var x: String
    @Option(help: "Dataset of Y, e.g. evaluation/labels.") var y: String
    @Flag(help: "Y holds class labels (assumed for a 1-D integer Y, with a note).") var discreteY = false
    @Flag(help: "Y is continuous even if it holds integers (estimated with ksg).") var continuousY = false
    @Option(help: "ksg | ross | micd | binning | kde | wkl (default: ross for class labels, else ksg; wkl: weighted Kozachenko–Leonenko). micd is biased upward at small n: its shuffle baseline is about +0.02 nats at n = 500 (docs/estimators.md).",
            completion: .list(EstimationRequest.Method.allValueStrings))
    var estimator: String?
    @Option(parsing: .unconditional, help: "Neighbours for KSG; WKL's largest neighbour order.") var k = 5
    @Option(parsing: .unconditional, help: "Number of random slices (default 1000).") var slices: Int?
    @Flag(help: "Unsliced mutual information in the full dimensions.") var full = false
    @Option(parsing: .unconditional, help: "Project onto rank-K Stiefel frames (k-SMI) instead of directions.") var stiefel: Int?
    @Option(parsing: .unconditional, help: "Compress each side to its top-P principal components, then estimate unsliced in P dimensions.") var pca: Int?
    @Option(parsing: .unconditional, help: "Seed of projections, jitter and shuffles.") var seed: UInt64 = 0
    @Flag(help: "Do not standardise projected variables.") var noStandardize = false
    @Option(parsing: .unconditional, help: "Jitter in standard deviations (0 disables).") var jitter: Double = 1e-10
    @Flag(help: "Also estimate on Y shuffled (independent data): the estimator's value for zero MI.")
    var shuffleBaseline = false
    @Option(parsing: .unconditional, help: "Bins per unit for --estimator binning.") var bins = 30
    @Option(parsing: .unconditional, help: "Noise variance for --estimator kde.") var noiseVariance = 0.1
    @Option(parsing: .unconditional, help: "Worker threads (results do not depend on it; default: all cores).") var threads: Int?
    @Flag(help: "Include the per-slice values.") var values = false
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Report bits instead of nats.") var bits = false

    func validate() throws { _ = try method() }

    /// `--estimator` as its choice.
    private func method() throws -> EstimationRequest.Method? {
        try estimator.map {
            try EstimationRequest.Method.choice($0, or: "unknown estimator '\($0)': choose one of ksg, ross, micd, binning, kde, wkl")
        }
    }

    /// The options as one request.
    func request() throws -> EstimationRequest {
        var request = EstimationRequest(input: input, xName: x, yName: y)
        request.method = try method()
        request.discreteY = discreteY
        request.continuousY = continuousY
        request.k = k
        request.slices = slices
        request.full = full
        request.stiefel = stiefel
        request.pca = pca
        request.seed = seed
        request.standardize = !noStandardize
        request.jitter = jitter
        request.shuffleBaseline = shuffleBaseline
        request.bins = bins
        request.noiseVariance = noiseVariance
        request.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        return request
    }

    func run() throws {
        let report = try Estimation.run(request())
        report.notes.forEach { StandardError.progress($0 + "\n") }
        if json {
            print(report.json(includeValues: values, bits: bits))
        } else {
            report.text(bits: bits, includeValues: values).forEach { print($0) }
        }
    }
}
