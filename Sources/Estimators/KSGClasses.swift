import Foundation

// Discrete labels for the continuous–discrete estimators: dense class ids and a layout of the
// x-sorted sample grouped by class.

extension KSGWorkspace {
    /// Numbers the distinct labels 0..<classes in ascending label order, fills `classOf[i]` and
    /// `classSize[c]`, and returns the class count. Sparse label values fall back to sorting
    /// (which uses `sortedY`, `orderY` and `radius2` as scratch, so call this first).
    ///
    /// Sliced estimators pass the same labels slice after slice, so the result for the last
    /// labels seen is kept and reused when the labels compare equal (one memcmp).
    func assignClasses(_ labels: UnsafePointer<Int32>, count n: Int) -> Int {
        if n == lastLabelCount, memcmp(labels, lastLabels.base!, n * MemoryLayout<Int32>.stride) == 0 {
            return lastClassCount
        }
        let classes = numberClasses(labels, count: n)
        lastLabels.reserve(n).update(from: labels, count: n)
        lastLabelCount = n
        lastClassCount = classes
        return classes
    }

    private func numberClasses(_ labels: UnsafePointer<Int32>, count n: Int) -> Int {
        var lowest = labels[0], highest = labels[0]
        for i in 1..<n {
            lowest = min(lowest, labels[i])
            highest = max(highest, labels[i])
        }
        let range = Int(highest) - Int(lowest) + 1
        let classOf = self.classOf.reserve(n)
        var classes = 0
        if range <= 4 * n + 1024 {
            let table = labelTable.reserve(range)
            table.update(repeating: -1, count: range)
            for i in 0..<n { table[Int(labels[i]) - Int(lowest)] = 0 }
            for v in 0..<range where table[v] == 0 {
                table[v] = Int32(truncatingIfNeeded: classes)
                classes += 1
            }
            for i in 0..<n { classOf[i] = table[Int(labels[i]) - Int(lowest)] }
        } else {
            // Int32 labels are exact as Doubles, so the radix sort orders them too.
            let values = radius2.reserve(n)
            for i in 0..<n { values[i] = Double(labels[i]) }
            let sorted = sortedY.reserve(n), order = orderY.reserve(n)
            radixSort(values, count: n, sorted: sorted, order: order, rank: nil)
            for t in 0..<n {
                if t > 0 && sorted[t] != sorted[t - 1] { classes += 1 }
                classOf[Int(order[t])] = Int32(truncatingIfNeeded: classes)
            }
            classes += 1
        }
        let size = classSize.reserve(classes)
        size.update(repeating: 0, count: classes)
        for i in 0..<n { size[Int(classOf[i])] &+= 1 }
        return classes
    }

    /// Groups the x-sorted sample (`sorted`, `order`) by class: class c occupies
    /// `stripX[classStart[c] ..< classStart[c] + classSize[c]]` in ascending x, with each entry's
    /// position in `sorted` in `stripOrigin`, and each run is padded with `pad` entries of −∞
    /// before and +∞ after (see ``kthNeighbourDistance(padded:at:k:)``). Classes without
    /// entries in `sorted` get empty runs.
    func layoutByClass(sorted: UnsafePointer<Double>, order: UnsafePointer<Int32>, count n: Int, classes: Int,
                       pad: Int) {
        let classOf = self.classOf.base!, size = classSize.base!
        let start = classStart.reserve(classes)
        let fill = stripFill.reserve(classes)
        var members = 0
        for c in 0..<classes { members += Int(size[c]) }
        let values = stripX.reserve(members + 2 * pad * classes), origin = stripOrigin.reserve(members + 2 * pad * classes)
        var offset = 0
        for c in 0..<classes {
            (values + offset).update(repeating: -.infinity, count: pad)
            offset += pad
            start[c] = Int32(truncatingIfNeeded: offset)
            fill[c] = Int32(truncatingIfNeeded: offset)
            offset += Int(size[c])
            (values + offset).update(repeating: .infinity, count: pad)
            offset += pad
        }
        for t in 0..<n {
            prefetchGather(classOf, order: order, at: t, count: n)
            let c = Int(classOf[Int(order[t])])
            let p = Int(fill[c])
            fill[c] = Int32(truncatingIfNeeded: p + 1)
            values[p] = sorted[t]
            origin[p] = Int32(truncatingIfNeeded: t)
        }
    }
}

/// Dense class ids in ascending label order for the general-dimension paths (which allocate).
struct LabelClasses {
    /// The class of each sample.
    let classOf: [Int]
    /// The members of each class, in row order.
    let members: [[Int32]]

    init(_ labels: UnsafeBufferPointer<Int32>) {
        let distinct = Array(Set(labels)).sorted()
        var id: [Int32: Int] = [:]
        for (c, label) in distinct.enumerated() { id[label] = c }
        var members = [[Int32]](repeating: [], count: distinct.count)
        var classOf = [Int](repeating: 0, count: labels.count)
        for (i, label) in labels.enumerated() {
            let c = id[label]!
            classOf[i] = c
            members[c].append(Int32(i))
        }
        self.classOf = classOf
        self.members = members
    }
}
