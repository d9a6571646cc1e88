import Analysis
import ArgumentParser
import Config
import Pipeline
import Support

struct Memorisation: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "S1(T;Y) on the noisy and the clean training rows of a label-noise run (alone, or under mpirun -np P).",
        discussion: """
            For a run trained with dataset.label_noise and recording training samples \
            (dataset.evaluation_split: train), per hidden layer and snapshot epoch, in nats: \
            S1(T;Y_noisy) and S1(T;Y_true) over the rows whose label was replaced, and S1(T;Y) over \
            the others (where the two labels agree). Every value is infoplane estimate's on the same \
            rows (--discrete-y --seed S). Writes MEMORISATION.h5 and a CSV beside it (default: \
            memorisation.h5 beside the run file). Settings: options, then --config FILE, then the \
            run's analysis section. Bit-identical for any P.
            """)

    @Argument(help: "The run file, e.g. runs/memorisation-p0.4/run.h5.")
    var runFile: String

    @Option(help: "Output file (default: memorisation.h5 beside the run file; the CSV goes beside it).")
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
    }

    /// The options as one request (the settings file read and checked).
    func request() throws -> MemorisationRequest {
        var request = MemorisationRequest(runPath: runFile)
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
        try onEveryRank { comm in try MemorisationJob.run(request, comm: comm) }
    }
}
