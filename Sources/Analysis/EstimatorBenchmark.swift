import Estimators
import Foundation
import Randomness
import Support

/// `infoplane bench estimators`: one KSG slice (1-D × 1-D, and 1-D × labels) timed against
/// scikit-learn's `_compute_mi_cc` / `_compute_mi_cd` on the same arrays, in the same run.
public enum EstimatorBenchmark {
    /// The header lines of the table.
    public static func header(k: Int, estimateSlices: Int?) -> [String] {
        let slices = estimateSlices.map { "\($0 + 1)" } ?? "S + 1 (S = max(200, 10⁷ / n))"
        return ["one KSG slice, k = \(k), one core; infoplane vs scikit-learn on the same arrays, in the same run",
                "CPU time throughout; kernel: the estimator call alone; estimate: `infoplane estimate --threads 1` (defaults otherwise:",
                "projected, standardised, jittered) with --slices \(slices) minus --slices 1, per slice, on n × 2 arrays;",
                "times: medians over --repeats rounds, each timing both sides; ratio: the median of the rounds' ratios",
                "     n | path     | 1-D×1-D ours    sklearn    ratio | 1-D×labels ours    sklearn    ratio | max |Δ value|"]
    }

    /// The slices timed through `estimate` at size n unless told (beyond one): enough for 10⁷
    /// samples, at least 200. A run's start-up and reading vary by a few milliseconds of CPU time
    /// from run to run; at n = 10,000, 200 slices of 1-D × labels are about 50 ms, so that
    /// variation moved the per-slice figure by a tenth, where 1,000 slices shrink it fivefold.
    public static func estimateSlices(n: Int) -> Int {
        min(100_000, max(200, 10_000_000 / max(n, 1)))
    }

    /// What the largest size holds: x, y and labels, their file for scikit-learn, and the KSG
    /// workspace's sorted copies, orders and counts: about 128 bytes per sample.
    public static func memoryEstimate(largest n: Int) -> MemoryEstimate {
        var estimate = MemoryEstimate()
        estimate.add("samples and KSG workspace, n × 128 bytes", bytes: Double(n) * 128, fix: "use smaller --sizes")
        return estimate
    }

    /// The table rows of size `n` from `repeats` rounds, each timing everything once: the kernels
    /// (median over batches of calls), the per-slice CPU time of `binary estimate`
    /// (`estimateSlices` slices more than one) and scikit-learn's (run through `python` and
    /// analysis/reference/bench_estimators.py, median of 3 calls). Each figure is its median over
    /// the rounds and each ratio the median of the rounds' ratios: a machine whose speed drifts
    /// (seen: 1.5 times slower for minutes) then moves both sides of a ratio alike, where timing
    /// one side after the other let the drift into it.
    public static func rows(n: Int, k: Int, repeats: Int, python: String, binary: String, estimateSlices: Int) throws -> [String] {
        let (x, y, labels) = data(n: n)
        let file = NSTemporaryDirectory() + "infoplane-bench-\(getpid())-\(n).bin"
        let arrays = NSTemporaryDirectory() + "infoplane-bench-\(getpid())-\(n).h5"
        defer {
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: arrays)
        }
        var bytes = Data()
        x.withUnsafeBytes { bytes.append(contentsOf: $0) }
        y.withUnsafeBytes { bytes.append(contentsOf: $0) }
        labels.withUnsafeBytes { bytes.append(contentsOf: $0) }
        try bytes.write(to: URL(fileURLWithPath: file))

