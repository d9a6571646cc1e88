import CIntrinsics
import Support

/// Ross's (2014) KSG-style estimator of I(X;Y) between a continuous X and a discrete Y, in nats,
/// with scikit-learn's `_compute_mi_cd` semantics (but no final `max(0, ·)`).
///
/// Samples of classes with a single member are dropped (N counts the rest). For the others, with
/// N_c the size of sample i's class and k_i = min(k, N_c − 1), ε_i is the distance from x_i to its
/// k_i-th nearest neighbour within its own class (|·| in 1-D, the max-norm above), and
/// m_i = 1 + #{j ≠ i remaining : ‖x_j − x_i‖ < ε_i} (the sample itself plus strict neighbours). Then
///
///     I = ψ(N) + ⟨ψ(k_i)⟩ − ⟨ψ(N_c(i))⟩ − ⟨ψ(m_i)⟩,
///
/// each mean summed in row order (so fast paths equal brute force bit for bit). scikit-learn's
/// inclusive radius nextafter(ε, 0) gives the same m_i whenever ε_i > 0; at ε_i = 0 (duplicates
/// within a class) it would also count the exact duplicates.
public struct MixedKSGEstimator: Sendable {
    /// The neighbour order k (≥ 1); classes smaller than k + 1 use N_c − 1.
    public var k: Int

    /// An estimator using the k-th nearest neighbour within each class.
    public init(k: Int = 5) {
        self.k = k
    }

    /// I(X;Y) for one-dimensional `x` and its class `labels`: the fast path, allocation-free once
    /// `workspace` has seen a sample this large.
    public func mutualInformation(_ x: UnsafeBufferPointer<Double>, labels: UnsafeBufferPointer<Int32>,
                                  workspace: KSGWorkspace) -> Double {
        precondition(x.count == labels.count, "Ross KSG: x has \(x.count) samples but labels has \(labels.count)")
        precondition(k >= 1, "Ross KSG: k must be at least 1, got \(k)")
        precondition(x.count >= 2, "Ross KSG: needs at least 2 samples, got \(x.count)")
        return workspace.ross(x.baseAddress!, labels.baseAddress!, count: x.count, k: k)
    }

    /// I(X;Y) for `x` (row-major n × dx, max-norm distances) and its class `labels`;
    /// dx = 1 takes the fast path.
    public func mutualInformation(x: UnsafeBufferPointer<Double>, dx: Int,
                                  labels: UnsafeBufferPointer<Int32>) -> Double {
        precondition(dx >= 1, "Ross KSG: dimension must be positive, got \(dx)")
        let n = labels.count
        precondition(x.count == n * dx, "Ross KSG: x holds \(x.count) values, not \(n) rows of \(dx)")
        precondition(k >= 1, "Ross KSG: k must be at least 1, got \(k)")
        if dx == 1 { return mutualInformation(x, labels: labels, workspace: KSGWorkspace()) }

        let classes = LabelClasses(labels)
        precondition(classes.members.count > 1, "Ross KSG: the labels have a single class")
        let data = x.baseAddress!
        let radius = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let m = UnsafeMutablePointer<Int>.allocate(capacity: n)
        defer { radius.deallocate(); m.deallocate() }
        var remaining: [Int32] = []
        for members in classes.members where members.count > 1 {
            let kc = min(k, members.count - 1)
            members.withUnsafeBufferPointer {
                kthNeighbourDistances(data, dimension: dx, subset: $0.baseAddress!, count: $0.count, k: kc, into: radius)
            }
            remaining.append(contentsOf: members)
        }
        let total = remaining.count
        precondition(total >= 2, "Ross KSG: every class has a single sample")
        remaining.withUnsafeBufferPointer {
            strictCounts(data, dimension: dx, subset: $0.baseAddress!, count: total, radius: radius, into: m)
        }

        var sumK = 0.0, sumClass = 0.0, sumM = 0.0
        for i in 0..<n {
            let size = classes.members[classes.classOf[i]].count
            guard size > 1 else { continue }
            // m_i counts the sample itself; the strict count already did when ε_i > 0.
            let mi = radius[i] > 0 ? m[i] : 1
            sumK += Digamma.psi(Double(min(k, size - 1)))
            sumClass += Digamma.psi(Double(size))
            sumM += Digamma.psi(Double(mi))
        }
        let count = Double(total)
        return Digamma.psi(count) + sumK / count - sumClass / count - sumM / count
    }

