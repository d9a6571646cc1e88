import Foundation

/// Progress lines on standard error (standard output stays free for results). Silent when quiet.
public struct ProgressLog: Sendable {
    /// Print nothing.
    public var quiet: Bool
    /// Put before every line, e.g. `copy 2: ` when an ensemble's copies run side by side.
    public var prefix: String
    /// A log that prints unless `quiet`, each line after `prefix`.
    public init(quiet: Bool, prefix: String = "") {
        self.quiet = quiet
        self.prefix = prefix
    }

    /// On a terminal each line first clears the current one, where a progress bar may be drawn
    /// (the bar is redrawn below it at its next update).
    public func callAsFunction(_ line: String) {
        guard !quiet else { return }
        StandardError.progress((Self.terminal ? "\r\u{1B}[K" : "") + prefix + line + "\n")
    }

    /// Whether standard error is a terminal (progress bars are redrawn in place there).
    public static let terminal = isatty(STDERR_FILENO) != 0
}
