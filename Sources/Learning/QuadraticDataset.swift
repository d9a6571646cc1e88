import Foundation
import Randomness
import Support

// MARK: - The generated regression dataset

extension DatasetCatalog {
    /// Half-width of the input interval: x ~ U[−3, 3].
    static let quadraticRange = 3.0
    /// Standard deviation of the target noise: y = x² − x − 1 + 0.2·ε, ε ~ N(0, 1).
    static let quadraticNoise = 0.2

    /// The noise-free regression function of the `quadratic` dataset.
    public static func quadraticMean(_ x: Double) -> Double { x * x - x - 1 }

    /// A seeded 1-D regression set (issue 6's "regression targets"): x ~ U[−3, 3],
    /// y = x² − x − 1 + 0.2·ε with ε ~ N(0, 1); one input feature, one real target, no classes.
    /// The train and test splits come from the streams `("quadratic.x", split)` and
    /// `("quadratic.noise", split)`, so each is fixed by the seed and its size alone.
    static func quadratic(_ spec: DatasetSpec) throws -> Dataset {
        for (key, size) in [("train_size", spec.syntheticTrainSize), ("test_size", spec.syntheticTestSize)] {
            guard size >= 2, size <= 1 << 31 else {
                throw InfoPlaneError("quadratic dataset: dataset.\(key) = \(size) is impossible: use 2 to 2^31 samples")
            }
        }
        let seed = spec.syntheticSeed

        func split(_ index: Int, count: Int) -> Split {
            var xs = RandomStream(seed: seed, purpose: "quadratic.x", index)
            var noise = RandomStream(seed: seed, purpose: "quadratic.noise", index)
            var inputs = [Float](repeating: 0, count: count)
            var targets = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let x = quadraticRange * (2 * xs.nextUniform() - 1)
                inputs[i] = Float(x)
                targets[i] = Float(quadraticMean(x) + quadraticNoise * noise.nextGaussian())
            }
            return Split(inputs: Matrix(rows: count, columns: 1, storage: inputs), labels: [],
                         targets: Matrix(rows: count, columns: 1, storage: targets))
        }

        let parameters = "train=\(spec.syntheticTrainSize) test=\(spec.syntheticTestSize) seed=\(seed)"
        // Versioned so that a change to the generator changes the identity.
        let canonical = "infoplane quadratic v1: \(parameters) x=U[-3,3] y=x^2-x-1+0.2*N(0,1)"
        let identity = DatasetIdentity(name: "quadratic", source: "generated: x ~ U[-3, 3], y = x² − x − 1 + 0.2·N(0, 1), \(parameters)",
                                       sha256: SHA256.hex(Array(canonical.utf8)))
        return Dataset(identity: identity, train: split(0, count: spec.syntheticTrainSize),
                       test: split(1, count: spec.syntheticTestSize), classes: 0)
    }
}
