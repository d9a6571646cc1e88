import Analysis
import ArgumentParser
import Cluster
import Config
import Training
import Foundation
import Pipeline
import Support

/// Runs a job on every MPI rank (alone without a launcher) and prints rank 0's summary; a
/// failure rank 0 already reported exits non-zero without another line.
func withWorld(_ body: (Communicator) throws -> String?) throws {
    do {
        try Job.onEveryRank(body)
    } catch is ReportedFailure {
        throw ExitCode(1)
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train and measure the Sliced Information Plane at once (under mpirun -np P, any P ≥ 1).",
        discussion: """
            Rank 0 trains and writes run.h5; at each snapshot epoch it hands the hidden activations \
            to the other ranks, which estimate S1(X;T) and S1(T;Y) over the config's analysis.slices \
            projections while training goes on; plane.h5 and plane.csv grow as snapshots complete. \
            When training ends, rank 0 computes too. Results are bit-identical for any P.
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: "Run directory (default: runs/<config name>).")
    var out: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        try withWorld { comm in
            try RunJob.run(loading: options.load, out: out, resume: output.resume, force: output.force,
                                quiet: output.quiet, comm: comm)
        }
    }
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the Sliced Information Plane of an existing run file (under mpirun -np P, or alone).",
        discussion: """
            Reads /evaluation/inputs, /evaluation/labels and /snapshots/*/layer_L of RUN.h5 (ours, or \
            one written with h5py following README's schema) and writes PLANE.h5 and a CSV beside it. \
            Settings default to the run's config (analysis section), or to m = 1000, k = 5, ross, seed 0. \
            --method binning|kde measures the classic full-layer plane instead (rank 0 computes; \
            other ranks exit), into plane-binning.h5 or plane-kde.h5 in the same schema.
            """)

    @Argument(help: "The run file, e.g. runs/fashion-h64/run.h5.")
    var runFile: String

    @Option(help: "Plane file (default: plane.h5 beside the run file; the CSV and journal go beside it).")
    var out: String?

    @OptionGroup var selection: SliceSelectionOptions

    @Flag(inversion: .prefixedNo, help: "Also estimate on shuffled pairings (the value on independent data).")
    var shuffleBaseline: Bool?

    @Option(help: "ksg (the Sliced Information Plane, default), or a full-layer classic estimator: binning or kde (→ plane-<method>.h5).")
    var method = "ksg"

    @Option(help: "binning: equal-width bins per unit (default 30).")
    var bins: Int?

    @Option(help: "kde: variance of the Gaussian noise added to T (default 0.1).")
    var noiseVariance: Double?

    @OptionGroup var output: OutputOptions

    func run() throws {
        if method != "ksg" { return try runClassic() }
        try rejectClassicOptions()
        var request = AnalyzeRequest(runPath: runFile)
        request.out = out
        request.selection = try selection.selection()
        request.shuffleBaseline = shuffleBaseline
        request.resume = output.resume
        request.force = output.force
        request.quiet = output.quiet
        try withWorld { comm in try AnalyzeJob.run(request, comm: comm) }
    }

}

/// What a per-slice analysis of a run file measures: slices, neighbours, seed, label estimator,
/// and which layers and epochs (`analyze`, `redundancy`). Unset options take the run's settings.
struct SliceSelectionOptions: ParsableArguments {
    @Option(help: "Random projections per layer (redundancy: also per half).")
    var slices: Int?

    @Option(help: "KSG neighbours.")
    var k: Int?

    @Option(help: "Seed of projections and jitter.")
    var seed: UInt64?

    @Option(help: "Label estimator for S1(T;Y): ross or micd.")
    var estimator: String?

    /// `--estimator` as its choice (checked in ``validate()``).
    var labelEstimator: LabelEstimator? { estimator.flatMap(LabelEstimator.init(rawValue:)) }

    func validate() throws {
        if let estimator, labelEstimator == nil {
            throw InfoPlaneError("--estimator \(estimator) is not a label estimator: use ross or micd")
        }
    }

    @Option(help: "Hidden layers, e.g. 1,3 (default: all).")
    var layers: String?

    @Option(help: "Snapshot epochs, e.g. 0,5,30 (default: all).")
    var epochs: String?

    /// The options as the analysis takes them.
    func selection() throws -> SliceSelection {
        SliceSelection(slices: slices, k: k, seed: seed, labelEstimator: labelEstimator, layers: try layerList(), epochs: try epochList())
    }

    func layerList() throws -> [Int]? { try layers.map { try CommaSeparated.integers($0, option: "--layers", example: "1,3", minimum: 0) } }
    func epochList() throws -> [Int]? { try epochs.map { try CommaSeparated.integers($0, option: "--epochs", example: "0,5,30", minimum: 0) } }
}
