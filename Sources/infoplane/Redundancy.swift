import ArgumentParser
import Experiment
import Pipeline

struct Redundancy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "How redundantly each layer's units carry label information (alone, or under mpirun -np P).",
        discussion: """
            Per hidden layer and snapshot epoch of RUN.h5, in nats: every unit's I(T_i;Y) (Ross), their \
            sum against the layer's S1(T;Y) (the redundancy ratio), and the minimum-information \
            redundancy min(S1(T_A;Y), S1(T_B;Y)) of the halves A = first ⌈w/2⌉ units, B = the rest. \
            Writes REDUNDANCY.h5 and a CSV beside it (default: redundancy.h5 beside the run file). \
            Settings: options, then --config FILE, then the run's analysis section. Bit-identical for any P.
            """)

    @Argument(help: "The run file, e.g. runs/fashion-h64/run.h5.")
    var runFile: String

    @Option(help: "Output file (default: redundancy.h5 beside the run file; the CSV goes beside it).")
    var out: String?

    @Option(help: "Settings file (strict YAML: slices, k, label_estimator, seed, jitter), e.g. configs/redundancy.yaml.")
    var config: String?

    @Option(help: "Random projections of the layer and of each half.")
    var slices: Int?

    @Option(help: "KSG neighbours.")
    var k: Int?

    @Option(help: "Seed of projections and jitter.")
    var seed: UInt64?

    @Option(help: "Label estimator: ross or micd.")
    var estimator: String?

    @Option(help: "Hidden layers, e.g. 1,3 (default: all).")
    var layers: String?

    @Option(help: "Snapshot epochs, e.g. 0,5,30 (default: all).")
    var epochs: String?

    @Option(help: "Worker threads per rank (results do not depend on it; default: the cores shared among ranks).")
    var threads: Int?

    @Flag(help: "Replace outputs that already exist.")
    var force = false

    @Flag(help: "Print no progress lines.")
    var quiet = false

    func run() throws {
        var request = RedundancyRequest(runPath: runFile)
        request.out = out
        request.config = try config.map { try RedundancyConfig.load(path: $0) }
        request.slices = slices
        request.k = k
        request.seed = seed
        request.labelEstimator = estimator
        request.layers = try layers.map { try Analyze.integers($0, option: "--layers") }
        request.epochs = try epochs.map { try Analyze.integers($0, option: "--epochs") }
        if let threads, threads < 1 { throw UsageError("--threads \(threads) is impossible: use at least 1") }
        request.threads = threads
        request.force = force
        request.quiet = quiet
        try withWorld { comm in try RedundancyJob.run(request, comm: comm) }
    }
}
