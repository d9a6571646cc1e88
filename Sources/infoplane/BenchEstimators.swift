import ArgumentParser
import Estimators
import Foundation
import Randomness
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

    @Option(help: "Sample sizes, comma-separated.") var sizes = "1000,10000,100000"
    @Option(help: "Neighbours.") var k = 5
    @Option(help: "scikit-learn calls per size (median taken).") var repeats = 3
    @Option(help: "Python with scikit-learn (default: $INFOPLANE_PYTHON, else .venv/bin/python).") var python: String?

    func run() throws {
        let ns = try CommaSeparated.integers(sizes, option: "--sizes", example: "1000,10000")
        guard ns.allSatisfy({ $0 > k }) else {
            throw InfoPlaneError("--sizes must be comma-separated sample counts larger than k, e.g. 1000,10000")
        }
        let interpreter = python ?? ProcessInfo.processInfo.environment["INFOPLANE_PYTHON"] ?? ".venv/bin/python"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("analysis/reference/bench_estimators.py").path
        let scriptPath = FileManager.default.fileExists(atPath: script) ? script : "analysis/reference/bench_estimators.py"

        print("one KSG slice, k = \(k), one core; infoplane vs scikit-learn on the same arrays")
        print("     n | 1-D×1-D ours    sklearn    ratio | 1-D×labels ours    sklearn    ratio | max |Δ value|")
        for n in ns {
            let (x, y, labels) = Self.data(n: n)
            let file = NSTemporaryDirectory() + "infoplane-bench-\(getpid())-\(n).bin"
            defer { try? FileManager.default.removeItem(atPath: file) }
            var bytes = Data()
            x.withUnsafeBytes { bytes.append(contentsOf: $0) }
            y.withUnsafeBytes { bytes.append(contentsOf: $0) }
            labels.withUnsafeBytes { bytes.append(contentsOf: $0) }
            try bytes.write(to: URL(fileURLWithPath: file))

            let workspace = KSGWorkspace()
            let cc = KSGEstimator(k: k), cd = MixedKSGEstimator(k: k)
            let (ccSeconds, ccValue) = x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in Self.time { cc.mutualInformation(px, py, workspace: workspace) } }
            }
            let (cdSeconds, cdValue) = x.withUnsafeBufferPointer { px in
                labels.withUnsafeBufferPointer { pl in Self.time { cd.mutualInformation(px, labels: pl, workspace: workspace) } }
            }
            let reference = try Self.sklearn(interpreter, script: scriptPath, file: file, n: n, k: k, repeats: repeats)
            let delta = max(abs(ccValue - reference.ccValue), abs(cdValue - reference.cdValue))
            print(String(format: "%6d | %9.3f ms %8.2f ms %7.1f× | %12.3f ms %8.2f ms %7.1f× | %.1e",
                         n, ccSeconds * 1e3, reference.ccSeconds * 1e3, reference.ccSeconds / ccSeconds,
                         cdSeconds * 1e3, reference.cdSeconds * 1e3, reference.cdSeconds / cdSeconds, delta))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "peak resident memory of this process: %.1f MiB", Double(usage.ru_maxrss) / 1024))
    }

    /// Benchmark data of size n from fixed streams.
    static func data(n: Int) -> ([Double], [Double], [Int32]) {
        var stream = RandomStream(seed: 2024, purpose: "bench.estimators", n)
        var x = [Double](), y = [Double](), labels = [Int32]()
        x.reserveCapacity(n); y.reserveCapacity(n); labels.reserveCapacity(n)
        for _ in 0..<n {
            let a = stream.nextGaussian()
            x.append(a)
            y.append(0.6 * a + 0.8 * stream.nextGaussian())
            let score = a + 0.5 * stream.nextGaussian()
            labels.append(Int32(max(0, min(9, Int(((score + 2.5) * 2).rounded(.down))))))
        }
        return (x, y, labels)
    }

    /// Median seconds per call over 5 batches, each at least 0.2 s long (one call for slow cases).
    static func time(_ call: () -> Double) -> (Double, Double) {
        var value = call()  // warm-up: buffers sized, pages touched
        var perCall: [Double] = []
        for _ in 0..<5 {
            var calls = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed = 0.0
            repeat {
                value = call()
                calls += 1
                elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            } while elapsed < 0.2
            perCall.append(elapsed / Double(calls))
        }
        return (perCall.sorted()[2], value)
    }

    struct Reference: Decodable {
        var ccSeconds: Double, ccValue: Double, cdSeconds: Double, cdValue: Double
        enum CodingKeys: String, CodingKey {
            case ccSeconds = "cc_seconds", ccValue = "cc_value", cdSeconds = "cd_seconds", cdValue = "cd_value"
        }
    }

    static func sklearn(_ python: String, script: String, file: String, n: Int, k: Int, repeats: Int) throws -> Reference {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--file", file, "--n", "\(n)", "--k", "\(k)", "--repeats", "\(repeats)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let reference = try? JSONDecoder().decode(Reference.self, from: output) else {
            throw InfoPlaneError("scikit-learn reference failed (\(python) \(script)): run `make setup` to install it, or pass --python")
        }
        return reference
    }
}