        let workspace = KSGWorkspace()
        let cc = KSGEstimator(k: k), cd = MixedKSGEstimator(k: k)
        let options = ["estimate", "--input", arrays, "--x", "x", "--threads", "1", "--k", "\(k)"]
        var rounds: [Round] = []
        var delta = 0.0
        for round in 0..<repeats {
            let reference = try sklearn(python, file: file, n: n, k: k, calls: 3, arrays: round == 0 ? arrays : nil)
            let (ccSeconds, ccValue) = x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in time { cc.mutualInformation(px, py, workspace: workspace) } }
            }
            let (cdSeconds, cdValue) = x.withUnsafeBufferPointer { px in
                labels.withUnsafeBufferPointer { pl in time { cd.mutualInformation(px, labels: pl, workspace: workspace) } }
            }
            delta = max(delta, abs(ccValue - reference.ccValue), abs(cdValue - reference.cdValue))
            let ccEstimate = try estimateSecondsPerSlice(binary, options + ["--y", "y"], slices: estimateSlices)
            let cdEstimate = try estimateSecondsPerSlice(binary, options + ["--y", "labels", "--discrete-y"], slices: estimateSlices)
            rounds.append(Round(sklearnCC: reference.ccSeconds, sklearnCD: reference.cdSeconds, kernelCC: ccSeconds,
                                kernelCD: cdSeconds, estimateCC: ccEstimate, estimateCD: cdEstimate))
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        func figure(_ seconds: KeyPath<Round, Double>) -> Double { median(rounds.map { $0[keyPath: seconds] }) }
        func ratio(_ reference: KeyPath<Round, Double>, _ ours: KeyPath<Round, Double>) -> Double {
            median(rounds.map { $0[keyPath: reference] / $0[keyPath: ours] })
        }
        func line(_ path: String, _ cc: KeyPath<Round, Double>, _ cd: KeyPath<Round, Double>, _ tail: String) -> String {
            String(format: "%6d | %@ | %9.3f ms %8.2f ms %7.1f× | %12.3f ms %8.2f ms %7.1f× | %@",
                   n, path, figure(cc) * 1e3, figure(\.sklearnCC) * 1e3, ratio(\.sklearnCC, cc),
                   figure(cd) * 1e3, figure(\.sklearnCD) * 1e3, ratio(\.sklearnCD, cd), tail)
        }
        return [line("kernel  ", \.kernelCC, \.kernelCD, String(format: "%.1e", delta)),
                line("estimate", \.estimateCC, \.estimateCD, "")]
    }

    /// One round's CPU seconds per call or slice: scikit-learn's, the kernels', `estimate`'s.
    struct Round {
        var sklearnCC: Double, sklearnCD: Double, kernelCC: Double, kernelCD: Double, estimateCC: Double, estimateCD: Double
    }

    /// The CPU seconds (user + system) of `binary arguments --slices (slices + 1)` minus those of
    /// `--slices 1`, per slice: what a slice costs a user, reading and start-up left out.
    static func estimateSecondsPerSlice(_ binary: String, _ arguments: [String], slices: Int) throws -> Double {
        func cpuSeconds(_ m: Int) throws -> Double {
            var before = rusage(), after = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &before)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments + ["--slices", "\(m)"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw InfoPlaneError("`\(binary) \(process.arguments!.joined(separator: " "))` failed (status \(process.terminationStatus))")
            }
            getrusage(RUSAGE_CHILDREN.rawValue, &after)
            func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
            return seconds(after.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_utime) - seconds(before.ru_stime)
        }
        return (try cpuSeconds(slices + 1) - cpuSeconds(1)) / Double(slices)
    }

    /// Benchmark data of size n from fixed streams: x ~ N(0,1), y = 0.6x + 0.8·noise, and 10
    /// class labels from x plus noise.
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

    /// This process's CPU seconds: every figure of the table is CPU time (scikit-learn's too),
    /// so a busy machine's waiting does not enter the ratios.
    static func cpuSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Median CPU seconds per call over 5 batches, each at least 0.2 s long (one call for slow cases).
    static func time(_ call: () -> Double) -> (Double, Double) {
        var value = call()  // warm-up: buffers sized, pages touched
        var perCall: [Double] = []
        for _ in 0..<5 {
            var calls = 0
            let start = cpuSeconds()
            var elapsed = 0.0
            repeat {
                value = call()
                calls += 1
                elapsed = cpuSeconds() - start
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

    /// The reference script of this checkout (or of the working directory, for an installed binary).
    static var script: String {
        let inCheckout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("analysis/reference/bench_estimators.py").path
        let relative = "analysis/reference/bench_estimators.py"
        return FileManager.default.fileExists(atPath: inCheckout) ? inCheckout : ProjectFiles.locate(relative) ?? relative
    }

    /// scikit-learn's times (median of `calls` calls) and values on the arrays of `file`; also
    /// writes `arrays` (HDF5) for the estimate runs when given.
    static func sklearn(_ python: String, file: String, n: Int, k: Int, calls: Int, arrays: String?) throws -> Reference {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, "--file", file, "--n", "\(n)", "--k", "\(k)", "--repeats", "\(calls)"]
            + (arrays.map { ["--h5", $0] } ?? [])
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

    /// This process's peak resident memory, for the table's last line.
    public static var peakMemoryLine: String {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return String(format: "peak resident memory of this process: %.1f MiB", Double(usage.ru_maxrss) / 1024)
    }
}
