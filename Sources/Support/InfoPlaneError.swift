/// A problem the user can fix, described in one line that names it and, where there is one, the
/// fix: a bad config key, an impossible option, a damaged or foreign file, a failed MPI call.
///
/// Every module throws this one type for such problems (``Storage``'s `StorageError` aside,
/// which also carries a kind callers react to). The command line prints it as `Error: <line>`.
public struct InfoPlaneError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The one-line description.
    public let description: String

    /// An error described by `description` (one line, no trailing period needed).
    public init(_ description: String) { self.description = description }
}
