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

    @OptionGroup var options: RunMeasurementOptions

    func validate() throws {
        if try options.selection.estimators()?.slice == .wkl {
            throw InfoPlaneError("--estimator wkl applies to analyze; redundancy measures with KSG: use --estimator ross or micd")
        }
    }

    /// The options as one request (the settings file read and checked).
    func request() throws -> RedundancyRequest {
        try options.request(runFile: runFile, out: out)
    }

    func run() throws {
        let request = try request()
        try onEveryRank { comm in try RedundancyJob.run(request, comm: comm) }
    }
}
