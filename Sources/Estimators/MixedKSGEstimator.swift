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
    /// Ross's estimator for one-dimensional `x` (see ``MixedKSGEstimator``).
    func ross(_ x: UnsafePointer<Double>, _ labels: UnsafePointer<Int32>, count n: Int, k: Int) -> Double {
        let classes = assignClasses(labels, count: n)
        precondition(classes > 1, "Ross KSG: the labels have a single class")
        let xs = sortedX.reserve(n), ox = orderX.reserve(n)
        radixSort(x, count: n, sorted: xs, order: ox, rank: nil)
        layoutByClass(sorted: xs, order: ox, count: n, classes: classes, pad: k)
        let classOf = self.classOf.base!, size = classSize.base!, start = classStart.base!
        let values = stripX.base!, origin = stripOrigin.base!

        // ε_i from each class's own sorted run.
        let radius = self.radius.reserve(n)
        for c in 0..<classes where size[c] > 1 {
            let members = Int(size[c])
            let kc = min(k, members - 1)
            let run = values + Int(start[c])
            let runOrigin = origin + Int(start[c])
            for t in 0..<members {
                radius[Int(runOrigin[t])] = kthNeighbourDistance(padded: run, at: t, k: kc)
            }
        }

        // The sorted sample without singleton classes (padded for windowed counting), and the
        // remaining rows in that order.
        var total = 0
        for c in 0..<classes where size[c] > 1 { total += Int(size[c]) }
        precondition(total >= 2, "Ross KSG: every class has a single sample")
        // m_i is about k over the share of i's class (k·classes when balanced), half of it on
        // each side: windows of k·classes per side leave room (larger counts fall back to a
        // search of the whole array).
        let window = searchWindow(expected: Double(k) * Double(classes), count: total)
        let kept = padSorted(sortedY.reserve(total + 2 * window), count: total, pad: window)
        let keptOrder = orderY.reserve(total)
        var slot = 0
        for t in 0..<n {
            let i = Int(ox[t])
            guard size[Int(classOf[i])] > 1 else { continue }
            kept[slot] = xs[t]
            keptOrder[slot] = ox[t]
            slot += 1
        }
        psi.reserve(total)
        let table = psi.values

        // m_i in sorted order (neighbouring queries touch neighbouring memory), eight at a time
        // (sixteen interleaved search chains; `kept + 4` holds the last four at t … t + 3), then
        // four (`kept + 2`), then two at a time; a zero radius leaves only the sample itself.
        let m = counts.reserve(n)
        var t = 0
        while t + 7 < total {
            var ra = SIMD4<Double>(), rb = SIMD4<Double>()
            for d in 0..<4 {
                ra[d] = radius[Int(keptOrder[t + d])]
                rb[d] = radius[Int(keptOrder[t + 4 + d])]
            }
            let one = SIMD4<Double>(repeating: 1)
            var (ma, mb) = windowedCounts(kept, kept + 4, at: t, ra.replacing(with: one, where: .!(ra .> 0)),
                                          rb.replacing(with: one, where: .!(rb .> 0)), window: window)
            for d in 0..<4 {
                // A saturated window: search the whole array (the second query is a dummy).
                if ma[d] < 0 {
                    let v = kept[t + d]
                    ma[d] = strictCounts(kept, v, ra[d] > 0 ? ra[d] : 1, kept, v, 1, count: total).0
                }
                if mb[d] < 0 {
                    let v = kept[t + 4 + d]
                    mb[d] = strictCounts(kept, v, rb[d] > 0 ? rb[d] : 1, kept, v, 1, count: total).0
                }
                m[Int(keptOrder[t + d])] = ra[d] > 0 ? Int32(truncatingIfNeeded: ma[d]) : 1
                m[Int(keptOrder[t + 4 + d])] = rb[d] > 0 ? Int32(truncatingIfNeeded: mb[d]) : 1
            }
            t += 8
        }
        while t + 3 < total {
            let i0 = Int(keptOrder[t]), i1 = Int(keptOrder[t + 1])
            let i2 = Int(keptOrder[t + 2]), i3 = Int(keptOrder[t + 3])
            let r0 = radius[i0], r1 = radius[i1], r2 = radius[i2], r3 = radius[i3]
            let q0 = r0 > 0 ? r0 : 1, q1 = r1 > 0 ? r1 : 1, q2 = r2 > 0 ? r2 : 1, q3 = r3 > 0 ? r3 : 1
            var (m0, m1, m2, m3) = windowedCounts(kept, t, q0, t + 1, q1, kept + 2, q2, q3, window: window)
            if m0 < 0 || m1 < 0 {
                (m0, m1) = strictCounts(kept, kept[t], q0, kept, kept[t + 1], q1, count: total)
            }
            if m2 < 0 || m3 < 0 {
                (m2, m3) = strictCounts(kept, kept[t + 2], q2, kept, kept[t + 3], q3, count: total)
            }
            m[i0] = r0 > 0 ? Int32(truncatingIfNeeded: m0) : 1
            m[i1] = r1 > 0 ? Int32(truncatingIfNeeded: m1) : 1
            m[i2] = r2 > 0 ? Int32(truncatingIfNeeded: m2) : 1
            m[i3] = r3 > 0 ? Int32(truncatingIfNeeded: m3) : 1
            t += 4
        }
        while t < total {
            let u = min(t + 1, total - 1)
            let i = Int(keptOrder[t]), j = Int(keptOrder[u])
            let ri = radius[i], rj = radius[j]
            var (mi, mj) = windowedCounts(kept, t, ri > 0 ? ri : 1, u, rj > 0 ? rj : 1, window: window)
            if mi < 0 || mj < 0 {
                (mi, mj) = strictCounts(kept, kept[t], ri > 0 ? ri : 1, kept, kept[u], rj > 0 ? rj : 1, count: total)
            }
            m[i] = ri > 0 ? Int32(truncatingIfNeeded: mi) : 1
            m[j] = rj > 0 ? Int32(truncatingIfNeeded: mj) : 1
            t += 2
        }
        var sumK = 0.0, sumClass = 0.0, sumM = 0.0
        for i in 0..<n {
            let members = Int(size[Int(classOf[i])])
            guard members > 1 else { continue }
            sumK += table[min(k, members - 1)]
            sumClass += table[members]
            sumM += table[Int(m[i])]
        }
        let count = Double(total)
        return table[total] + sumK / count - sumClass / count - sumM / count
    }
}
