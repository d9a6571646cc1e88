/// Where a dataset came from, recorded in every run file so a result can be traced to its data.
public struct DatasetIdentity: Sendable, Equatable {
    /// Catalog name, e.g. `mnist`, `fashion-mnist`, `synthetic`.
    public var name: String
    /// Directory the files were read from, or a description of how the data was generated.
    public var source: String
    /// SHA-256 over the files read (each file's digest in a fixed order, hashed again), or over
    /// the generator's parameters for generated data.
    public var sha256: String

    public init(name: String, source: String, sha256: String) {
        self.name = name
        self.source = source
        self.sha256 = sha256
    }
}

/// Samples of one split: inputs with either class labels or regression targets.
public struct Split: Sendable, Equatable {
    /// `count × features` inputs. Image pixels are scaled to [0, 1] (byte / 255).
    public var inputs: Matrix
    /// Class labels in `0..<classes`, one per sample (classification); empty for regression.
    public var labels: [Int32]
    /// `count × outputs` real targets (regression); `nil` for classification.
    public var targets: Matrix?

    public var count: Int { inputs.rows }
    public var features: Int { inputs.columns }

    public init(inputs: Matrix, labels: [Int32], targets: Matrix? = nil) {
        self.inputs = inputs
        self.labels = labels
        self.targets = targets
    }

    /// This split's samples followed by `other`'s (same features; targets kept only if both have them).
    public func followed(by other: Split) -> Split {
        precondition(features == other.features, "splits of one dataset have the same features")
        var storage = inputs.storage
        storage += other.inputs.storage
        var joinedTargets: Matrix?
        if let mine = targets, let theirs = other.targets {
            joinedTargets = Matrix(rows: mine.rows + theirs.rows, columns: mine.columns, storage: mine.storage + theirs.storage)
        }
        return Split(inputs: Matrix(rows: count + other.count, columns: features, storage: storage),
                     labels: labels + other.labels, targets: joinedTargets)
    }

    /// The first `n` samples (the evaluation subset).
    public func prefix(_ n: Int) -> Split {
        // The whole split shares storage instead of copying it (the usual evaluation set).
        if n == count { return self }
        return Split(inputs: inputs.rows(0..<n), labels: Array(labels.prefix(n)), targets: targets?.rows(0..<n))
    }
}

/// A dataset with a training split and a test split.
public struct Dataset: Sendable {
    public var identity: DatasetIdentity
    public var train: Split
    public var test: Split
    /// Number of classes for classification; 0 for regression.
    public var classes: Int

    public init(identity: DatasetIdentity, train: Split, test: Split, classes: Int) {
        self.identity = identity
        self.train = train
        self.test = test
        self.classes = classes
    }
}
