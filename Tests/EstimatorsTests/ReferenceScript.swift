import Foundation
import Testing

/// Runs a reference script of analysis/reference/ on a list of JSON cases and returns its
/// "results", one dictionary per case. The interpreter is the one the scikit-learn parity tests
/// use (INFOPLANE_PYTHON, else the checkout's .venv, else python3); a failing script fails the
/// test, it never skips.
enum ReferenceScript {
    static func run(_ script: String, cases: [String]) throws -> [[String: Any]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-reference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("cases.json")
        try Data((#"{"cases":["# + cases.joined(separator: ",") + "]}").utf8).write(to: input)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: KSGSklearnParityTests.python())
        process.arguments = [KSGSklearnParityTests.packageRoot.appendingPathComponent("analysis/reference/\(script)").path, input.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(script) failed (\(KSGSklearnParityTests.python())): \(message)")
        let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let results = try #require(parsed?["results"] as? [[String: Any]])
        try #require(results.count == cases.count, "\(script) answered \(results.count) of \(cases.count) cases")
        return results
    }

    /// A JSON list of doubles (shortest round-trip representation).
    static func list(_ values: [Double]) -> String { KSGSklearnParityTests.list(values) }

    /// `key` of `result` as doubles.
    static func doubles(_ result: [String: Any], _ key: String) throws -> [Double] {
        try #require((result[key] as? [NSNumber])?.map(\.doubleValue), "no \(key) in the reference result")
    }
}
