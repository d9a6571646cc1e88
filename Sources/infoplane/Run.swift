import ArgumentParser
import Pipeline

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
        try onEveryRank { comm in
            try RunJob.run(loading: options.load, out: out, resume: output.resume, force: output.force, quiet: output.quiet, comm: comm)
        }
    }
}
