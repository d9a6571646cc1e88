import Support

extension ExperimentConfig.ModelSection {
    /// One entry of `model.layers`: a convolution, a pooling or a dense layer, its nonlinearity
    /// and whether its output is recorded. Written in YAML as a one-line mapping, e.g.
    /// `{conv: 16, kernel: 3}`, `{pool: 2}`, `{dense: 128, activation: tanh}`, `{pool: 2, record: false}`.
    public struct Layer: Sendable, Equatable, Codable {
        /// What the layer computes.
        public enum Kind: Sendable, Equatable, Codable {
            /// `conv: C` (+ `kernel: k`, odd, default 3): stride 1, same padding, C output maps.
            case conv(channels: Int, kernel: Int)
            /// `pool: 2`: 2×2 max pooling with stride 2.
            case pool(size: Int)
            /// `dense: U`: a fully connected layer of U units (a map before it is flattened NCHW).
            case dense(units: Int)
        }

        /// What the layer computes.
        public var kind: Kind
        /// The layer's own nonlinearity (`activation:`, conv and dense only); nil: `model.activation`.
        public var activation: Activation?
        /// Whether the output is written to run.h5 and analysed (`record:`, default true).
        public var record: Bool

        /// A layer from its parts.
        public init(_ kind: Kind, activation: Activation? = nil, record: Bool = true) {
            self.kind = kind
            self.activation = activation
            self.record = record
        }

        /// Reads one entry; `key` is its place (`model.layers[2]`) in errors.
        init(_ entry: SectionReader, key: String) throws {
            let present = ["conv", "pool", "dense"].filter(entry.has)
            guard present.count == 1 else {
                let problem = present.isEmpty ? "says neither conv, pool nor dense" : "says \(present.joined(separator: " and ")) at once"
                throw InfoPlaneError("\(entry.source): '\(key)' \(problem): write one layer per entry, e.g. {conv: 16, kernel: 3}, {pool: 2} or {dense: 128}")
            }
            for option in ["kernel"] where present[0] != "conv" && entry.has(option) {
                throw InfoPlaneError("\(entry.source): '\(key).\(option)' applies only to a conv layer; remove it")
            }
            if present[0] == "pool" && entry.has("activation") {
                throw InfoPlaneError("\(entry.source): '\(key).activation' applies only to conv and dense layers (pooling has none); remove it")
            }
            switch present[0] {
            case "conv":
                let channels = try entry.int("conv", default: 0, in: 1...65_536, why: " (output channels of the convolution)")
                let kernel = try entry.int("kernel", default: 3, in: 1...31, why: " (the kernel's side, odd: 3 or 5)")
                guard kernel % 2 == 1 else {
                    throw InfoPlaneError("\(entry.source): '\(key).kernel' = \(kernel) is impossible: same padding needs an odd kernel; use 3 or 5")
                }
                kind = .conv(channels: channels, kernel: kernel)
            case "pool":
                let size = try entry.int("pool", default: 2, in: 1...Int.max)
                guard size == 2 else {
                    throw InfoPlaneError("\(entry.source): '\(key).pool' = \(size) is not supported: only 2×2 max pooling with stride 2 is; use pool: 2")
                }
                kind = .pool(size: size)
            default:
                kind = .dense(units: try entry.int("dense", default: 0, in: 1...1_000_000, why: " (units of the dense layer)"))
            }
            // Read even when absent, so a misspelt key is answered with "did you mean 'activation'".
            let chosen: Activation = try entry.choice("activation", default: .relu)
            activation = entry.has("activation") ? chosen : nil
            record = try entry.bool("record", default: true)
            try entry.finish()
        }

        /// The entry as one flow mapping of the canonical text.
        var canonicalText: String {
            var parts: [String]
            switch kind {
            case .conv(let channels, let kernel): parts = ["conv: \(channels)", "kernel: \(kernel)"]
            case .pool(let size): parts = ["pool: \(size)"]
            case .dense(let units): parts = ["dense: \(units)"]
            }
            if let activation { parts.append("activation: \(activation.rawValue)") }
            if !record { parts.append("record: false") }
            return "{" + parts.joined(separator: ", ") + "}"
        }

        /// The layer's name stem, as the network names it (`conv`, `pool`, `dense`).
        public var stem: String {
            switch kind {
            case .conv: "conv"
            case .pool: "pool"
            case .dense: "dense"
            }
        }
    }

    /// The recorded layers' names in order: `layer_1…layer_L` for `hidden`, else the network's
    /// names by kind and ordinal (`conv1, pool1, conv2, pool2, dense1`).
    public var recordedLayerNames: [String] {
        guard let layers else { return hidden.indices.map { "layer_\($0 + 1)" } }
        var seen: [String: Int] = [:]
        return layers.compactMap { layer in
            seen[layer.stem, default: 0] += 1
            return layer.record ? "\(layer.stem)\(seen[layer.stem]!)" : nil
        }
    }
}
