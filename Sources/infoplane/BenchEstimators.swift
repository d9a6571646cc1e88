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
            _compute_mi_cc / _compute_mi_cd (median of --repeats calls, via $INFOPLANE_PYTHON), and prints \
            times, ratios and both values (they must agree: no standardisation or jitter here).
            """)

    @Option(parsing: .unconditional, help: "Sample sizes, comma-separated.") var sizes = "1000,10000,100000"
    @Option(parsing: .unconditional, help: "Neighbours.") var k = 5
    @Option(parsing: .unconditional, help: "scikit-learn calls per size (median taken).") var repeats = 3
    @Option(help: "Python with scikit-learn (default: $INFOPLANE_PYTHON, else .venv/bin/python).") var python: String?

    func validate() throws {
        guard k >= 1 else { throw InfoPlaneError("--k \(k) is impossible: use at least 1 neighbour (5 is usual)") }
        guard repeats >= 1 else { throw InfoPlaneError("--repeats \(repeats) is impossible: time at least 1 call") }
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
        let interpreter = python ?? ProcessInfo.processInfo.environment["INFOPLANE_PYTHON"] ?? ".venv/bin/python"
        EstimatorBenchmark.header(k: k).forEach { print($0) }
        for n in try sampleSizes() { print(try EstimatorBenchmark.row(n: n, k: k, repeats: repeats, python: interpreter)) }
        print(EstimatorBenchmark.peakMemoryLine)
    }
}
