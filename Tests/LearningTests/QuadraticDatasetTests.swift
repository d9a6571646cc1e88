import Support
import Testing
@testable import Learning

/// The generated regression set follows its documented formula: x ~ U[−3, 3],
/// y = x² − x − 1 + 0.2·N(0, 1).
@Suite struct QuadraticDatasetTests {
    static func load(seed: UInt64 = 5, train: Int = 4000, test: Int = 300) throws -> Dataset {
        try DatasetCatalog.load(DatasetSpec(name: "quadratic", syntheticTrainSize: train, syntheticTestSize: test, syntheticSeed: seed))
    }

    @Test func samplesFollowTheFormula() throws {
        let data = try Self.load()
        #expect(data.classes == 0)
        #expect(data.train.count == 4000 && data.test.count == 300 && data.train.features == 1)
        #expect(data.train.labels.isEmpty)
        let targets = try #require(data.train.targets)
        #expect(targets.rows == 4000 && targets.columns == 1)
        let x = data.train.inputs.storage.map(Double.init)
        #expect(x.allSatisfy { (-3...3).contains($0) })
        // Uniform on [−3, 3]: mean 0 and variance 3 (sampling SDs 0.027 and 0.04 at n = 4000).
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n
        #expect(abs(meanX) < 0.12)
        #expect(abs(x.map { ($0 - meanX) * ($0 - meanX) }.reduce(0, +) / n - 3) < 0.2)
        // Residuals are the noise: mean 0 (SD 0.2/√n = 0.003) and SD 0.2 (SD of the SD ≈ 0.0022).
        let residuals = zip(x, targets.storage).map { Double($1) - DatasetCatalog.quadraticMean($0) }
        let mean = residuals.reduce(0, +) / n
        let sd = (residuals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
        #expect(abs(mean) < 0.015, "residual mean \(mean)")
        #expect(abs(sd - 0.2) < 0.012, "residual SD \(sd)")
    }

    @Test func theSeedFixesTheDataAndTheIdentity() throws {
        let a = try Self.load(), b = try Self.load(), c = try Self.load(seed: 6)
        #expect(a.train == b.train && a.test == b.test && a.identity == b.identity)
        #expect(a.train.inputs != c.train.inputs && a.identity.sha256 != c.identity.sha256)
        #expect(a.train.inputs.rows(0..<300) != a.test.inputs, "train and test come from different streams")
        #expect(a.identity.name == "quadratic")
    }

    @Test func impossibleSizesAreOneLineErrors() throws {
        let error = #expect(throws: InfoPlaneError.self) { try Self.load(test: 0) }
        #expect(error?.description.contains("dataset.test_size = 0") == true)
        #expect(throws: InfoPlaneError.self) { try Self.load(train: 1) }
    }
}
