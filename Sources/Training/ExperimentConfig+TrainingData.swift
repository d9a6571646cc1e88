import Config
import Learning
import Support

extension ExperimentConfig {
    /// The data as this config trains on it, and the evaluation samples: the first
    /// `dataset.train_size` training samples of a catalog dataset (all without it); the
    /// evaluation split cut from those with their true labels; then, with `dataset.label_noise`,
    /// the training labels with a seeded fraction replaced (``NoisyLabels``, drawn from `seed`,
    /// not the replica's training seed, so every copy of an ensemble sees the same labels).
    public func trainingData(_ loaded: Dataset) throws -> (data: Dataset, evaluation: Split, noise: NoisyLabels?) {
        var data = loaded
        if let limit = dataset.trainLimit {
            guard limit <= data.train.count else {
                throw InfoPlaneError("dataset.train_size = \(limit) is larger than the training split (\(data.train.count) samples): lower it")
            }
            data.train = data.train.prefix(limit)
        }
        let evaluation = try evaluationSplit(of: data)
        guard dataset.labelNoise > 0 else { return (data, evaluation, nil) }
        guard data.classes >= 2, data.train.targets == nil else {
            throw InfoPlaneError("dataset.label_noise needs class labels, and \(data.identity.name) has none: remove it")
        }
        let noise = NoisyLabels(labels: data.train.labels, classes: data.classes, fraction: dataset.labelNoise, seed: seed)
        data.train.labels = noise.noisy
        return (data, evaluation, noise)
    }
}
