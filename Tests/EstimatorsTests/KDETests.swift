import Foundation
import Randomness
import Support
import Testing
@testable import Estimators

/// The checkout this test was built from (three levels above this file).
private let kdePackageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Python with numpy: `$INFOPLANE_PYTHON`, else the checkout's .venv, else python3 on the PATH.
private let kdePython: (executable: String, prefix: [String]) = {
    if let path = ProcessInfo.processInfo.environment["INFOPLANE_PYTHON"] { return (path, []) }
    let venv = "\(kdePackageRoot)/.venv/bin/python"
    if FileManager.default.isExecutableFile(atPath: venv) { return (venv, []) }
    return ("/usr/bin/env", ["python3"])
}()

/// Runs analysis/reference/kde_reference.py on `data` (n × d) and optional labels.
private func pythonReference(_ data: [Double], n: Int, d: Int, variance: Double,
                             labels: [Int32]? = nil) throws -> [String: Double] {
    let directory = NSTemporaryDirectory() + "infoplane-kde-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let dataPath = directory + "/t.f64", labelPath = directory + "/y.i32"
    // Both formats are little-endian, as are the platforms this project builds on.
    try data.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: dataPath))
    var arguments = kdePython.prefix + ["\(kdePackageRoot)/analysis/reference/kde_reference.py",
                                        dataPath, "\(n)", "\(d)", "\(variance)"]
    if let labels {
        try labels.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: labelPath))
        arguments.append(labelPath)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: kdePython.executable)
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let stdout = output.fileHandleForReading.readDataToEndOfFile()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let json = try JSONSerialization.jsonObject(with: stdout) as? [String: Double] else {
        throw InfoPlaneError("kde_reference.py failed: \(String(decoding: stderr, as: UTF8.self))")
    }
    return json
}

private func relativeError(_ a: Double, _ b: Double) -> Double {
    abs(a - b) / max(abs(b), 1e-300)
}

/// Gaussian clouds with a label-dependent shift, so that I(T;Y) is neither 0 nor log(classes).
private func labelledCloud(n: Int, d: Int, classes: Int, seed: UInt64) -> (t: [Double], labels: [Int32]) {
    var stream = RandomStream(seed: seed, purpose: "test.kde.cloud")
    var t: [Double] = [], labels: [Int32] = []
    for _ in 0..<n {
        let label = stream.nextInt(below: classes)
        labels.append(Int32(label))
        for k in 0..<d { t.append(0.4 * stream.nextGaussian() + (k == label % d ? 0.6 * Double(label) : 0)) }
    }
    return (t, labels)
}

@Suite struct KDEUpperBoundTests {
    @Test func defaultNoiseVarianceIsSaxes() {
        #expect(KDEUpperBound().noiseVariance == 0.1)
    }

    @Test(arguments: [(300, 5, 0.1), (257, 3, 1e-3), (120, 12, 0.5)])
    func matchesTheNumpyTranscriptionOfSaxe(shape: (Int, Int, Double)) throws {
        let (n, d, variance) = shape
        let (t, labels) = labelledCloud(n: n, d: d, classes: 3, seed: UInt64(n))
        let reference = try pythonReference(t, n: n, d: d, variance: variance, labels: labels)
        let estimator = KDEUpperBound(noiseVariance: variance)
        let (h, miInput, mi) = try t.withUnsafeBufferPointer { buffer in
            (try estimator.entropy(t: buffer, n: n, d: d),
             try estimator.mutualInformationWithInput(t: buffer, n: n, d: d),
             try estimator.mutualInformationWithLabels(t: buffer, n: n, d: d, labels: labels))
        }
        let hGivenX = try estimator.conditionalEntropyGivenInput(d: d)
        #expect(relativeError(h, reference["entropy"]!) < 1e-9)
        #expect(relativeError(hGivenX, reference["conditional_entropy"]!) < 1e-12)
        #expect(relativeError(miInput, reference["mi_input"]!) < 1e-9)
        #expect(relativeError(mi, reference["mi_labels"]!) < 1e-9)
        #expect(mi > 0.05 && mi < log(3))
    }

    @Test func floatInputMatchesTheReferenceOnTheWidenedValues() throws {
        let n = 200, d = 4
        let (t, labels) = labelledCloud(n: n, d: d, classes: 2, seed: 99)
        let single = t.map(Float.init)
        let reference = try pythonReference(single.map(Double.init), n: n, d: d, variance: 0.1, labels: labels)
        let estimator = KDEUpperBound()
        let (h, miInput, mi) = try single.withUnsafeBufferPointer { buffer in
            (try estimator.entropy(t: buffer, n: n, d: d),
             try estimator.mutualInformationWithInput(t: buffer, n: n, d: d),
             try estimator.mutualInformationWithLabels(t: buffer, n: n, d: d, labels: labels))
        }
        #expect(relativeError(h, reference["entropy"]!) < 1e-9)
        #expect(relativeError(miInput, reference["mi_input"]!) < 1e-9)
        #expect(relativeError(mi, reference["mi_labels"]!) < 1e-9)
    }

