import Support

// Input checks shared by the estimators' `validate` helpers. The hot paths only `precondition`
// on what would make them crash or loop; these give the one-line messages a user should see.

enum KSGValidation {
    /// k must be a positive neighbour count.
    static func checkK(_ k: Int) throws {
        guard k >= 1 else { throw InfoPlaneError("k must be at least 1, got \(k)") }
    }

    /// The row count of a row-major buffer of `dimension` columns.
    static func rows(_ values: UnsafeBufferPointer<Double>, dimension: Int, name: String) throws -> Int {
        guard dimension >= 1 else {
            throw InfoPlaneError("\(name) must have at least one column, got \(dimension)")
        }
        guard values.count % dimension == 0 else {
            throw InfoPlaneError("\(name) holds \(values.count) values, not a whole number of rows of \(dimension)")
        }
        return values.count / dimension
    }

    /// n samples are enough for the k-th neighbour of each to exist.
    static func checkSampleCount(_ n: Int, k: Int) throws {
        guard n >= k + 1 else { throw InfoPlaneError("k = \(k) needs at least \(k + 1) samples, got \(n)") }
    }

    /// Two variables describe the same samples.
    static func checkSameRows(_ a: Int, _ b: Int, _ nameA: String, _ nameB: String) throws {
        guard a == b else {
            throw InfoPlaneError("\(nameA) has \(a) rows but \(nameB) has \(b); they must describe the same samples")
        }
    }

    /// Every value is finite.
    static func checkFinite(_ values: UnsafeBufferPointer<Double>, dimension: Int, name: String) throws {
        for (offset, value) in values.enumerated() where !value.isFinite {
            throw InfoPlaneError("NaN or Inf in \(name) at row \(offset / dimension)")
        }
    }

    /// Labels that a continuous–discrete KSG estimate needs: more than one class, and some class
    /// with at least two samples.
    static func checkLabels(_ labels: UnsafeBufferPointer<Int32>, name: String, variable: String) throws {
        guard !labels.isEmpty else { throw InfoPlaneError("\(name) is empty") }
        var counts: [Int32: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        guard counts.count > 1 else {
            throw InfoPlaneError("discrete \(name) has a single class: I(\(variable);\(name)) is 0 "
                + "by definition and KSG cannot estimate it; check the labels")
        }
        guard counts.values.contains(where: { $0 > 1 }) else {
            throw InfoPlaneError("every class of discrete \(name) has a single sample: KSG needs a class "
                + "with at least two; check the labels")
        }
    }
}
