import Analysis
import ArgumentParser
import Foundation
import Support

/// KSG speed side by side with scikit-learn on the same arrays, in the same run.
struct EstimatorsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimators",
        abstract: "Time one KSG slice (1-D × 1-D and 1-D × labels) against scikit-learn on the same data.",
        discussion: """
            For each n, draws x ~ N(0,1), y = 0.6x + 0.8·noise and 10 class labels from x plus noise, \
            times InfoPlane's estimators on one core (median over batches of calls) and scikit-learn's \
            _compute_mi_cc / _compute_mi_cd (median of 3 calls, via $INFOPLANE_PYTHON), and prints \
            times, ratios and both values (they must agree: no standardisation or jitter here); and \
            a slice as users run it: the CPU time of `infoplane estimate --threads 1` on n × 2 \
            arrays with S + 1 slices minus 1 slice, per slice, S = --estimate-slices or by default \
            max(200, 10⁷ / n) (a run of 10⁷ samples or more, so the variation of start-up \
            and reading stays small beside it). All of it --repeats \
            times in rounds: each time is the median over the rounds, each ratio the median of the \
            rounds' ratios (both sides of a ratio timed minutes apart at most).
            """)

    @Option(parsing: .unconditional, help: "Sample sizes, comma-separated.") var sizes = "1000,10000,100000"
    @Option(parsing: .unconditional, help: "Neighbours.") var k = 5
    @Option(parsing: .unconditional, help: "Rounds per size, each timing both sides (medians taken).") var repeats = 3
    @Option(help: "Python with scikit-learn (default: $INFOPLANE_PYTHON, else .venv/bin/python here, else the project's beside this binary).") var python: String?
    @Option(parsing: .unconditional, help: "Slices timed through `infoplane estimate` (beyond one; default: max(200, 10⁷ / n)).")
    var estimateSlices: Int?

    func validate() throws {
        guard k >= 1 else { throw InfoPlaneError("--k \(k) is impossible: use at least 1 neighbour (5 is usual)") }
        guard repeats >= 1 else { throw InfoPlaneError("--repeats \(repeats) is impossible: time at least 1 round") }
        if let estimateSlices, !(1...100_000).contains(estimateSlices) {
            throw InfoPlaneError("--estimate-slices \(estimateSlices) is impossible: use 1 to 100000 (or leave it out)")
        }
        _ = try sampleSizes()
    }

    /// `--sizes` as numbers, each larger than k.
    func sampleSizes() throws -> [Int] {
        let ns = try CommaSeparated.integers(sizes, option: "--sizes", example: "1000,10000")
        guard ns.allSatisfy({ $0 > k }) else {
            throw InfoPlaneError("--sizes must be comma-separated sample counts larger than k, e.g. 1000,10000")
        }
        try EstimatorBenchmark.memoryEstimate(largest: ns.max() ?? 0).check(perRank: false)
        return ns
    }

    func run() throws {
        let interpreter = try ProjectFiles.python(explicit: python)
        // This very executable runs the estimates, so the table times the build it comes from.
        let binary = ProjectFiles.executable
        EstimatorBenchmark.header(k: k, estimateSlices: estimateSlices).forEach { print($0) }
        for n in try sampleSizes() {
            try EstimatorBenchmark.rows(n: n, k: k, repeats: repeats, python: interpreter, binary: binary,
                                        estimateSlices: estimateSlices ?? EstimatorBenchmark.estimateSlices(n: n))
                .forEach { print($0) }
        }
        print(EstimatorBenchmark.peakMemoryLine)
    }
}
