import Analysis
import Config
import Learning
import Support

extension TrainingSession {
    /// What training holds on rank 0, in bytes, and with `analysis` (`infoplane run`) what rank 0's
    /// analysis holds besides (``AnalysisPlan/memoryEstimate(slicesFix:)``):
    /// - the dataset: (train + test samples) · (features + 1) float32;
    /// - the network: P parameters · 4 bytes · (3 + 2s), s = 2 moments for Adam, 1 for SGD
    ///   (weights, gradients, optimizer state, and the checkpoint's copy of weights and state);
    /// - a minibatch's activations: batch · 4 bytes · (3 · Σ layer outputs, forward, backward and
    ///   deltas or argmax, + each convolution's im2col lowering), ``ConfiguredNetwork/floatsPerTrainingSample``;
    /// - the evaluation set's hidden activations at a snapshot: n · Σ hidden · 4 bytes · 2
    ///   (the snapshot being written by the writer thread and the one just recorded);
    /// - with `snapshots.store: projections`, the writer thread's projections of one layer:
    ///   n · m · 8 · 2 (the blocks and the matrix) · layers, its directions m · widest · 8 and
    ///   the widened row block 1,024 · widest · 8;
    /// - the stopping rule's prepared input projections: n · m_stop doubles.
    func memoryEstimate(_ network: ConfiguredNetwork, samples: Int, evaluation: Int, schedule: [Int],
                        analysis: AnalysisSettings?) -> MemoryEstimate {
        let moments: Double = config.training.optimizer == .adam ? 2 : 1
        let recorded = Double(network.recordedWidths.reduce(0, +))
        let n = Double(evaluation)
        var estimate = MemoryEstimate()
        estimate.add("dataset", bytes: Double(samples) * (Double(network.inputs) + 1) * 4, fix: "use a smaller dataset.train_size or test_size")
        estimate.add("network weights, gradients and optimizer state", bytes: Double(network.parameterCount) * 4 * (3 + 2 * moments),
                     fix: "narrow \(network.key)")
        estimate.add("minibatch activations", bytes: Double(min(config.training.batchSize, samples)) * Double(network.floatsPerTrainingSample) * 4,
                     fix: "lower training.batch_size")
        estimate.add("snapshot activations, n × Σ hidden", bytes: n * recorded * 8,
                     fix: "lower dataset.evaluation_size or narrow \(network.key)")
        if config.snapshots.store == .projections {
            let m = Double(config.analysis.slices), widest = Double(network.recordedWidths.max() ?? 0)
            estimate.add("recorded projections, n × m per layer, and their directions",
                         bytes: n * m * 16 * Double(network.recordedWidths.count) + (m + 1024) * widest * 8,
                         fix: "lower analysis.slices or dataset.evaluation_size")
        }
        if let stopping = config.stopping {
            estimate.add("stopping rule's input projections, n × m", bytes: n * Double(stopping.slices) * 8, fix: "lower stopping.slices")
        }
        if let analysis {
            let plan = plannedAnalysis(analysis, network, samples: evaluation, schedule: schedule)
            estimate.add(plan.memoryEstimate(slicesFix: "lower analysis.slices"))
        }
        return estimate
    }

    /// The analysis `infoplane run` will plan once the run file exists (every recorded layer at
    /// every scheduled snapshot), known before: its memory and its rank count are checked first.
    func plannedAnalysis(_ settings: AnalysisSettings, _ network: ConfiguredNetwork, samples: Int, schedule: [Int]) -> AnalysisPlan {
        let widths = network.recordedWidths
        var plan = AnalysisPlan(settings: settings, epochs: schedule, layers: Array(1...max(1, widths.count)),
                                widths: widths, samples: samples, features: network.inputs, source: "", layerNames: network.layerNames)
        // Stored projections need no window of activations.
        if config.snapshots.store == .projections { plan.projectedLayers = plan.layers }
        return plan
    }

}

extension MemoryEstimate {
    /// Adds an MLP's weights, gradients, optimizer state (`moments` per parameter: 2 for Adam,
    /// 1 for SGD) and the checkpoint's copy of weights and state: P · 4 bytes · (3 + 2·moments),
    /// P = Σ w_(l−1)·w_l + w_l over the layers.
    mutating func addNetwork(_ architecture: MLPArchitecture, moments: Double, fix: String) {
        let widths = architecture.widths.map(Double.init)
        let parameters = zip(widths, widths.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
        add("network weights, gradients and optimizer state", bytes: parameters * 4 * (3 + 2 * moments), fix: fix)
    }
}
