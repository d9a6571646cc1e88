@testable import Estimators
import Testing

/// A variable sorted once and given to several estimates (`sortOrder`, then `xOrder`/`yOrder`):
/// the estimators gather the sorted values from the order instead of sorting, and must give
/// brute force's value bit for bit, as the sorting path does.
struct KSGSortOrderTests {
    func order(_ values: [Double], _ workspace: KSGWorkspace) -> [Int32] {
        var order = [Int32](repeating: -1, count: values.count)
        values.withUnsafeBufferPointer { v in
            order.withUnsafeMutableBufferPointer { workspace.sortOrder(v.baseAddress!, count: values.count, into: $0.baseAddress!) }
        }
        return order
    }

    @Test(arguments: [1, 3, 5, 10])
    func ksgWithKnownOrdersEqualsBruteForce(k: Int) {
        let workspace = KSGWorkspace()
        for n in [k + 1, k + 2, 23, 150, 1200] {
            for (name, x, y) in pairedFixtures(n: n, seed: 5 * n + k) {
                let ox = order(x, workspace), oy = order(y, workspace)
                #expect(ox.sorted() == (0..<Int32(n)).map { $0 }, "\(name): the order is a permutation")
                let brute = BruteForce.ksg(x: x, y: y, k: k)
                for merge in [false, true] {
                    let known = x.withUnsafeBufferPointer { px in
                        y.withUnsafeBufferPointer { py in
                            ox.withUnsafeBufferPointer { pox in
                                oy.withUnsafeBufferPointer { poy in
                                    workspace.ksg(px.baseAddress!, py.baseAddress!, count: n, k: k, mergeWindows: merge,
                                                  xOrder: pox.baseAddress!, yOrder: poy.baseAddress!)
                                }
                            }
                        }
                    }
                    #expect(known == brute, "\(name), n = \(n), k = \(k), merged \(merge): with orders \(known), brute force \(brute)")
                }
            }
        }
    }

    @Test(arguments: [1, 5, 10])
    func rossWithAKnownOrderEqualsBruteForce(k: Int) {
        let workspace = KSGWorkspace()
        for n in [4, 9, 60, 400, 1500] {
            for (name, x, labels) in labelledFixtures(n: n, seed: n * 3 + k) where estimable(labels) {
                let ox = order(x, workspace)
                let known = x.withUnsafeBufferPointer { px in
                    labels.withUnsafeBufferPointer { pl in
                        ox.withUnsafeBufferPointer { workspace.ross(px.baseAddress!, pl.baseAddress!, count: n, k: k, xOrder: $0.baseAddress!) }
                    }
                }
                let brute = BruteForce.ross(x: x, labels: labels, k: k)
                #expect(known == brute, "\(name), n = \(n), k = \(k): with the order \(known), brute force \(brute)")
            }
        }
    }

    /// KSG of (x, y) and Ross of (y, labels) in one pass sharing y's sorted copy and index:
    /// both values brute force's, whether the orders are known or not, for label sets that take
    /// the shared copy and those that cannot (a singleton class; sparse label values, whose
    /// numbering uses the buffers the copy lives in), and with the workspace reused between them.
    @Test(arguments: [1, 5, 10])
    func ksgAndRossInOnePassEqualBruteForce(k: Int) {
        let workspace = KSGWorkspace()
        for n in [k + 2, 60, 400, 1500] {
            let labelSets = labelledFixtures(n: n, seed: n + k).map { ($0.0, $0.2) } + [
                // More classes than the KSG padding holds fallback searches of (the window Ross alone would use).
                ("400 classes", (0..<n).map { Int32($0 % 400) }),
            ]
            for (pairName, x, y) in pairedFixtures(n: n, seed: 11 * n + k) {
                let ox = order(x, workspace), oy = order(y, workspace)
                let ksg = BruteForce.ksg(x: x, y: y, k: k)
                for (labelName, labels) in labelSets where estimable(labels) {
                    let ross = BruteForce.ross(x: y, labels: labels, k: k)
                    for known in [false, true] {
                        let both = x.withUnsafeBufferPointer { px in
                            y.withUnsafeBufferPointer { py in
                                labels.withUnsafeBufferPointer { pl in
                                    ox.withUnsafeBufferPointer { pox in
                                        oy.withUnsafeBufferPointer { poy in
                                            workspace.ksgAndRoss(px.baseAddress!, py.baseAddress!, pl.baseAddress!, count: n, k: k,
                                                                 xOrder: known ? pox.baseAddress! : nil,
                                                                 yOrder: known ? poy.baseAddress! : nil)
                                        }
                                    }
                                }
                            }
                        }
                        let what = "\(pairName) with \(labelName) labels, n = \(n), k = \(k), orders \(known)"
                        #expect(both.ksg == ksg, "\(what): KSG \(both.ksg), brute force \(ksg)")
                        #expect(both.ross == ross, "\(what): Ross \(both.ross), brute force \(ross)")
                    }
                }
            }
        }
    }

