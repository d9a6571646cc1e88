import Config
import Estimators
import Files
import Support

/// One unit of work: a block of projections of one layer at one snapshot epoch.
public struct WorkItem: Sendable, Equatable, Hashable {
    /// Position of the epoch in ``AnalysisPlan/epochs``.
    public var epochIndex: Int
    /// Position of the layer in ``AnalysisPlan/layers``.
    public var layerIndex: Int
    /// Block number: slices `block·B ..< min((block+1)·B, m)`, B = ``SlicedMutualInformation/blockSize``.
    public var block: Int

    /// An item from its parts.
    public init(epochIndex: Int, layerIndex: Int, block: Int) {
        self.epochIndex = epochIndex
        self.layerIndex = layerIndex
        self.block = block
    }
}

/// Everything to be computed, and the fixed order in which items and values are numbered.
///
/// Items are numbered epoch-major, then layer, then block. Which rank computes an item, and when,
/// never changes its values: slice j of layer L uses θ_j and φ_{L,j} from counter-based streams,
/// and blocks start at multiples of the block size whatever the number of ranks.
public struct AnalysisPlan: Codable, Sendable, Equatable {
    /// Slices, k, seed, jitter, label estimator, baseline.
    public var settings: AnalysisSettings
    /// Snapshot epochs analysed, ascending.
    public var epochs: [Int]
    /// Hidden layers analysed, by stream key (``RecordedLayer/layer``: L of `layer_L`, so layer_1
    /// is the trainer's first hidden layer; else the layer's position in the run file).
    public var layers: [Int]
    /// The analysed layers' names in the run file (`layer_L` for the trainer's runs), which the
    /// plane labels them by.
    public var layerNames: [String]
    /// Datasets of the run file converted to float32 on read ("layer_1 float64→float32"), noted
    /// in the plane's attributes.
    public var converted: [String]
    /// Widths of the analysed layers.
    public var widths: [Int]
    /// Evaluation samples n.
    public var samples: Int
    /// Input features d.
    public var features: Int
    /// Everything the values depend on besides the settings (run config, dataset checksum), for resume.
    public var source: String
    /// Columns of the continuous targets (regression: S1(T;Y) by KSG); 0 for class labels.
    public var targetWidth: Int
    /// The seed of the sample subset (`analyze --samples N --sample-seed S`); nil: the first
    /// `samples` rows of the run file (all of them unless `--samples` asked for fewer).
    public var sampleSeed: UInt64?
    /// Hidden layers stored as projections (`projections_L`) rather than activations: their
    /// items read their block of projections instead of projecting a loaded layer.
    public var projectedLayers: [Int] = []
    /// `analyze --pool-epochs W`: each epoch's activations pool the W snapshots ending at it
    /// (``EpochPool``); nil for single-epoch planes.
    public var poolEpochs: Int?

    /// A plan from its parts (`layerNames` nil: `layer_L` for each key L).
    public init(settings: AnalysisSettings, epochs: [Int], layers: [Int], widths: [Int], samples: Int, features: Int, source: String,
                targetWidth: Int = 0, layerNames: [String]? = nil, converted: [String] = []) {
        self.targetWidth = targetWidth
        self.layerNames = layerNames ?? layers.map(LayerNaming.defaultName)
        self.converted = converted
        self.settings = settings
        self.epochs = epochs
        self.layers = layers
        self.widths = widths
        self.samples = samples
        self.features = features
        self.source = source
    }

    /// Blocks of slices per layer (the last may be shorter).
    public var blocksPerLayer: Int { (settings.slices + SlicedMutualInformation.blockSize - 1) / SlicedMutualInformation.blockSize }
    /// Items per snapshot epoch.
    public var itemsPerEpoch: Int { layers.count * blocksPerLayer }
    /// Items in all.
    public var itemCount: Int { epochs.count * itemsPerEpoch }

    /// Item number `index`.
    public func item(_ index: Int) -> WorkItem {
        WorkItem(epochIndex: index / itemsPerEpoch, layerIndex: (index % itemsPerEpoch) / blocksPerLayer,
                 block: index % blocksPerLayer)
    }

    /// The number of `item`.
    public func index(of item: WorkItem) -> Int {
        item.epochIndex * itemsPerEpoch + item.layerIndex * blocksPerLayer + item.block
    }

