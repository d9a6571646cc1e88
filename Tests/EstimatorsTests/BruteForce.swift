import Estimators
import Foundation
import Randomness

/// O(n²) estimators written straight from their definitions, summing in row order as the
/// library promises, so the fast paths must reproduce them exactly.
enum BruteForce {
    /// Max-norm distance between rows i and j of a row-major array with d columns.
    static func distance(_ a: UnsafeBufferPointer<Double>, _ d: Int, _ i: Int, _ j: Int) -> Double {
        var m = 0.0
        for c in 0..<d { m = max(m, abs(a[j * d + c] - a[i * d + c])) }
        return m
    }

    /// The k-th smallest of `values` (1-based k), keeping the k smallest seen in a sorted list
    /// (a full sort per sample makes debug-build tests far too slow).
    static func kthSmallest(_ values: [Double], _ k: Int) -> Double {
        var smallest = [Double](repeating: .infinity, count: k)
        for value in values where value < smallest[k - 1] {
            var j = k - 1
            while j > 0 && smallest[j - 1] > value {
                smallest[j] = smallest[j - 1]
                j -= 1
            }
            smallest[j] = value
        }
        return smallest[k - 1]
    }

    /// KSG algorithm 1: ψ(k) + ψ(N) − ⟨ψ(n_x + 1) + ψ(n_y + 1)⟩ with strict marginal counts.
    static func ksg(x: [Double], dx: Int = 1, y: [Double], dy: Int = 1, k: Int) -> Double {
        let n = x.count / dx
        return x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                var sum = 0.0
                var joint = [Double](repeating: 0, count: n - 1)
                for i in 0..<n {
                    var slot = 0
                    for j in 0..<n where j != i {
                        joint[slot] = max(distance(x, dx, i, j), distance(y, dy, i, j))
                        slot += 1
                    }
                    let epsilon = kthSmallest(joint, k)
                    var nx = 0, ny = 0
                    for j in 0..<n where j != i {
                        if distance(x, dx, i, j) < epsilon { nx += 1 }
                        if distance(y, dy, i, j) < epsilon { ny += 1 }
                    }
                    sum += Digamma.psi(Double(nx + 1)) + Digamma.psi(Double(ny + 1))
                }
                return Digamma.psi(Double(k)) + Digamma.psi(Double(n)) - sum / Double(n)
            }
        }
    }

    /// Ross (2014) with scikit-learn's conventions (see `MixedKSGEstimator`).
    static func ross(x: [Double], dx: Int = 1, labels: [Int32], k: Int) -> Double {
        let n = labels.count
        var size: [Int32: Int] = [:]
        for label in labels { size[label, default: 0] += 1 }
        return x.withUnsafeBufferPointer { x in
            var radius = [Double](repeating: .nan, count: n)
            for i in 0..<n where size[labels[i]]! > 1 {
                let kc = min(k, size[labels[i]]! - 1)
                var within: [Double] = []
                for j in 0..<n where j != i && labels[j] == labels[i] { within.append(distance(x, dx, i, j)) }
                radius[i] = kthSmallest(within, kc)
            }
            var total = 0
            var sumK = 0.0, sumClass = 0.0, sumM = 0.0
            for i in 0..<n where size[labels[i]]! > 1 {
                total += 1
                var m = 1
                for j in 0..<n where j != i && size[labels[j]]! > 1 && distance(x, dx, i, j) < radius[i] { m += 1 }
                sumK += Digamma.psi(Double(min(k, size[labels[i]]! - 1)))
                sumClass += Digamma.psi(Double(size[labels[i]]!))
                sumM += Digamma.psi(Double(m))
            }
            let count = Double(total)
            return Digamma.psi(count) + sumK / count - sumClass / count - sumM / count
        }
    }

    /// NPEET's max-norm Kozachenko–Leonenko entropy of the rows `members` of x.
    static func entropy(x: [Double], d: Int = 1, members: [Int]? = nil, k: Int) -> Double {
        let rows = members ?? Array(0..<(x.count / d))
        return x.withUnsafeBufferPointer { x in
            var logSum = 0.0
            for i in rows {
                var distances: [Double] = []
                for j in rows where j != i { distances.append(distance(x, d, i, j)) }
                logSum += log(kthSmallest(distances, k))
            }
            let n = rows.count
            let constant = Digamma.psi(Double(n)) - Digamma.psi(Double(k)) + Double(d) * log(2.0)
            return constant + Double(d) * (logSum / Double(n))
        }
    }

    /// NPEET's `micd` without abs(): H(X) − Σ_y p(y) H(X | y), classes in ascending label order.
    static func entropyDifference(x: [Double], d: Int = 1, labels: [Int32], k: Int) -> Double {
        let n = labels.count
        let entropyX = entropy(x: x, d: d, k: k)
        var conditional = 0.0
        for label in Set(labels).sorted() {
            let members = (0..<n).filter { labels[$0] == label }
            let p = Double(members.count) / Double(n)
            conditional += members.count > k ? p * entropy(x: x, d: d, members: members, k: k) : p * entropyX
        }
        return entropyX - conditional
    }
}

/// Reproducible test data.
enum Fixtures {
    static func stream(_ purpose: String, _ indices: Int...) -> RandomStream {
        RandomStream(seed: 20_240_601, stream: RandomStream.streamID(purpose, indices))
    }

    /// n pairs (x, y) of standard normals with correlation ρ.
    static func gaussianPair(n: Int, rho: Double, seed: Int) -> ([Double], [Double]) {
        var random = stream("gaussian-pair", seed)
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<n {
            let a = random.nextGaussian(), b = random.nextGaussian()
            x.append(a)
            y.append(rho * a + (1 - rho * rho).squareRoot() * b)
        }
        return (x, y)
    }

    /// n standard-normal rows of d columns, the i-th row correlated with `base` row i when given.
    static func gaussianRows(n: Int, d: Int, seed: Int, base: [Double]? = nil, baseColumns: Int = 1,
                             rho: Double = 0) -> [Double] {
        var random = stream("gaussian-rows", seed, d)
        var out: [Double] = []
        for i in 0..<n {
            for c in 0..<d {
                let noise = random.nextGaussian()
                if let base {
                    let shared = base[i * baseColumns + c % baseColumns]
                    out.append(rho * shared + (1 - rho * rho).squareRoot() * noise)
                } else {
                    out.append(noise)
                }
            }
        }
        return out
    }

    /// Standard Cauchy deviates (heavy tails).
    static func cauchy(n: Int, seed: Int) -> [Double] {
        var random = stream("cauchy", seed)
        return (0..<n).map { _ in tan(Double.pi * (random.nextUniform() - 0.5)) }
    }

    /// Uniform labels 0..<classes.
    static func labels(n: Int, classes: Int, seed: Int) -> [Int32] {
        var random = stream("labels", seed, classes)
        return (0..<n).map { _ in Int32(random.nextInt(below: classes)) }
    }

    /// x = class mean + noise, so X carries information about the label.
    static func classConditional(labels: [Int32], d: Int = 1, separation: Double, seed: Int) -> [Double] {
        var random = stream("class-conditional", seed, d)
        var out: [Double] = []
        for label in labels {
            for c in 0..<d { out.append(separation * Double(label) * (c == 0 ? 1 : 0.5) + random.nextGaussian()) }
        }
        return out
    }

    /// Rounds to one decimal: many ties.
    static func rounded(_ values: [Double]) -> [Double] {
        values.map { ($0 * 10).rounded() / 10 }
    }
}
