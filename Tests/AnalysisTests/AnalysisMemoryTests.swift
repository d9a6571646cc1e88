import Analysis
import Config
import Support
import Testing

/// The analysis's memory estimate: per node the window once, per rank the rest; what `run`'s
/// training estimate adds is the same figure; refusals name the figure and the fix.
@Suite struct AnalysisMemoryTests {
    private func plan(samples: Int = 10_000, width: Int = 32_768, snapshots: Int = 6, slices: Int = 256) throws -> AnalysisPlan {
        var settings = try ExperimentConfig.parse(yaml: "seed: 1", source: "test").analysis
        settings.slices = slices
        return AnalysisPlan(settings: settings, epochs: Array(0..<snapshots), layers: [1], widths: [width],
                            samples: samples, features: 784, source: "test")
    }

    /// The target of issue 13: a rank's peak does not grow with the snapshots (only rank 0's
    /// per-slice values do, by 16 bytes a slice), and the window is one snapshot-layer per slot
    /// (with its projections, n × m doubles, for a layer projected on loading).
    @Test func thePeakDoesNotGrowWithSnapshotsAndTheWindowCountsOncePerNode() throws {
        let few = AnalysisMemory(plan: try plan(snapshots: 2), ranksOnNode: 2)
        let many = AnalysisMemory(plan: try plan(snapshots: 200), ranksOnNode: 2)
        #expect(few.window == many.window && few.rank.total == many.rank.total)
        let layerBytes: Double = 10_000 * 32_768 * 4, projectionBytes: Double = 10_000 * 256 * 8
        let directionBytes: Double = 32_768 * 256 * 8  // the wide layer's directions, once per node
        // Ranks reading their own rows: two slots' projections and no rows (each rank reads its
        // rows a block at a time into its own 1,024 × d floats).
        #expect(few.window == 2 * projectionBytes + directionBytes)
        #expect(AnalysisMemory(plan: try plan(snapshots: 2), ranksOnNode: 1).window == 2 * projectionBytes + directionBytes)
        #expect(few.rank.parts.contains { $0.bytes == 1_024 * 32_768 * 4 && $0.what.contains("rows read for projecting") })
        #expect(!few.rank.parts.contains { $0.what.contains("directions of the layers") })
        // `run`'s reading: one slot (1.3 GB > 64 MiB) of rows with its projections.
        let run = AnalysisMemory(plan: try plan(snapshots: 2), ranksOnNode: 2, ranksRead: false)
        #expect(run.window == layerBytes + projectionBytes + directionBytes)
        #expect(!run.rank.parts.contains { $0.what.contains("rows read for projecting") })
        let perSnapshot: Double = 256 * 2 * 8 * 2 + 256 * 16  // values of 8 items × 32 slices, and the curves
        #expect(many.rankZero.total - few.rankZero.total == 198 * perSnapshot)
        let four = AnalysisMemory(plan: try plan(snapshots: 2), ranksOnNode: 4)
        #expect(four.window == few.window && four.perNode - few.perNode == 2 * few.rank.total)
        // Small layers get a second slot, to load one while computing from the other.
        let smallBytes: Double = 10_000 * 100 * 4
        #expect(AnalysisMemory(plan: try plan(width: 100), ranksOnNode: 1).window == 2 * smallBytes)
    }

