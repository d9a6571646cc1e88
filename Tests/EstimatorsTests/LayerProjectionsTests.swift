import Estimators
import Randomness
import Testing

/// φᵀT of several blocks at once, from stored projections, and under several BLAS threads: every
/// path gives each slice the bits of the one-block path (`preparedLayer`), which is what the
/// plane of any rank count, batch or storage choice rests on.
@Suite(.serialized) struct LayerProjectionsTests {
    /// n × d float32 activations, half of them zero (like ReLU maps).
    func activations(n: Int, d: Int, seed: UInt64) -> [Float] {
        var stream = RandomStream(seed: seed, purpose: "test.layer")
        return (0..<(n * d)).map { _ in Float(max(0, stream.nextGaussian())) }
    }

    let estimator = SlicedMutualInformation(k: 5, seed: 13)
    let blocks = [0..<32, 32..<64, 64..<96, 96..<100]

    func alone(_ t: [Float], d: Int, layer: Int) -> [PreparedSlices] {
        let buffers = SliceBuffers()
        return blocks.map { block in t.withUnsafeBufferPointer { estimator.preparedLayer($0, columns: d, layer: layer, slices: block, buffers: buffers) } }
    }

    @Test func blocksProjectedTogetherEqualEachAlone() {
        let n = 2100, d = 40  // three widening blocks of rows, the last one short
        let t = activations(n: n, d: d, seed: 1)
        let together = t.withUnsafeBufferPointer { estimator.preparedLayerBlocks($0, columns: d, layer: 3, blocks: blocks, buffers: SliceBuffers()) }
        let single = alone(t, d: d, layer: 3)
        for (a, b) in zip(together, single) {
            #expect(a.slices == b.slices && a.varies == b.varies)
            #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "block \(a.slices)")
        }
    }

    /// At conv widths neighbouring full blocks share one GEMM call (BlockProjection): each
    /// slice keeps the bits of its block projected alone, for a product large enough to share
    /// (1,024 rows × 32 × 2,048) and a short last row block below the limit (76 rows), and for
    /// any split of the calls over threads.
    @Test(arguments: [1, 2, 3])
    func wideBlocksSharingAGEMMEqualEachAlone(threads: Int) {
        let n = 1100, d = 2048
        #expect(1024 * SlicedMutualInformation.blockSize * d >= BlockProjection.togetherWork)
        #expect(76 * SlicedMutualInformation.blockSize * d < BlockProjection.togetherWork)
        let t = activations(n: n, d: d, seed: 4)
        let blocks = [0..<32, 32..<64, 64..<96, 96..<104, 104..<136]
        var widened: [Double] = []
        let together = t.withUnsafeBufferPointer { estimator.layerProjections($0, columns: d, layer: 2, blocks: blocks, widened: &widened, threads: threads) }
        for (block, values) in zip(blocks, together) {
            let single = t.withUnsafeBufferPointer { estimator.layerProjections($0, columns: d, layer: 2, blocks: [block], widened: &widened) }[0]
            #expect(values.map(\.bitPattern) == single.map(\.bitPattern), "block \(block), \(threads) thread(s)")
        }
    }

    /// Which blocks share a call: runs of full blocks, when rows × 32 × d reaches the limit; a
    /// short block alone; with threads, runs cut so every worker has a call.
    @Test func neighbouringFullBlocksShareACallWhenTheProductIsLarge() {
        let widths = [32, 32, 32, 8, 32, 32]
        #expect(BlockProjection.gemmCalls(widths: widths, rows: 1024, d: 1024, threads: 1) == [[0..<3, 3..<4, 4..<6]])
        #expect(BlockProjection.gemmCalls(widths: widths, rows: 1024, d: 256, threads: 1) == [(0..<6).map { $0..<($0 + 1) }])
        #expect(BlockProjection.gemmCalls(widths: widths, rows: 1024, d: 1024, threads: 2) == [[0..<1, 3..<4, 5..<6], [1..<3, 4..<5]])
        #expect(BlockProjection.gemmCalls(widths: [32], rows: 1024, d: 1024, threads: 4) == [[0..<1]])
    }

