import Estimators
import Foundation
import Testing

/// Parity with scikit-learn's KSG helpers and scipy-based reimplementations of the other
/// formulas (analysis/reference/sklearn_reference.py), on tie-free data. Needs Python with
/// scikit-learn and scipy: INFOPLANE_PYTHON, else <package>/.venv/bin/python, else python3.
/// A missing library fails the test (CI installs them); it never skips.
struct KSGSklearnParityTests {
    /// One reference case: what to send to the script and our own estimate.
    struct Case {
        let name: String
        let json: String
        let ours: Double
        /// cc/cd cases also get scikit-learn's own (clipped) return value back.
        let clipped: Bool
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func python() -> String {
        if let configured = ProcessInfo.processInfo.environment["INFOPLANE_PYTHON"], !configured.isEmpty {
            return configured
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/python3" }
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "python3"
    }

    static func list(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }
    static func list(_ values: [Int32]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }

    static func cases() -> [Case] {
        var cases: [Case] = []
        // KSG, 1-D: sizes, neighbour orders and dependence levels.
        for (n, k, rho) in [(50, 1, 0.0), (50, 3, 0.9), (500, 5, 0.5), (500, 10, 0.9), (2000, 3, 0.0),
                            (2000, 5, 0.7), (3000, 1, 0.95), (1000, 10, 0.3)] {
            let (x, y) = Fixtures.gaussianPair(n: n, rho: rho, seed: n + k)
            cases.append(Case(name: "cc n=\(n) k=\(k) ρ=\(rho)",
                              json: #"{"kind":"cc","k":\#(k),"x":\#(list(x)),"y":\#(list(y))}"#,
                              ours: fastKSG(x, y, k: k), clipped: true))
        }
        // Ross, 1-D: 2–10 classes, unequal sizes, a class with a single sample.
        for (n, k, classes, separation) in [(100, 3, 2, 1.0), (1000, 5, 10, 0.4), (3000, 3, 5, 0.8),
                                            (700, 10, 3, 0.2), (400, 1, 7, 1.5)] {
            var labels = Fixtures.labels(n: n, classes: classes, seed: n + classes)
            labels[n - 1] = 99
            for i in 0..<(n / 4) where labels[i] == 0 { labels[i] = 1 }
            let x = Fixtures.classConditional(labels: labels.map { $0 == 99 ? 0 : $0 }, separation: separation, seed: n)
            cases.append(Case(name: "cd n=\(n) k=\(k) classes=\(classes)",
                              json: #"{"kind":"cd","k":\#(k),"x":\#(list(x)),"labels":\#(list(labels))}"#,
                              ours: fastRoss(x, labels, k: k), clipped: true))
        }
        // KSG in several dimensions.
        for (dx, dy, k) in [(2, 3, 3), (5, 5, 5), (1, 2, 4)] {
            let x = Fixtures.gaussianRows(n: 600, d: dx, seed: dx)
            let y = Fixtures.gaussianRows(n: 600, d: dy, seed: dy + 10, base: x, baseColumns: dx, rho: 0.6)
            cases.append(Case(name: "cc dx=\(dx) dy=\(dy) k=\(k)",
                              json: #"{"kind":"cc_nd","k":\#(k),"dx":\#(dx),"dy":\#(dy),"x":\#(list(x)),"y":\#(list(y))}"#,
                              ours: generalKSG(x, dx: dx, y, dy: dy, k: k), clipped: false))
        }
        // Ross in three dimensions, with a singleton class.
        var labels = Fixtures.labels(n: 500, classes: 4, seed: 5)
        labels[7] = 50
        let x3 = Fixtures.classConditional(labels: labels.map { $0 % 4 }, d: 3, separation: 0.8, seed: 5)
        cases.append(Case(name: "cd dx=3", json: #"{"kind":"cd_nd","k":4,"dx":3,"x":\#(list(x3)),"labels":\#(list(labels))}"#,
                          ours: generalRoss(x3, dx: 3, labels, k: 4), clipped: false))
        // NPEET-style entropy and micd, 1-D and more.
        let x1 = Fixtures.classConditional(labels: labels.map { $0 % 4 }, separation: 0.8, seed: 6)
        cases.append(Case(name: "entropy d=1", json: #"{"kind":"entropy","k":3,"d":1,"x":\#(list(x1))}"#,
                          ours: fastEntropy(x1, k: 3), clipped: false))
        cases.append(Case(name: "entropy d=3", json: #"{"kind":"entropy","k":5,"d":3,"x":\#(list(x3))}"#,
                          ours: generalEntropy(x3, d: 3, k: 5), clipped: false))
        cases.append(Case(name: "micd d=1", json: #"{"kind":"micd","k":3,"d":1,"x":\#(list(x1)),"labels":\#(list(labels))}"#,
                          ours: fastEntropyDifference(x1, labels, k: 3), clipped: false))
        cases.append(Case(name: "micd d=3", json: #"{"kind":"micd","k":2,"d":3,"x":\#(list(x3)),"labels":\#(list(labels))}"#,
                          ours: generalEntropyDifference(x3, dx: 3, labels, k: 2), clipped: false))
        return cases
    }

    @Test func estimatesMatchTheReferences() throws {
        let cases = Self.cases()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-ksg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("cases.json")
        try Data((#"{"cases":["# + cases.map(\.json).joined(separator: ",") + "]}").utf8).write(to: input)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python())
        process.arguments = [Self.packageRoot.appendingPathComponent("analysis/reference/sklearn_reference.py").path,
                             input.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0,
                     "the reference script failed (\(Self.python())): \(message)")

        let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let results = try #require(parsed?["results"] as? [[String: Double]])
        try #require(results.count == cases.count)
        for (test, reference) in zip(cases, results) {
            let value = try #require(reference["value"])
            #expect(abs(test.ours - value) <= 1e-9, "\(test.name): ours \(test.ours), reference \(value)")
            if test.clipped {
                // scikit-learn's own function, clipped at 0: equal whenever the estimate is positive.
                let sklearn = try #require(reference["sklearn"])
                #expect(abs(max(0, test.ours) - sklearn) <= 1e-9, "\(test.name): ours \(test.ours), sklearn \(sklearn)")
            }
        }
    }
}
