import ArgumentParser
import Support
import Training

/// Training throughput of the MLP on a catalog dataset, as one JSON line.
struct TrainingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training",
        abstract: "Time minibatch training of an MLP and print samples/s as JSON.")

    @Option(help: "Catalog dataset.") var dataset = "fashion-mnist"
    @Option(help: "Dataset directory (default: the catalog's).") var data: String?
    @Option(parsing: .unconditional, help: "Hidden widths, comma-separated.") var hidden = "64,64,64"
    @Option(parsing: .unconditional, help: "Minibatch size.") var batchSize = 128
    @Option(parsing: .unconditional, help: "Epochs to time.") var epochs = 1
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Double = 1e-3
    @Option(parsing: .unconditional, help: "Seed.") var seed: UInt64 = 1

    func validate() throws {
        _ = try widths()
        // The trainer computes in float32; its own message would name no option.
        guard lr.isFinite, Float(lr) > 0 else { throw InfoPlaneError("--lr \(lr) is impossible: the learning rate must be positive and finite in float32 (e.g. 0.001)") }
        guard batchSize >= 1 else { throw InfoPlaneError("--batch-size \(batchSize) is impossible: use at least 1 (128 is usual)") }
        guard epochs >= 1 else { throw InfoPlaneError("--epochs \(epochs) is impossible: time at least 1 epoch") }
    }

    /// `--hidden` as widths.
    func widths() throws -> [Int] { try CommaSeparated.integers(hidden, option: "--hidden", example: "64,64,64", minimum: 1) }

    func run() throws {
        print(try TrainingBenchmark.run(dataset: dataset, path: data, hidden: widths(), batchSize: batchSize, epochs: epochs,
                                        learningRate: lr, seed: seed))
    }
}
