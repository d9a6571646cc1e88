/// Reusable memory for the 1-D fast paths of ``KSGEstimator``, ``MixedKSGEstimator``,
/// ``KozachenkoLeonenko`` and ``EntropyDifferenceEstimator``.
///
/// Buffers grow to the largest sample seen and are then reused, so a warm workspace makes
/// calls allocation-free. A workspace is not thread-safe: give each thread its own.
public final class KSGWorkspace {
    /// ψ(1…N) for the counts the estimators look up.
    let psi = DigammaTable()

    // Sorting (see KSGSort.swift).
    var keys = Scratch<UInt64>()
    var keysSwap = Scratch<UInt64>()
    var orderSwap = Scratch<Int32>()
    var histogram = Scratch<Int32>()

    // Sorted copies of the two variables and, per sample, where it landed.
    var sortedX = Scratch<Double>()
    var sortedY = Scratch<Double>()
    var orderX = Scratch<Int32>()
    var orderY = Scratch<Int32>()
    var rankedX = Scratch<RankedValue>()

    // The strip layout of the joint sample (x-rank strips, y-sorted inside each) and one window
    // (see KSGJointNeighbours.swift). `stripX`/`stripOrigin`/`stripFill` also hold the class runs
    // of the label estimators (KSGClasses.swift).
    var stripPoints = Scratch<SIMD2<Double>>()
    var stripRankX = Scratch<Int32>()
    var stripRankY = Scratch<Int32>()
    var stripIndex = Scratch<Int32>()
    var stripFill = Scratch<Int32>()
    var windowX = Scratch<Double>()
    var windowY = Scratch<Double>()
    var windowSlot = Scratch<Int32>()
    var stripX = Scratch<Double>()
    var stripOrigin = Scratch<Int32>()

    // Per-sample results, indexed by the original row so sums run in row order.
    var radius = Scratch<Double>()
    var radius2 = Scratch<Double>()
    var counts = Scratch<Int32>()
    var terms = Scratch<Double>()

    // Bucket indexes of the sorted marginals (see KSGBucketIndex.swift).
    var bucketsX = Scratch<Int32>()
    var bucketsY = Scratch<Int32>()

    // Labels mapped to dense class ids 0..<classes, in ascending label order.
    var classOf = Scratch<Int32>()
    var classSize = Scratch<Int32>()
    var classStart = Scratch<Int32>()
    var classSum = Scratch<Double>()
    var labelTable = Scratch<Int32>()
    /// The labels `classOf`/`classSize` were computed for (see `assignClasses`).
    var lastLabels = Scratch<Int32>()
    var lastLabelCount = -1
    var lastClassCount = 0

    /// The k smallest distances found so far for one query.
    var best = Scratch<Double>()
    /// The k-best lists of a strip's queries from the vectorised window walk (five rows of S + 7).
    var walkLists = Scratch<Double>()

    /// An empty workspace; buffers are allocated by the first call that uses it.
    public init() {}

    deinit {
        keys.free(); keysSwap.free(); orderSwap.free(); histogram.free()
        sortedX.free(); sortedY.free(); orderX.free(); orderY.free(); rankedX.free()
        stripPoints.free(); stripRankX.free(); stripRankY.free(); stripIndex.free(); stripFill.free()
        windowX.free(); windowY.free(); windowSlot.free(); stripX.free(); stripOrigin.free()
        radius.free(); radius2.free(); counts.free(); terms.free(); bucketsX.free(); bucketsY.free()
        classOf.free(); classSize.free(); classStart.free(); classSum.free(); labelTable.free(); lastLabels.free()
        best.free(); walkLists.free()
    }
}

/// A growable block of uninitialised trivial values (Double, integers) owned by a workspace.
struct Scratch<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>?
    private(set) var capacity = 0

    /// A pointer to at least `count` elements; contents are unspecified after growth.
    mutating func reserve(_ count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity || base == nil {
            base?.deallocate()
            // Over-allocate a little so slowly growing sizes do not reallocate every call.
            capacity = max(count, capacity + capacity / 2, 16)
            base = .allocate(capacity: capacity)
        }
        return base!
    }

    func free() { base?.deallocate() }
}
