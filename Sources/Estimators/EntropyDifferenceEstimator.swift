import Foundation

/// I(X;Y) = H(X) − Σ_y p(y) H(X | Y = y) for continuous X and discrete Y, each entropy from
/// ``KozachenkoLeonenko`` — NPEET's `micd`, which the sliced-MI reference code of Wongso et al.
/// uses. In nats, without NPEET's final abs(): the raw difference.
///
/// p(y) = N_y / N; a class with N_y ≤ k samples (too few for a k-th neighbour) contributes
/// p(y)·H(X), as NPEET does. Classes are summed in ascending label order; a single class gives 0.
public struct EntropyDifferenceEstimator: Sendable {
    /// The neighbour order k (≥ 1), used for H(X) and every H(X | Y = y).
    public var k: Int

    /// An estimator using the k-th nearest neighbour.
    public init(k: Int = 5) {
        self.k = k
    }

    /// I(X;Y) for one-dimensional `x` (n > k samples) and its class `labels`: the fast path,
    /// allocation-free once `workspace` is warm.
    public func mutualInformation(_ x: UnsafeBufferPointer<Double>, labels: UnsafeBufferPointer<Int32>,
                                  workspace: KSGWorkspace) -> Double {
        precondition(x.count == labels.count, "entropy difference: x has \(x.count) samples but labels has \(labels.count)")
        precondition(k >= 1 && x.count > k, "entropy difference: k = \(k) needs at least \(k + 1) samples, got \(x.count)")
        return workspace.entropyDifference(x.baseAddress!, labels.baseAddress!, count: x.count, k: k)
    }

    /// I(X;Y) for `x` (row-major n × dx, n > k) and its class `labels`; dx = 1 takes the fast path.
    public func mutualInformation(x: UnsafeBufferPointer<Double>, dx: Int, labels: UnsafeBufferPointer<Int32>) -> Double {
        precondition(dx >= 1, "entropy difference: dimension must be positive, got \(dx)")
        let n = labels.count
        precondition(x.count == n * dx, "entropy difference: x holds \(x.count) values, not \(n) rows of \(dx)")
        precondition(k >= 1 && n > k, "entropy difference: k = \(k) needs at least \(k + 1) samples, got \(n)")
        if dx == 1 { return mutualInformation(x, labels: labels, workspace: KSGWorkspace()) }

        let entropyX = KozachenkoLeonenko(k: k).entropy(x: x, d: dx)
        let classes = LabelClasses(labels)
        let radius = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { radius.deallocate() }
        var conditional = 0.0
        for members in classes.members {
            let p = Double(members.count) / Double(n)
            guard members.count > k else {
                conditional += p * entropyX
                continue
            }
            var logSum = 0.0
            members.withUnsafeBufferPointer {
                kthNeighbourDistances(x.baseAddress!, dimension: dx, subset: $0.baseAddress!, count: $0.count,
                                      k: k, into: radius)
            }
            for row in members { logSum += log(radius[Int(row)]) }
            conditional += p * KozachenkoLeonenko.entropy(count: members.count, k: k, dimension: dx, logSum: logSum)
        }
        return entropyX - conditional
    }

    /// Checks `x` (n × dx) and `labels` before estimating: k ≥ 1, matching lengths, n ≥ k + 1,
    /// finite values.
    public static func validate(x: UnsafeBufferPointer<Double>, dx: Int = 1, labels: UnsafeBufferPointer<Int32>,
                                k: Int, xName: String = "T", labelName: String = "Y") throws {
        try KSGValidation.checkK(k)
        let n = try KSGValidation.rows(x, dimension: dx, name: xName)
        try KSGValidation.checkSameRows(n, labels.count, xName, labelName)
        try KSGValidation.checkSampleCount(n, k: k)
        try KSGValidation.checkFinite(x, dimension: dx, name: xName)
    }
}

extension KSGWorkspace {
    /// The entropy-difference estimate for one-dimensional `x` (see ``EntropyDifferenceEstimator``).
    func entropyDifference(_ x: UnsafePointer<Double>, _ labels: UnsafePointer<Int32>, count n: Int, k: Int) -> Double {
        let classes = assignClasses(labels, count: n)
        let xs = padSorted(sortedX.reserve(n + 2 * k), count: n, pad: k), ox = orderX.reserve(n)
        radixSort(x, count: n, sorted: xs, order: ox, rank: nil)
        layoutByClass(sorted: xs, order: ox, count: n, classes: classes, pad: k)
        let classOf = self.classOf.base!, size = classSize.base!, start = classStart.base!
        let values = stripX.base!, origin = stripOrigin.base!

        let radius = self.radius.reserve(n), classRadius = radius2.reserve(n)
        for t in 0..<n { radius[Int(ox[t])] = kthNeighbourDistance(padded: xs, at: t, k: k) }
        for c in 0..<classes where Int(size[c]) > k {
            let run = values + Int(start[c]), runPosition = origin + Int(start[c])
            for t in 0..<Int(size[c]) {
                classRadius[Int(ox[Int(runPosition[t])])] = kthNeighbourDistance(padded: run, at: t, k: k)
            }
        }

        // Row-order sums, per class in the same pass.
        let classSum = self.classSum.reserve(classes)
        classSum.update(repeating: 0, count: classes)
        var logSum = 0.0
        for i in 0..<n {
            logSum += log(radius[i])
            let c = Int(classOf[i])
            if Int(size[c]) > k { classSum[c] += log(classRadius[i]) }
        }
        let entropyX = KozachenkoLeonenko.entropy(count: n, k: k, dimension: 1, logSum: logSum)
        var conditional = 0.0
        for c in 0..<classes {
            let members = Int(size[c])
            let p = Double(members) / Double(n)
            conditional += members > k
                ? p * KozachenkoLeonenko.entropy(count: members, k: k, dimension: 1, logSum: classSum[c])
                : p * entropyX
        }
        return entropyX - conditional
    }
}
