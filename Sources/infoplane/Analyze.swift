import Analysis
import ArgumentParser
import Config
import Pipeline
import Support

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the Sliced Information Plane of an existing run file (under mpirun -np P, or alone).",
        discussion: """
            Reads /evaluation/inputs, /evaluation/labels and /snapshots/*/layer_L of RUN.h5 (ours, or \
            one written with h5py following the schema in docs/files.md) and writes PLANE.h5 and a CSV beside it. \
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

    @Option(help: "ksg (the Sliced Information Plane), or a full-layer classic estimator: binning or kde (→ plane-<method>.h5).",
            completion: .list(AnalysisMethod.allValueStrings))
    var method = "ksg"

    @Option(parsing: .unconditional, help: "Analyse only N of the evaluation samples (for huge layers): the first N, or a seeded subset with --sample-seed. The plane records which, and --resume refuses another choice.")
    var samples: Int?

    @Option(parsing: .unconditional, help: "With --samples: draw the N samples at random (seeded, the same on every rank) instead of taking the first N.")
    var sampleSeed: UInt64?

    @Option(parsing: .unconditional, help: "Threads per rank for the projection GEMMs, for machines with more cores than ranks (default 1). Each GEMM runs on one OpenBLAS thread, so the values do not depend on it.")
    var blasThreads = 1

    @Option(parsing: .unconditional, help: "binning: equal-width bins per unit (default 30).")
    var bins: Int?

    @Option(parsing: .unconditional, help: "kde: variance of the Gaussian noise added to T (default 0.1).")
    var noiseVariance: Double?

    @OptionGroup var output: OutputOptions

    /// What was asked for: the sliced plane, or a classic one.
    enum Request {
        case sliced(AnalyzeRequest)
        case classic(ClassicPlane.Request)
    }

    func validate() throws {
        let chosen = try AnalysisMethod.choice(method, or: "--method \(method) is unknown: use ksg, binning or kde")
        switch chosen {
        case .ksg:
            // `--bins` and `--noise-variance` without their method are mistakes worth naming.
            if bins != nil { throw InfoPlaneError("--bins applies to --method binning: add --method binning or remove it") }
            if noiseVariance != nil { throw InfoPlaneError("--noise-variance applies to --method kde: add --method kde or remove it") }
        case .binning:
            guard noiseVariance == nil else { throw InfoPlaneError("--noise-variance applies to --method kde: remove it or use --bins") }
        case .kde:
            guard bins == nil else { throw InfoPlaneError("--bins applies to --method binning: remove it or use --noise-variance") }
        }
        guard blasThreads >= 1 else { throw InfoPlaneError("--blas-threads \(blasThreads) is impossible: use 1 or more (at most the cores per rank)") }
        if let samples, samples < 2 { throw InfoPlaneError("--samples \(samples) is impossible: use at least 2 (and more than --k)") }
        if sampleSeed != nil && samples == nil { throw InfoPlaneError("--sample-seed chooses which samples --samples keeps: add --samples N") }
        guard chosen != .ksg else { return }
        let sliced = [("--samples", samples != nil), ("--sample-seed", sampleSeed != nil), ("--slices", selection.slices != nil), ("--k", selection.k != nil), ("--seed", selection.seed != nil),
                      ("--estimator", selection.estimator != nil), ("--[no-]shuffle-baseline", shuffleBaseline != nil)]
        if let (option, _) = sliced.first(where: \.1) {
            throw InfoPlaneError("\(option) applies to the sliced analysis (--method ksg), not to --method \(method): remove it")
        }
        if output.resume {
            throw InfoPlaneError("--resume applies to --method ksg; the \(method) plane takes seconds to recompute: use --force to replace it")
        }
    }

    /// The options as one request.
    func request() throws -> Request {
        let chosen = try AnalysisMethod.choice(method, or: "--method \(method) is unknown")
        let classic: ClassicPlane.Method
        switch chosen {
        case .ksg:
            var request = AnalyzeRequest(runPath: runFile)
            request.out = out
            request.selection = try selection.selection()
            request.selection.settings.shuffleBaseline = shuffleBaseline
            request.samples = samples
            request.sampleSeed = sampleSeed
            request.blasThreads = blasThreads
            request.resume = output.resume
            request.force = output.force
            request.quiet = output.quiet
            return .sliced(request)
        case .binning: classic = .binning(bins: bins ?? 30)
        case .kde: classic = .kde(noiseVariance: noiseVariance ?? 0.1)
        }
        var request = ClassicPlane.Request(runPath: runFile, method: classic)
        request.out = out
        let slices = try selection.selection()
        request.layers = slices.layers
        request.epochs = slices.epochs
        request.force = output.force
        request.quiet = output.quiet
        return .classic(request)
    }

    func run() throws {
        switch try request() {
        case .sliced(let request):
            try onEveryRank { comm in try AnalyzeJob.run(request, comm: comm) }
        case .classic(let request):
            // The classic plane takes seconds: rank 0 computes it alone and any other rank exits.
            try onEveryRank { comm in comm.rank == 0 ? try ClassicPlane.run(request, log: ProgressLog(quiet: request.quiet)) : nil }
        }
    }
}