    /// Checks `x` (n × dx) and `labels` before estimating: k ≥ 1, matching lengths, finite values,
    /// more than one class and some class with two samples. Throws an ``InfoPlaneError``.
    public static func validate(x: UnsafeBufferPointer<Double>, dx: Int = 1, labels: UnsafeBufferPointer<Int32>,
                                k: Int, xName: String = "T", labelName: String = "Y") throws {
        try KSGValidation.checkK(k)
        let n = try KSGValidation.rows(x, dimension: dx, name: xName)
        try KSGValidation.checkSameRows(n, labels.count, xName, labelName)
        try KSGValidation.checkFinite(x, dimension: dx, name: xName)
        try KSGValidation.checkLabels(labels, name: labelName, variable: xName)
    }
}

extension KSGWorkspace {
    /// Ross's estimator for one-dimensional `x` (see ``MixedKSGEstimator``); `xOrder`, when
    /// given, is x's ``sortOrder(_:count:into:)`` (saves sorting it again; same result).
    /// `sortedX`, when given, is x already sorted with its bucket index (``ksgKeepingY``'s y):
    /// used as it is when no class is a singleton (same result, neither copied nor indexed again).
    /// `kernels`: CIntrinsics' kernels for the per-class k-th distances and the counts
    /// (for tests: by default, the widest the processor runs; the same value with any).
    func ross(_ x: UnsafePointer<Double>, _ labels: UnsafePointer<Int32>, count n: Int, k: Int,
              xOrder: UnsafePointer<Int32>? = nil, sortedX presorted: SortedVariable? = nil,
              kernels: SIMDKernels = .best) -> Double {
        let classes = assignClasses(labels, count: n)
        precondition(classes > 1, "Ross KSG: the labels have a single class")
        let size = classSize.base!, classOf = self.classOf.base!
        var total = 0
        for c in 0..<classes where size[c] > 1 { total += Int(size[c]) }
        precondition(total >= 2, "Ross KSG: every class has a single sample")
        if let presorted, total == n {
            return rossCounts(presorted.values, presorted.order, index: presorted.index, window: presorted.pad,
                              classes: classes, total: total, count: n, k: k, kernels: kernels)
        }
        // m_i is about k over the share of i's class (k·classes when balanced), half of it on
        // each side: a fallback window of k·classes per side leaves room (larger counts fall back
        // to a search of the whole array). Any window gives the same counts, only as fast.
        let window = searchWindow(expected: Double(k) * Double(classes), count: total)
        let xs = padSorted(sortedX.reserve(n + 2 * window), count: n, pad: window)
        let (ox, sortedIndex) = sortedCopy(x, count: n, knownOrder: xOrder, sorted: xs, order: &orderX, rank: nil, buckets: &bucketsX)

        // The sorted sample without singleton classes (padded for the searches), and the
        // remaining rows in that order: the sorted sample itself when no class is a singleton.
        var kept = xs, keptOrder = ox, index = sortedIndex
        if total < n {
            kept = padSorted(sortedY.reserve(total + 2 * window), count: total, pad: window)
            let remaining = orderY.reserve(total)
            var slot = 0
            for t in 0..<n {
                let i = Int(ox[t])
                guard size[Int(classOf[i])] > 1 else { continue }
                kept[slot] = xs[t]
                remaining[slot] = ox[t]
                slot += 1
            }
            keptOrder = UnsafePointer(remaining)
            index = bucketIndex(kept, count: total, perSample: BucketIndex.perSample, storage: &bucketsX)
        }
        return rossCounts(kept, keptOrder, index: index, window: window, classes: classes, total: total, count: n, k: k,
                          kernels: kernels)
    }

