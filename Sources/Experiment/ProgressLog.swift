import Foundation

/// Progress lines on standard error (standard output stays free for results). Silent when quiet.
public struct ProgressLog: Sendable {
    public var quiet: Bool
    public init(quiet: Bool) { self.quiet = quiet }

    public func callAsFunction(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
