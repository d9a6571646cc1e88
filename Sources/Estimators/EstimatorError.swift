/// A problem with an estimator's input, described in one line that names it and the fix.
public struct EstimatorError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