    /// Where ranks read their own shares (`analyze`), layers projected on loading take no rows in
    /// the window (each rank reads them a block at a time into its own buffer), so the window is
    /// two slots of projections plus the other layers' rows; `run` keeps every layer's rows there.
    @Test func layersProjectedOnLoadingStayOutOfTheWindowWhereRanksReadThemselves() throws {
        var settings = try ExperimentConfig.parse(yaml: "seed: 1", source: "test").analysis
        settings.slices = 256
        func plan(_ widths: [Int]) -> AnalysisPlan {
            AnalysisPlan(settings: settings, epochs: [0, 1], layers: Array(1...widths.count), widths: widths,
                         samples: 10_000, features: 784, source: "test")
        }
        func layout(_ widths: [Int], ranks: Int = 2, ranksRead: Bool = true) -> (slots: Int, rowWidth: Int) {
            AnalysisMemory.windowLayout(plan: plan(widths), ranksOnNode: ranks, ranksRead: ranksRead)
        }
        // analyze: wide layers' rows never enter the window; two slots of projections.
        #expect(layout([32_768]) == (2, 0))
        #expect(layout([32_768, 16_384]) == (2, 0))
        #expect(layout([32_768], ranks: 24) == (3, 0))  // ⌈24 ranks / 8 blocks⌉ slots
        #expect(layout([32_768], ranks: 1) == (2, 0))  // 41 MB a slot: small enough for two
        #expect(layout([32_768, 64]) == (2, 64))  // the narrow layer's rows are in the window
        #expect(layout([100]) == (2, 100))
        // run: rank 0's node reads whole layers into the window, other nodes receive them.
        #expect(layout([32_768], ranksRead: false) == (1, 32_768))
        #expect(AnalysisMemory.stagedRows(plan: plan([32_768, 16_384, 64]), ranksRead: true) == 32_768)
        #expect(AnalysisMemory.stagedRows(plan: plan([32_768]), ranksRead: false) == 0)
        #expect(AnalysisMemory.stagedRows(plan: plan([64]), ranksRead: true) == 0)
    }

    /// `run`'s training estimate adds the analysis's busiest rank: the window it maps, a rank's
    /// parts and rank 0's values, each with its fix.
    @Test func theBusiestRankIsTheWindowARankAndRankZero() throws {
        let memory = AnalysisMemory(plan: try plan(), ranksOnNode: 1, slicesFix: "lower analysis.slices", ranksRead: false)
        let estimate = try plan().memoryEstimate(slicesFix: "lower analysis.slices")
        #expect(estimate.total == memory.window + memory.rank.total + memory.rankZero.total)
        #expect(estimate.total == memory.perNode)
        #expect(estimate.parts.contains { $0.fix == "lower analysis.slices" })
    }

    /// A node too small is refused naming the need, the node's memory, the largest part and the
    /// largest --samples that fits, which itself passes the check.
    @Test func aPlanTooLargeIsRefusedWithTheSamplesThatFit() throws {
        let big = try plan(width: 700_000)
        let memory = AnalysisMemory(plan: big, ranksOnNode: 2)
        let physical = 20e9
        #expect(throws: InfoPlaneError.self) { try memory.check(big, physical: physical, sharedFree: .infinity) }
        do {
            try memory.check(big, physical: physical, sharedFree: .infinity)
        } catch let error as InfoPlaneError {
            let text = "\(error)"
            for fragment in ["per rank", "on a node of 2 ranks", "20.0 GB", "widened rows", "projections only", "put fewer ranks"] {
                #expect(text.contains(fragment), "\(fragment): \(text)")
            }
            let samples = try #require(text.firstMatch(of: /--samples (\d+)\)/).map { Int($0.1)! })
            var smaller = big
            smaller.samples = samples
            try AnalysisMemory(plan: smaller, ranksOnNode: 2).check(smaller, physical: physical, sharedFree: .infinity)
            smaller.samples = samples + 100
            #expect(throws: InfoPlaneError.self) {
                try AnalysisMemory(plan: smaller, ranksOnNode: 2).check(smaller, physical: physical, sharedFree: .infinity)
            }
        }
        // A window larger than /dev/shm (`run`'s, 1.3 GB of rows) is refused even when the memory would do.
        let fits = try plan()
        #expect(throws: InfoPlaneError.self) {
            try AnalysisMemory(plan: fits, ranksOnNode: 1, ranksRead: false).check(fits, physical: 1e12, sharedFree: 1e9)
        }
        try AnalysisMemory(plan: fits, ranksOnNode: 1, ranksRead: false).check(fits, physical: 1e12, sharedFree: 1e10)
    }
}
