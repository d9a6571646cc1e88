@testable import Estimators
import Foundation
import Testing

/// The marginal counts through a bucket index (KSGBucketIndex.swift) against a plain count, on
/// sorted arrays that crowd buckets, round near bucket edges or repeat values, with radii that
/// are exact distances between entries (where the strict `<` decides) and their neighbours.
struct KSGBucketIndexTests {
    /// Named ascending arrays of n values.
    static func arrays(n: Int) -> [(String, [Double])] {
        var random = Fixtures.stream("bucket-index", n)
        let gauss = (0..<n).map { _ in random.nextGaussian() }
        var outliers = gauss
        outliers[0] = -1e6
        outliers[n - 1] = 3e7
        return [
            ("gaussian", gauss),
            // A handful of extreme values: the buckets of the bulk hold hundreds of entries.
            ("outliers", outliers),
            // Clusters narrower than a bucket, ties broken at 1e-12.
            ("clusters", gauss.map { ($0 * 2).rounded() + 1e-12 * $0 }),
            // A span of 1e-3 around 1e8: bucket edges fall between neighbouring doubles.
            ("offset", gauss.map { 1e8 + 1e-3 * $0 }),
            ("ties", gauss.map { ($0 * 20).rounded() / 20 }),
            ("two values", gauss.map { $0 > 0.3 ? 1 : -1 }),
            ("exponential", gauss.map { exp(2 * $0) }),
        ].map { ($0.0, $0.1.sorted()) }
    }

    /// #{p : |a[p] − v| < r} by definition.
    static func plainCount(_ a: [Double], _ v: Double, _ r: Double) -> Int {
        a.reduce(0) { $0 + (abs($1 - v) < r ? 1 : 0) }
    }

    /// Every search: the portable one and each kernel this processor runs (AVX2, AVX-512).
    static let searches = SIMDKernels.runnable

