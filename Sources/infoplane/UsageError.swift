/// A command-line mistake reported as one line (ArgumentParser's `ValidationError` would also
/// print the usage text).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
