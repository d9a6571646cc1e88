import Estimators
import Config

extension AnalysisSettings {
    /// The sliced estimator these settings describe.
    public var estimator: SlicedMutualInformation {
        SlicedMutualInformation(k: k, seed: seed, preparation: SlicePreparation(standardize: true, jitter: jitter, seed: seed))
    }

    /// The estimator of S1(T;Y) for class labels.
    public var discreteEstimator: DiscreteEstimator {
        switch labelEstimator {
        case .ross: .ross
        case .micd: .entropyDifference
        }
    }

    /// Values an item reports per slice: S1(X;T) and S1(T;Y), and their baselines if asked.
    public var quantities: Int { shuffleBaseline ? 4 : 2 }
}

/// One unit of work: a block of projections of one layer at one snapshot epoch.
public struct WorkItem: Sendable, Equatable, Hashable {
    /// Position of the epoch in ``AnalysisPlan/epochs``.
    public var epochIndex: Int
    /// Position of the layer in ``AnalysisPlan/layers``.
    public var layerIndex: Int
    /// Block number: slices `block·B ..< min((block+1)·B, m)`, B = ``SlicedMutualInformation/blockSize``.
    public var block: Int
}

/// Everything to be computed, and the fixed order in which items and values are numbered.
///
/// Items are numbered epoch-major, then layer, then block. Which rank computes an item, and when,
/// never changes its values: slice j of layer L uses θ_j and φ_{L,j} from counter-based streams,
/// and blocks start at multiples of the block size whatever the number of ranks.
public struct AnalysisPlan: Codable, Sendable, Equatable {
    public var settings: AnalysisSettings
    /// Snapshot epochs analysed, ascending.
    public var epochs: [Int]
    /// Hidden layers analysed, 1-based (layer_1 is the first hidden layer).
    public var layers: [Int]
    /// Widths of the analysed layers.
    public var widths: [Int]
    /// Evaluation samples and input features.
    public var samples: Int
    public var features: Int
    /// Everything the values depend on besides the settings (run config, dataset checksum), for resume.
    public var source: String
    /// Columns of the continuous targets (regression: S1(T;Y) by KSG); 0 for class labels.
    public var targetWidth: Int

    public init(settings: AnalysisSettings, epochs: [Int], layers: [Int], widths: [Int], samples: Int, features: Int, source: String,
                targetWidth: Int = 0) {
        self.targetWidth = targetWidth
        self.settings = settings
        self.epochs = epochs
        self.layers = layers
        self.widths = widths
        self.samples = samples
        self.features = features
        self.source = source
    }

    public var blocksPerLayer: Int { (settings.slices + SlicedMutualInformation.blockSize - 1) / SlicedMutualInformation.blockSize }
    public var itemsPerEpoch: Int { layers.count * blocksPerLayer }
    public var itemCount: Int { epochs.count * itemsPerEpoch }

    public func item(_ index: Int) -> WorkItem {
        WorkItem(epochIndex: index / itemsPerEpoch, layerIndex: (index % itemsPerEpoch) / blocksPerLayer,
                 block: index % blocksPerLayer)
    }

    public func index(of item: WorkItem) -> Int {
        item.epochIndex * itemsPerEpoch + item.layerIndex * blocksPerLayer + item.block
    }

    /// The item numbers of one epoch.
    public func items(ofEpoch epochIndex: Int) -> Range<Int> {
        (epochIndex * itemsPerEpoch)..<((epochIndex + 1) * itemsPerEpoch)
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
        // Classification keeps its lines as they were, so existing journals and planes resume.
        settings.identityLines + ["epochs: \(epochs)", "layers: \(layers)", "samples: \(samples)", "source: \(source)"]
            + (targetWidth > 0 ? ["targets: continuous \(targetWidth)"] : [])
    }
}
