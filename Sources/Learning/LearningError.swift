/// Errors from data loading and training. Each description is one line that names the problem
/// and, where there is one, the fix.
public struct LearningError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
