import Foundation
import Randomness
import Support

/// Input checks shared by the binning and KDE estimators; each failure is one line naming the
/// problem and the fix.
enum ActivationChecks {
    /// Checks that `values` holds exactly `n × d` finite numbers with `n, d ≥ 1`.
    static func check<Scalar: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<Scalar>, n: Int, d: Int,
                                                   name: String = "activations") throws {
        guard n >= 1, d >= 1 else {
            throw InfoPlaneError("\(name) are empty (n = \(n), d = \(d)); pass at least one sample of at least one unit")
        }
        guard values.count == n * d else {
            throw InfoPlaneError("\(name) hold \(values.count) values but n × d = \(n) × \(d) = \(n * d); pass exactly n rows of d values")
        }
        for index in 0..<values.count where !values[index].isFinite {
            throw InfoPlaneError("\(name) contain \(values[index].isNaN ? "NaN" : "infinity") at sample \(index / d), unit \(index % d); remove or clip non-finite values first")
        }
    }

    /// Checks that there is one label per sample.
    static func checkLabels(_ labels: [Int32], n: Int) throws {
        guard labels.count == n else {
            throw InfoPlaneError("labels hold \(labels.count) entries but there are \(n) samples; pass one label per sample")
        }
    }
}

/// Plug-in entropies of discrete symbols, in nats, with a summation order fixed by the symbols
/// themselves (never by hash-table iteration, which Swift seeds per process).
enum DiscreteEntropy {
    /// −Σ p log p of the distinct values of `keys`, written as log n − (1/n) Σ c log c.
    static func entropy(of keys: [Int]) -> Double {
        let n = keys.count
        if n == 0 { return 0 }
        let sorted = keys.sorted()
        var sumCLogC = 0.0
        var run = 1
        for index in 1...n {
            if index < n && sorted[index] == sorted[index - 1] {
                run += 1
            } else {
                if run > 1 { sumCLogC += Double(run) * log(Double(run)) }
                run = 1
            }
        }
        return log(Double(n)) - sumCLogC / Double(n)
    }

    /// H(A, B) of two dense symbol sequences, `a` taking values in `0..<aCount`.
    static func jointEntropy(_ a: [Int], _ b: [Int], aCount: Int) -> Double {
        precondition(a.count == b.count, "jointEntropy needs sequences of equal length")
        return entropy(of: zip(a, b).map { $0.1 * aCount + $0.0 })
    }

    /// Dense identifiers `0..<count` for the distinct rows of an `n × width` integer matrix.
    ///
    /// Rows are sorted by a 64-bit hash and then lexicographically, and an identifier is assigned
    /// to each run of equal rows, so equal hashes of different rows (collisions) still get
    /// different identifiers. Identifiers follow that sorted order, which makes them, and every
    /// sum over them, independent of the process. `hashMask` exists so tests can force every row
    /// into one hash bucket.
    static func denseSymbols<Code: FixedWidthInteger & UnsignedInteger>(
        _ codes: UnsafeBufferPointer<Code>, n: Int, width: Int, hashMask: UInt64 = .max
    ) -> (ids: [Int], count: Int) {
        precondition(codes.count == n * width, "denseSymbols: codes hold \(codes.count), need \(n * width)")
        if n == 0 { return ([], 0) }
        var hashes = [UInt64](repeating: 0, count: n)
        for row in 0..<n {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for column in 0..<width {
                h = (h ^ UInt64(truncatingIfNeeded: codes[row * width + column])) &* 0x0000_0100_0000_01B3
            }
            hashes[row] = RandomStream.splitMix64(h) & hashMask
        }
        func rowOrder(_ a: Int, _ b: Int) -> Int {
            for column in 0..<width {
                let x = codes[a * width + column], y = codes[b * width + column]
                if x != y { return x < y ? -1 : 1 }
            }
            return 0
        }
        let order = (0..<n).sorted { a, b in
            if hashes[a] != hashes[b] { return hashes[a] < hashes[b] }
            return rowOrder(a, b) < 0
        }
        var ids = [Int](repeating: 0, count: n)
        var next = 0
        ids[order[0]] = 0
        for position in 1..<n {
            let a = order[position - 1], b = order[position]
            if hashes[a] != hashes[b] || rowOrder(a, b) != 0 { next += 1 }
            ids[b] = next
        }
        return (ids, next + 1)
    }

    /// Dense identifiers for the distinct rows of a finite `n × width` real matrix, by exact value
    /// (−0 and +0 are the same value).
    static func denseSymbols<Scalar: BinaryFloatingPoint>(values: UnsafeBufferPointer<Scalar>, n: Int,
                                                          width: Int) -> (ids: [Int], count: Int) {
        // Widening to Double is exact, and adding +0 maps −0 to +0 so equal values share bits.
        let bits = values.map { (Double($0) + 0).bitPattern }
        return bits.withUnsafeBufferPointer { denseSymbols($0, n: n, width: width) }
    }

    /// Dense identifiers for labels, numbered in increasing label order, and each label's rows.
    static func labelGroups(_ labels: [Int32]) -> (ids: [Int], rows: [[Int]]) {
        let distinct = Array(Set(labels)).sorted()
        var idOf = [Int32: Int](minimumCapacity: distinct.count)
        for (id, label) in distinct.enumerated() { idOf[label] = id }
        var rows = [[Int]](repeating: [], count: distinct.count)
        let ids = labels.enumerated().map { row, label in
            let id = idOf[label]!
            rows[id].append(row)
            return id
        }
        return (ids, rows)
    }
}
