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

    @OptionGroup var options: RunMeasurementOptions

    /// The options as one request (the settings file read and checked).
    func request() throws -> MemorisationRequest {
        try options.request(runFile: runFile, out: out)
    }

    func run() throws {
        let request = try request()
        try onEveryRank { comm in try MemorisationJob.run(request, comm: comm) }
    }
}