    @Test func rowBlockingDoesNotChangeTheResult() throws {
        let n = 150, d = 6
        let (t, _) = labelledCloud(n: n, d: d, classes: 4, seed: 5)
        let estimator = KDEUpperBound(noiseVariance: 0.2)
        let values = t.withUnsafeBufferPointer { buffer in
            [1, 7, 32, 149, 150, 1000].map { estimator.upperEntropy(buffer, rows: nil, d: d, blockRows: $0) }
        }
        for value in values { #expect(relativeError(value, values[0]) < 1e-13) }
    }

    @Test func collapsedCloudHasOnlyTheNoiseEntropy() throws {
        let n = 64, d = 5, variance = 0.1
        let point: [Double] = [0.3, -1.2, 5.0, 1e3, -7.25]
        let t = (0..<n).flatMap { _ in point }
        let estimator = KDEUpperBound(noiseVariance: variance)
        let (h, mi) = try t.withUnsafeBufferPointer { buffer in
            (try estimator.entropy(t: buffer, n: n, d: d), try estimator.mutualInformationWithInput(t: buffer, n: n, d: d))
        }
        #expect(abs(h - Double(d) / 2 * log(2 * Double.pi * M_E * variance)) < 1e-12)
        #expect(abs(mi) < 1e-12)
    }

    @Test func singleSampleHasOnlyTheNoiseEntropy() throws {
        let t: [Float] = [1, 2, 3]
        let estimator = KDEUpperBound()
        let mi = try t.withUnsafeBufferPointer { try estimator.mutualInformationWithInput(t: $0, n: 1, d: 3) }
        #expect(abs(mi) < 1e-12)
    }

    @Test func twoFarApartClustersCarryLog2AboutTheirLabel() throws {
        let n = 200, d = 3
        var stream = RandomStream(seed: 12, purpose: "test.kde.clusters")
        var t: [Double] = [], labels: [Int32] = []
        for i in 0..<n {
            let label = Int32(i % 2)
            labels.append(label)
            for _ in 0..<d { t.append(stream.nextGaussian() * 0.3 + (label == 1 ? 100 : 0)) }
        }
        let mi = try t.withUnsafeBufferPointer {
            try KDEUpperBound().mutualInformationWithLabels(t: $0, n: n, d: d, labels: labels)
        }
        #expect(abs(mi - log(2)) < 1e-12)
    }

    @Test func labelsWithOneClassCarryNoInformation() throws {
        let n = 50, d = 2
        let (t, _) = labelledCloud(n: n, d: d, classes: 1, seed: 3)
        let mi = try t.withUnsafeBufferPointer {
            try KDEUpperBound().mutualInformationWithLabels(t: $0, n: n, d: d, labels: Array(repeating: 4, count: n))
        }
        #expect(abs(mi) < 1e-12)
    }

    @Test func invalidInputsThrowOneLineErrors() {
        let good: [Double] = [0, 1, 2, 3]
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        let cases: [(String, String)] = [
            (message { try good.withUnsafeBufferPointer { try KDEUpperBound(noiseVariance: 0).entropy(t: $0, n: 2, d: 2) } }, "noiseVariance"),
            (message { try good.withUnsafeBufferPointer { try KDEUpperBound(noiseVariance: -1).entropy(t: $0, n: 2, d: 2) } }, "noiseVariance"),
            (message { try good.withUnsafeBufferPointer { try KDEUpperBound(noiseVariance: .nan).entropy(t: $0, n: 2, d: 2) } }, "noiseVariance"),
            (message { try [Double]().withUnsafeBufferPointer { try KDEUpperBound().entropy(t: $0, n: 0, d: 3) } }, "empty"),
            (message { try [Float(0), .nan].withUnsafeBufferPointer { try KDEUpperBound().entropy(t: $0, n: 1, d: 2) } }, "NaN"),
            (message { try good.withUnsafeBufferPointer { try KDEUpperBound().mutualInformationWithLabels(t: $0, n: 2, d: 2, labels: [0, 1, 2]) } }, "labels"),
        ]
        for (text, fragment) in cases {
            #expect(text.contains(fragment), "\(text)")
            #expect(!text.contains("\n"))
        }
    }
}