    @Test func preparedBlocksGiveTheSameValuesWithSortOrders() {
        // Rounded inputs (tied before the jitter) and a layer that depends on them.
        let n = 700, d = 3
        let x = Fixtures.rounded(Fixtures.gaussianRows(n: n, d: d, seed: 4))
        let t = Fixtures.gaussianRows(n: n, d: 5, seed: 6, base: x, baseColumns: d, rho: 0.8)
        let labels = Fixtures.labels(n: n, classes: 6, seed: 2)
        let estimator = SlicedMutualInformation(k: 5, seed: 3)
        let workspace = KSGWorkspace()
        let slices = 0..<SlicedMutualInformation.blockSize
        let px = estimator.preparedInputs(SampleMatrix(rows: n, columns: d, values: x), slices: slices)
        let pt = estimator.preparedLayer(SampleMatrix(rows: n, columns: 5, values: t), layer: 1, slices: slices)
        var xOrders: [Int32] = [], tOrders: [Int32] = []
        estimator.sortOrders(px, into: &xOrders, workspace: workspace)
        estimator.sortOrders(pt, into: &tOrders, workspace: workspace)
        let plain = estimator.inputInformation(px, pt, workspace: KSGWorkspace())
        let ordered = estimator.inputInformation(px, pt, workspace: workspace, xOrders: xOrders, tOrders: tOrders)
        #expect(ordered.map(\.bitPattern) == plain.map(\.bitPattern))
        #expect(plain.contains { $0 != 0 })
        let (plainLabels, orderedLabels) = labels.withUnsafeBufferPointer { y in
            (estimator.labelInformation(pt, labels: y, estimator: .ross, workspace: KSGWorkspace()),
             estimator.labelInformation(pt, labels: y, estimator: .ross, workspace: workspace, orders: tOrders))
        }
        #expect(orderedLabels.map(\.bitPattern) == plainLabels.map(\.bitPattern))
        // Both quantities in one pass: the same values; a constant slice of either side gives
        // what the separate calls give (0 for S1(X;T), S1(T;Y) still measured where T varies).
        var constantX = px, constantT = pt
        constantX.varies[3] = false
        constantT.varies[7] = false
        for (xBlock, tBlock) in [(px, pt), (constantX, pt), (px, constantT)] {
            let separate = labels.withUnsafeBufferPointer { y in
                (estimator.inputInformation(xBlock, tBlock, workspace: KSGWorkspace()),
                 estimator.labelInformation(tBlock, labels: y, estimator: .ross, workspace: KSGWorkspace()))
            }
            for orders in [false, true] {
                let both = labels.withUnsafeBufferPointer {
                    estimator.inputAndLabelInformation(xBlock, tBlock, labels: $0, workspace: workspace,
                                                       xOrders: orders ? xOrders : nil, tOrders: orders ? tOrders : nil)
                }
                #expect(both.input.map(\.bitPattern) == separate.0.map(\.bitPattern))
                #expect(both.label.map(\.bitPattern) == separate.1.map(\.bitPattern))
            }
            // X kept sorted (each slice in ascending order, read in order rather than gathered).
            let sortedX = estimator.sortedValues(xBlock, orders: xOrders)
            #expect(sortedX.varies == xBlock.varies && sortedX.values != xBlock.values)
            for s in 0..<slices.count {
                let slice = Array(sortedX.values[(s * n)..<((s + 1) * n)])
                #expect(slice == Array(xBlock.values[(s * n)..<((s + 1) * n)]).sorted(), "slice \(s) in ascending order")
            }
            for tSorted in [false, true] {
                let both = labels.withUnsafeBufferPointer {
                    estimator.inputAndLabelInformation(sortedX, tBlock, labels: $0, workspace: workspace, xOrders: xOrders,
                                                       tOrders: tSorted ? tOrders : nil, xSorted: true)
                }
                #expect(both.input.map(\.bitPattern) == separate.0.map(\.bitPattern))
                #expect(both.label.map(\.bitPattern) == separate.1.map(\.bitPattern))
            }
        }
        #expect(constantX.varies[3] == false && plainLabels[3] != 0)
    }
}
