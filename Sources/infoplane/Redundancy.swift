import Analysis
import ArgumentParser
import Config
import Pipeline
import Support

struct Redundancy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "How redundantly each layer's units carry label information (alone, or under mpirun -np P).",
        discussion: """
            Per hidden layer and snapshot epoch of RUN.h5, in nats: every unit's I(T_i;Y) (Ross), their \
            sum against the layer's S1(T;Y) (the redundancy ratio), and the minimum-information \
            redundancy min(S1(T_A;Y), S1(T_B;Y)) of the halves A = first ⌈w/2⌉ units, B = the rest. \
            Writes REDUNDANCY.h5 and a CSV beside it (default: redundancy.h5 beside the run file). \
            Settings: options, then --config FILE, then the run's analysis section; --slices projections \
            serve the layer and each half alike. Bit-identical for any P.
            """)

    @Argument(help: "The run file, e.g. runs/fashion-h64/run.h5.")
    var runFile: String

    @Option(help: "Output file (default: redundancy.h5 beside the run file; the CSV goes beside it).")
    var out: String?

    @Option(help: "Settings file (strict YAML: slices, k, label_estimator, seed, jitter), e.g. configs/redundancy.yaml.")
    var config: String?

    @OptionGroup var selection: SliceSelectionOptions

    @Option(parsing: .unconditional, help: "Worker threads per rank (results do not depend on it; default: the cores shared among ranks).")
    var threads: Int?

    @Flag(help: "Replace outputs that already exist.")
    var force = false

    @Flag(help: "Print no progress lines.")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw InfoPlaneError("--threads \(threads) is impossible: use at least 1") }
        if try selection.estimators()?.slice == .wkl {
            throw InfoPlaneError("--estimator wkl applies to analyze; redundancy measures with KSG: use --estimator ross or micd")
        }
    }

    /// The options as one request (the settings file read and checked).
    func request() throws -> RedundancyRequest {
        var request = RedundancyRequest(runPath: runFile)
        request.out = out
        request.config = try config.map { try RedundancyConfig.load(path: $0) }
        request.selection = try selection.selection()
        request.threads = threads
        request.force = force
        request.quiet = quiet
        return request
    }

    func run() throws {
        let request = try request()
        try onEveryRank { comm in try RedundancyJob.run(request, comm: comm) }
    }
}