    @Test func storedProjectionsPrepareToTheSameSlices() {
        let n = 1500, d = 24
        let t = activations(n: n, d: d, seed: 2)
        var widened: [Double] = []
        let matrix = t.withUnsafeBufferPointer { estimator.layerProjectionMatrix($0, columns: d, layer: 2, slices: 100, widened: &widened) }
        #expect(matrix.count == n * 100)
        for (block, single) in zip(blocks, alone(t, d: d, layer: 2)) {
            let columns = (0..<n).flatMap { i in block.map { matrix[i * 100 + $0] } }
            let stored = columns.withUnsafeBufferPointer { estimator.preparedLayer(projections: $0, columns: block.count, layer: 2, slices: block) }
            #expect(stored.values.map(\.bitPattern) == single.values.map(\.bitPattern) && stored.varies == single.varies, "block \(block)")
        }
    }

    /// OpenBLAS's own threads change the last bits of a projection (it cuts the summed dimension
    /// differently when threaded), so `--blas-threads` runs the blocks' GEMMs side by side
    /// instead, each on one OpenBLAS thread: the values are those of one thread.
    @Test(arguments: [2, 3, 4])
    func projectionsDoNotDependOnTheThreadCount(threads: Int) {
        let n = 1300, d = 4096  // a whole widening block of rows and a short one
        let t = activations(n: n, d: d, seed: 3)
        let blocks = [0..<32, 32..<64, 64..<96, 96..<104]
        var widened: [Double] = []
        let one = t.withUnsafeBufferPointer { estimator.layerProjections($0, columns: d, layer: 1, blocks: blocks, widened: &widened) }
        let many = t.withUnsafeBufferPointer { estimator.layerProjections($0, columns: d, layer: 1, blocks: blocks, widened: &widened, threads: threads) }
        #expect(one.map { $0.map(\.bitPattern) } == many.map { $0.map(\.bitPattern) })
    }

    /// Why the option does not use OpenBLAS's threads, shown: for some of the pipeline's shapes
    /// (here a short last row block, or a last block of fewer than 32 directions) OpenBLAS on two
    /// threads gives other last bits than on one; the differences are rounding only.
    @Test func openBLASThreadsChangeTheBitsOfSomeShapes() {
        let d = 4096
        let t = activations(n: 1024, d: d, seed: 3)
        let saved = BLASThreads.count
        defer { BLASThreads.set(saved) }
        var differingShapes = 0
        for (rows, block) in [(1024, 0..<32), (276, 0..<32), (1024, 32..<40), (276, 32..<40)] {
            var widened: [Double] = []
            let part = Array(t.prefix(rows * d))
            BLASThreads.set(1)
            let one = part.withUnsafeBufferPointer { estimator.layerProjections($0, columns: d, layer: 1, blocks: [block], widened: &widened) }[0]
            BLASThreads.set(2)
            let two = part.withUnsafeBufferPointer { estimator.layerProjections($0, columns: d, layer: 1, blocks: [block], widened: &widened) }[0]
            let differing = zip(one, two).filter { $0.bitPattern != $1.bitPattern }.count
            // Relative to the block's scale: a projection that cancels to near zero has a large
            // relative error from rounding alone (3e-12 seen under the Cooperlake kernels).
            let scale = one.map(abs).max() ?? 0
            let largest = zip(one, two).map { abs($0 - $1) }.max().map { $0 / max(scale, 1e-300) } ?? 0
            print("OpenBLAS 1 vs 2 threads, dgemm \(rows) × \(block.count) × \(d): \(differing) of \(one.count) values differ (relative ≤ \(largest))")
            #expect(largest < 1e-12, "rounding only")
            if differing > 0 { differingShapes += 1 }
        }
        #expect(BLASThreads.count < 2 || differingShapes > 0, "OpenBLAS now threads bit-identically: the side-by-side GEMMs could go")
    }

    @Test func aSeededSubsetIsFixedAscendingAndDependsOnTheSeed() {
        let a = SampleSubset.rows(seed: 5, count: 300, of: 1000)
        #expect(a == SampleSubset.rows(seed: 5, count: 300, of: 1000))
        #expect(a.count == 300 && a == a.sorted() && Set(a).count == 300 && a.allSatisfy { (0..<1000).contains($0) })
        #expect(a != SampleSubset.rows(seed: 6, count: 300, of: 1000))
        #expect(SampleSubset.rows(seed: 5, count: 1000, of: 1000) == Array(0..<1000))
    }
}
