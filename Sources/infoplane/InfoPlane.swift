import ArgumentParser
import Estimators
import Foundation
import Support

/// `infoplane`: train networks and measure their Sliced Information Plane. Each subcommand lives
/// in a file named after it (Run.swift, Analyze.swift, …); the option groups they share are in
/// Options.swift. Commands turn their options into a request and hand it to the modules.
@main
struct InfoPlane: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infoplane",
        abstract: "Train neural networks and measure their Sliced Information Plane.",
        discussion: """
            Typical use: `infoplane train configs/fashion-h64.yaml`, then `infoplane inspect runs/fashion-h64/run.h5`.
            Configs are strict YAML files (see configs/); errors name the key and the fix.
            """,
        version: InfoPlaneVersion.string,
        subcommands: [Train.self, Run.self, Analyze.self, Redundancy.self, Memorisation.self, ClusterCheck.self, Estimate.self, Inspect.self, DataCommand.self, Bench.self])

    /// Parses and runs the command. Every failure is one line on standard error, `Error: …`:
    /// ours name the problem and the fix; ArgumentParser's parse errors (a missing or malformed
    /// value) get the command's help pointer in place of the usage block they would print.
    /// Help and version print as usual. Standard error is prepared first (``StandardError``), then
    /// BLAS: its kernels chosen for the processor (``BLASKernels``), one thread.
    static func main() {
        StandardError.prepare()
        BLASKernels.chooseForProcessor()
        // Every value is defined by one-threaded BLAS (OpenBLAS's threads change the last bits,
        // and idle ones spin): parallel work runs as ranks or as `--blas-threads`/`--threads`
        // workers, each calling BLAS on one thread, whatever OPENBLAS_NUM_THREADS says.
        BLASThreads.set(1)
        BLASThreads.stopIdleWorkers()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            let line = errorLine(for: error)
            if !line.isEmpty { StandardError.finalLine("Error: " + line) }
            Foundation.exit(code.rawValue)
        }
    }

    /// The one-line message for a failure (empty for an exit code alone: the job already said why).
    static func errorLine(for error: Error) -> String {
        let message = message(for: error).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
        // A parse error's full text ends with "See 'infoplane analyze --help' for more information."
        let full = fullMessage(for: error)
        guard !message.isEmpty, let see = full.range(of: "See '"), let end = full[see.upperBound...].firstIndex(of: "'") else {
            return message
        }
        return message + ": see '" + full[see.upperBound..<end] + "'"
    }
}
