import Foundation

/// Progress lines on standard error (standard output stays free for results). Silent when quiet.
public struct ProgressLog: Sendable {
    public var quiet: Bool
    public init(quiet: Bool) { self.quiet = quiet }

    /// On a terminal each line first clears the current one, where a progress bar may be drawn
    /// (the bar is redrawn below it at its next update).
    public func callAsFunction(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data(((Self.terminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
    }

    static let terminal = isatty(STDERR_FILENO) != 0
}