    @Test(arguments: [1, 2], searches)
    func countsEqualPlainCounts(perSample: Int, kernels: SIMDKernels) {
        let workspace = KSGWorkspace()
        var random = Fixtures.stream("bucket-index-radii", perSample)
        for n in [2, 9, 300, 2000] {
            for (name, values) in Self.arrays(n: n) {
                let pad = 64
                let storage = UnsafeMutablePointer<Double>.allocate(capacity: n + 2 * pad)
                defer { storage.deallocate() }
                let a = padSorted(storage, count: n, pad: pad)
                a.update(from: values, count: n)
                var buckets = Scratch<Int32>()
                defer { buckets.free() }
                let index = workspace.bucketIndex(a, count: n, perSample: perSample, storage: &buckets)
                #expect((index == nil) == (values[n - 1] == values[0]), "\(name), n = \(n)")
                // Per position: an exact distance to another entry, just below or above it, or a
                // random width; positions are visited with their radii as the estimators do.
                var radius = [Double](repeating: 0, count: n)
                for t in 0..<n {
                    let other = values[random.nextInt(below: n)]
                    let exact = abs(other - values[t])
                    switch random.nextInt(below: 4) {
                    case 0: radius[t] = exact
                    case 1: radius[t] = exact.nextUp
                    case 2: radius[t] = exact.nextDown
                    default: radius[t] = abs(random.nextGaussian()) * 0.3
                    }
                }
                let order = (0..<n).map { Int32($0) }
                var counted = [Int](repeating: -2, count: n)
                radius.withUnsafeBufferPointer { r in
                    order.withUnsafeBufferPointer { o in
                        forEachStrictCount(a, order: o.baseAddress!, radius: r.baseAddress!, index: index, count: n,
                                           window: pad, kernels: kernels) { row, r, c in
                            if r > 0 { counted[row] = c }
                        }
                    }
                }
                // The kernel's searches, position by position (misses included), where it runs.
                var kernel = [Int32](repeating: -2, count: n)
                if kernels.vectorized, let index {
                    kernel = Self.kernelCounts(a, index, radius, kernels)
                }
                var misses = 0
                for t in 0..<n where radius[t] > 0 {
                    let expected = Self.plainCount(values, values[t], radius[t])
                    #expect(counted[t] == expected, "\(name), n = \(n), t = \(t), r = \(radius[t])")
                    // The bucketed count alone is exact or reports a miss.
                    if let index {
                        let direct = bucketedCount(a, index, values[t], radius[t])
                        #expect(direct == expected || direct == -1, "\(name), n = \(n), t = \(t): \(direct)")
                        if direct == -1 { misses += 1 }
                        if kernels.vectorized { #expect(Int(kernel[t]) == direct, "\(name), n = \(n), t = \(t): kernel \(kernel[t])") }
                    }
                }
                // Where buckets are fine enough the index settles nearly every count.
                if name == "gaussian" && n >= 300 { #expect(misses * 50 < n, "\(misses) misses of \(n)") }
            }
        }
    }

    /// The AVX2 or AVX-512 counts kernel's result per position, from the first position on in
    /// the call (a first position off a multiple of eight, and lengths not one, so the AVX-512
    /// kernel's AVX2 tail runs too).
    static func kernelCounts(_ a: UnsafePointer<Double>, _ index: BucketIndex, _ radius: [Double],
                             _ kernels: SIMDKernels) -> [Int32] {
        let n = radius.count
        var kernel = [Int32](repeating: -2, count: n)
        var first = 0, length = 3
        while first < n {
            let size = min(length, n - first)
            kernel.withUnsafeMutableBufferPointer { out in
                bucketedCounts(a, index, radius: radius, first: first, count: size, into: out.baseAddress! + first, kernels: kernels)
            }
            first += size
            length = length * 3 + 1
        }
        return kernel
    }

    /// The kernels are chosen wherever the processor runs them: on Linux, the widest set must be
    /// the one /proc/cpuinfo's flags allow (else the estimators would silently take a slower path).
    @Test func kernelsAreDetectedWhereTheProcessorHasThem() throws {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let listed = Set(flags.split(separator: " ").map(String.init))
        let avx2 = listed.contains("avx2") && listed.contains("popcnt")
        let avx512 = avx2 && ["avx512f", "avx512dq", "avx512bw", "avx512vl", "fma"].allSatisfy(listed.contains)
        #expect(SIMDKernels.best == (avx512 ? .avx512 : avx2 ? .avx2 : .portable), "\(SIMDKernels.best)")
    }

    /// The table by its definition: start[b] = #{p : bucket(a[p]) < b}, as counts per bucket
    /// summed (on Int, indexed arrays: no shared code with the builder).
    static func countedTable(_ values: [Double], _ index: BucketIndex, buckets: Int) -> [Int32] {
        var table = [Int32](repeating: 0, count: buckets + 2)
        for v in values { table[index.bucket(v) + 1] += 1 }
        for b in 1..<table.count { table[b] += table[b - 1] }
        return table
    }

    /// The builder's table equals the definition on every array: dense buckets, sparse tails
    /// (empty buckets between entries), ties and two-valued data, over stale storage.
    @Test(arguments: [1, 2])
    func tableEqualsCountedTable(perSample: Int) {
        let workspace = KSGWorkspace()
        for n in [2, 3, 9, 300, 2000] {
            for (name, values) in Self.arrays(n: n) {
                var buckets = Scratch<Int32>()
                defer { buckets.free() }
                // Stale entries in the storage must not survive.
                buckets.reserve(2 * perSample * n + 16).update(repeating: -7, count: 2 * perSample * n + 16)
                guard let index = values.withUnsafeBufferPointer({
                    workspace.bucketIndex($0.baseAddress!, count: n, perSample: perSample, storage: &buckets)
                }) else {
                    #expect(values[n - 1] == values[0], "\(name), n = \(n): no index")
                    continue
                }
                let count = perSample * n
                let expected = Self.countedTable(values, index, buckets: count)
                let built = Array(UnsafeBufferPointer(start: index.start, count: count + 2))
                #expect(built == expected, "\(name), n = \(n), perSample = \(perSample)")
            }
        }
    }

    /// The index the fixed-point sort keeps (`radixSort(…, bucketTable:)`): its table equals the
    /// definition over the sorted values, it settles nearly every count on Gaussian data, the
    /// sort itself is the one without a table, and `sortedCopy` hands it on.
    @Test func sortKeepsItsBucketIndex() {
        let workspace = KSGWorkspace()
        for n in [2, 9, 300, 2000, 5000] {
            for (name, values) in Self.arrays(n: n) {
                var random = Fixtures.stream("bucket-index-shuffle", n)
                var shuffled = values
                for t in stride(from: n - 1, to: 0, by: -1) { shuffled.swapAt(t, random.nextInt(below: t + 1)) }
                let size = BucketIndex.fusedTableSize(count: n)
                var table = [Int32](repeating: -7, count: size)
                var sorted = [Double](repeating: 0, count: n), plain = sorted
                var order = [Int32](repeating: 0, count: n), plainOrder = order
                let index = shuffled.withUnsafeBufferPointer { v in
                    workspace.radixSort(v.baseAddress!, count: n, sorted: &sorted, order: &plainOrder, rank: nil, bucketTable: &table)
                }
                shuffled.withUnsafeBufferPointer { v in
                    workspace.radixSort(v.baseAddress!, count: n, sorted: &plain, order: &order, rank: nil)
                }
                #expect(sorted == values && plain == values && order == plainOrder, "\(name), n = \(n)")
                guard let index else {
                    // Only data the fixed-point sort leaves to the general one go without.
                    #expect(name != "gaussian" && name != "exponential", "\(name), n = \(n): no index kept")
                    continue
                }
                #expect(index.shift == 11 && 1 << BucketIndex.fusedDigitBits(count: n) >= n, "\(name), n = \(n)")
                let expected = Self.countedTable(values, index, buckets: size - 2)
                let differing = (0..<size).first { table[$0] != expected[$0] }
                #expect(differing == nil, "\(name), n = \(n): entry \(differing ?? -1) of \(size) differs")
                guard name == "gaussian" && n >= 300 else { continue }
                var misses = 0
                let pad = BucketIndex.window
                let storage = UnsafeMutablePointer<Double>.allocate(capacity: n + 2 * pad)
                defer { storage.deallocate() }
                let a = padSorted(storage, count: n, pad: pad)
                a.update(from: values, count: n)
                let radius = (0..<n).map { _ in abs(random.nextGaussian()) * 0.3 }
                // The kernels read the kept index (shifted buckets) as the portable search does.
                let kernels = SIMDKernels.runnable.dropFirst().map { Self.kernelCounts(a, index, radius, $0) }
                for t in 0..<n {
                    let r = radius[t]
                    let direct = bucketedCount(a, index, values[t], r)
                    #expect(direct == Self.plainCount(values, values[t], r) || direct == -1, "n = \(n), t = \(t)")
                    if direct == -1 { misses += 1 }
                    for kernel in kernels { #expect(Int(kernel[t]) == direct, "n = \(n), t = \(t): kernel \(kernel[t])") }
                }
                #expect(misses * 50 < n, "\(misses) misses of \(n)")
                // sortedCopy passes the kept index on rather than building another.
                var orderScratch = Scratch<Int32>(), buckets = Scratch<Int32>()
                defer { orderScratch.free(); buckets.free() }
                let copied = shuffled.withUnsafeBufferPointer { v in
                    workspace.sortedCopy(v.baseAddress!, count: n, knownOrder: nil, sorted: a, order: &orderScratch, rank: nil,
                                         buckets: &buckets).index
                }
                #expect(copied?.shift == 11, "n = \(n)")
            }
        }
    }
}
