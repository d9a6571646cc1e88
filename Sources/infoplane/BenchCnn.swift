import ArgumentParser
import Support
import Training

/// Training throughput of the issue-13 CNN, the counterpart of analysis/reference/bench_cnn_torch.py.
struct CNNBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnn",
        abstract: "Time minibatch training of the CNN conv16-pool-conv32-pool-dense128 and print samples/s as JSON.",
        discussion: "Random 1×28×28 images and labels, Adam 1e-3, one warm-up round then --rounds timed rounds of "
            + "--batches minibatches each (PyTorch's script does the same: make bench-cnn runs both).")

    @Option(parsing: .unconditional, help: "Minibatches per round.") var batches = 40
    @Option(parsing: .unconditional, help: "Minibatch size.") var batchSize = 128
    @Option(parsing: .unconditional, help: "Timed rounds after one warm-up round.") var rounds = 5
    @Option(parsing: .unconditional, help: "Seed of the random data and weights.") var seed: UInt64 = 1

    func validate() throws {
        for (value, name) in [(batches, "--batches"), (batchSize, "--batch-size"), (rounds, "--rounds")] where value < 1 {
            throw InfoPlaneError("\(name) \(value) is impossible: use at least 1")
        }
        guard batches * batchSize <= 1_000_000 else {
            throw InfoPlaneError("--batches × --batch-size = \(batches * batchSize) images is more than a benchmark needs: use at most 1,000,000")
        }
    }

    func run() throws {
        print(try CNNTrainingBenchmark.run(batches: batches, batchSize: batchSize, rounds: rounds, seed: seed))
    }
}