    /// The item numbers of one epoch.
    public func items(ofEpoch epochIndex: Int) -> Range<Int> {
        (epochIndex * itemsPerEpoch)..<((epochIndex + 1) * itemsPerEpoch)
    }

    /// Whether layer index `layerIndex` is stored as projections.
    public func isProjected(_ layerIndex: Int) -> Bool { projectedLayers.contains(layers[layerIndex]) }

    /// Whether layer index `layerIndex` is projected where a node loads it (each rank its share of
    /// the rows onto all m directions) rather than by each batch: a layer stored as activations
    /// whose GEMMs are large enough for neighbouring blocks to share them
    /// (``BlockProjection/togetherWork``: 512 units or more).
    public func projectsOnLoad(_ layerIndex: Int) -> Bool {
        !isProjected(layerIndex)
            && BlockProjection.rowBlock * SlicedMutualInformation.blockSize * widths[layerIndex] >= BlockProjection.togetherWork
    }

    /// The widest layer stored as activations (what a node's window must hold per slot).
    public var widestActivations: Int {
        layers.indices.filter { !isProjected($0) }.map { widths[$0] }.max() ?? 0
    }

    /// Snapshot-layers: what a node loads at once, numbered `epochIndex · L + layerIndex`.
    public var keyCount: Int { epochs.count * layers.count }

    /// The snapshot-layer item `index` needs.
    public func key(of index: Int) -> Int {
        let item = item(index)
        return item.epochIndex * layers.count + item.layerIndex
    }

    /// The epoch and layer indices of snapshot-layer `key`.
    public func snapshotLayer(_ key: Int) -> (epochIndex: Int, layerIndex: Int) {
        (key / layers.count, key % layers.count)
    }

    /// The slice indices of a block.
    public func slices(ofBlock block: Int) -> Range<Int> {
        let b = SlicedMutualInformation.blockSize
        return (block * b)..<min((block + 1) * b, settings.slices)
    }

    /// The plan of the first `count` epochs only (training stopped early). Items are numbered
    /// epoch-major, so every remaining item keeps its number, and workers holding the full plan
    /// compute the same values for it.
    public func truncated(toEpochs count: Int) -> AnalysisPlan {
        var plan = self
        plan.epochs = Array(epochs.prefix(count))
        return plan
    }

    /// Everything a resumed analysis must agree with, as `key: value` lines.
    public var identityLines: [String] {
        // Classification keeps its lines as they were, so existing journals and planes resume;
        // names are a line of their own only where they are not the trainer's `layer_L`.
        var lines = settings.identityLines + ["epochs: \(epochs)", "layers: \(layers)", "samples: \(samples)", "source: \(source)"]
            + (targetWidth > 0 ? ["targets: continuous \(targetWidth)"] : [])
            + (layerNames == layers.map(LayerNaming.defaultName) ? [] : ["layer names: \(layerNames)"])
            + (sampleSeed.map { ["sample_subset: seed \($0)"] } ?? [])
        if let poolEpochs { lines.append(EpochPool.identityLine(window: poolEpochs)) }
        return lines
    }

    /// The one note for more ranks than items (a fixed Slurm allocation, say): the job goes on,
    /// the ranks without an item idle, and the plane is the same as for any other P. Nil when
    /// every rank can have work.
    public func idleRanksNote(ranks: Int) -> String? {
        guard ranks > max(itemCount, 1) else { return nil }
        return "note: \(ranks) ranks for \(itemCount) work items: the ranks beyond \(itemCount) have nothing to compute and idle "
            + "(the plane is the same for any number of ranks); -np \(itemCount) or more slices would use them"
    }

    /// What the values depend on besides the settings: the run's config and dataset checksum.
    /// (The config's `analysis` section is left out: the plan's settings carry it.)
    public static func sourceDigest(configText: String?, dataset: String?) -> String {
        var inAnalysis = false
        let training = (configText ?? "(no config)").split(separator: "\n").filter { line in
            if !line.hasPrefix(" ") { inAnalysis = line == "analysis:" }
            return !inAnalysis
        }
        return SHA256.hex(Array((training.joined(separator: "\n") + "\n" + (dataset ?? "")).utf8))
    }
}