    /// KSG's I(x; y) and Ross's I(y; labels) of one slice, sharing y's sorted copy and bucket
    /// index: the values of ``ksg(_:_:count:k:mergeWindows:xOrder:yOrder:kernels:)`` and
    /// ``ross(_:_:count:k:xOrder:sortedX:kernels:)`` called one after the other, bit for bit. `xSorted`:
    /// x given in ascending order, as ``ksgKeepingY`` takes it.
    func ksgAndRoss(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ labels: UnsafePointer<Int32>, count n: Int, k: Int,
                    xOrder: UnsafePointer<Int32>? = nil, yOrder: UnsafePointer<Int32>? = nil,
                    xSorted: Bool = false) -> (ksg: Double, ross: Double) {
        // Classes first: numbering sparse labels uses the buffers y's sorted copy is kept in.
        _ = assignClasses(labels, count: n)
        let (information, sortedY) = ksgKeepingY(x, y, count: n, k: k, xOrder: xOrder, yOrder: yOrder, xSorted: xSorted)
        return (information, ross(y, labels, count: n, k: k, xOrder: yOrder, sortedX: sortedY))
    }

    /// Ross's estimate from the sorted samples of the classes with two or more members (`kept`,
    /// padded by `window` for the fallback searches, in `keptOrder`) and their bucket index.
    private func rossCounts(_ kept: UnsafePointer<Double>, _ keptOrder: UnsafePointer<Int32>, index: BucketIndex?, window: Int,
                            classes: Int, total: Int, count n: Int, k: Int, kernels: SIMDKernels) -> Double {
        let size = classSize.base!
        psi.reserve(total)

        // ε_i from each class's own sorted run, by position in `kept`.
        layoutByClass(sorted: kept, order: keptOrder, count: total, classes: classes, pad: k)
        let start = classStart.base!, values = stripX.base!, position = stripOrigin.base!
        let radius = self.radius.reserve(total)
        for c in 0..<classes where size[c] > 1 {
            let members = Int(size[c])
            let kc = min(k, members - 1)
            let run = values + Int(start[c])
            let runPosition = position + Int(start[c])
            if kernels == .avx512 {
                infoplane_class_kth_distances_avx512(run, runPosition, Int64(members), Int64(kc), radius)
                continue
            }
            if kernels.vectorized {
                infoplane_class_kth_distances_avx2(run, runPosition, Int64(members), Int64(kc), radius)
                continue
            }
            for t in 0..<members {
                radius[Int(runPosition[t])] = kthNeighbourDistance(padded: run, at: t, k: kc)
            }
        }

        // m_i (the sample itself included) in sorted order, by row; a zero radius leaves only
        // the sample.
        let m = counts.reserve(n)
        forEachStrictCount(kept, order: keptOrder, radius: radius, index: index, count: total, window: window,
                           kernels: kernels) { row, r, c in
            m[row] = r > 0 ? Int32(truncatingIfNeeded: c) : 1
        }
        return rossSum(m, classes: classes, total: total, count: n, k: k)
    }

    /// ψ(N) + ⟨ψ(k_i)⟩ − ⟨ψ(N_c(i))⟩ − ⟨ψ(m_i)⟩ over the samples of classes with two or more
    /// members, each mean summed in row order.
    private func rossSum(_ m: UnsafePointer<Int32>, classes: Int, total: Int, count n: Int, k: Int) -> Double {
        let table = psi.values, classOf = self.classOf.base!, size = classSize.base!
        // Per class: ψ(k_c) and ψ(N_c), looked up once (the same values the rows add).
        let terms = classSum.reserve(2 * classes)
        for c in 0..<classes where size[c] > 1 {
            terms[2 * c] = table[min(k, Int(size[c]) - 1)]
            terms[2 * c + 1] = table[Int(size[c])]
        }
        var sumK = 0.0, sumClass = 0.0, sumM = 0.0
        for i in 0..<n {
            let c = Int(classOf[i])
            guard size[c] > 1 else { continue }
            sumK += terms[2 * c]
            sumClass += terms[2 * c + 1]
            sumM += table[Int(m[i])]
        }
        let count = Double(total)
        return table[total] + sumK / count - sumClass / count - sumM / count
    }
}
