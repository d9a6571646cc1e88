import Foundation
import Randomness
import Testing
import Learning

/// Training throughput of the issue-13 CNN, the counterpart of analysis/reference/bench_cnn_torch.py
/// (same network, batch, optimizer and random-data protocol). Off unless `INFOPLANE_BENCH_CNN` is
/// set (to the minibatches per round; default 40); measure a release build, one BLAS thread:
///
///     OPENBLAS_NUM_THREADS=1 INFOPLANE_BENCH_CNN=40 swift test -c release -Xswiftc -enable-testing \
///         --filter CNNBenchmark
///
/// Prints one JSON line with the median training samples/s over the timed rounds (after one
/// warm-up round), and the samples/s of recording every hidden layer of the trained network
/// (``SequentialNetwork/forEachRecordedChunk(of:batchSize:_:)``, chunks of 1000, as a snapshot of
/// the 10,000-image evaluation set would be).
@Suite struct CNNBenchmark {
    static let setting = ProcessInfo.processInfo.environment["INFOPLANE_BENCH_CNN"]
    static let rounds = Int(ProcessInfo.processInfo.environment["INFOPLANE_BENCH_ROUNDS"] ?? "") ?? 5

    /// conv16(3×3)-pool-conv32(3×3)-pool-dense128-dense10 on 1×28×28.
    static let architecture = SequentialArchitecture(
        input: TensorShape(channels: 1, height: 28, width: 28),
        layers: [.conv(16), .maxPool(), .conv(32), .maxPool(), .dense(128)], outputs: 10)

    @Test(.enabled(if: setting != nil)) func trainingThroughput() throws {
        let batches = Int(Self.setting ?? "") ?? 40, batchSize = 128
        let n = batches * batchSize
        var stream = RandomStream(seed: 1, purpose: "bench.cnn")
        let pixels = (0..<(n * 784)).map { _ in Float(stream.nextUniform()) }
        let labels = (0..<n).map { _ in Int32(stream.nextInt(below: 10)) }
        let train = Split(inputs: Matrix(rows: n, columns: 784, storage: pixels), labels: labels)
        let none = Split(inputs: Matrix(rows: 0, columns: 784), labels: [])
        let options = TrainingOptions(epochs: Self.rounds + 1, batchSize: batchSize, optimizer: .adam(learningRate: 1e-3), seed: 1)
        let trainer = try NetworkTrainer<SequentialNetwork>(architecture: Self.architecture, initialization: .he,
                                                            options: options, train: train, test: none)
        var rates: [Double] = []
        for round in 0...Self.rounds {
            let clock = ContinuousClock(), start = clock.now
            let metrics = trainer.trainEpoch()
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            #expect(metrics.trainLoss.isFinite)
            if round > 0 { rates.append(Double(n) / seconds) }
        }
        let median = rates.sorted()[rates.count / 2]
        let list = rates.map { String(format: "%.1f", $0) }.joined(separator: ", ")

        let clock = ContinuousClock(), start = clock.now
        var recordedValues = 0
        trainer.model.forEachRecordedChunk(of: train.inputs, batchSize: 1000) { _, _, layers in
            recordedValues += layers.reduce(0) { $0 + $1.count }
        }
        let elapsed = clock.now - start
        let recordingSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        #expect(recordedValues == n * Self.architecture.recordedWidths.reduce(0, +))
        print(#"{"implementation": "infoplane", "batch_size": \#(batchSize), "samples_per_round": \#(n), "#
              + String(format: #""samples_per_second": %.1f, "#, median) + #""rounds": [\#(list)], "#
              + String(format: #""recording_samples_per_second": %.1f}"#, Double(n) / recordingSeconds))
    }
}
