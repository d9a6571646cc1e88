import Support
import Foundation
import Testing
@testable import Estimators

/// n rows of d columns whose covariance has distinct eigenvalues: Gaussian columns scaled by
/// 1, 2, …, d and mixed by a fixed rotation.
private func mixedRows(n: Int, d: Int, seed: Int) -> SampleMatrix {
    let raw = Fixtures.gaussianRows(n: n, d: d, seed: seed)
    let q = Projections.stiefelFrame(dimension: d, rank: d, seed: UInt64(seed), purpose: "test.pca.rotation", indices: [d])
    var values = [Double](repeating: 0, count: n * d)
    for i in 0..<n {
        for r in 0..<d {
            var sum = 1.5  // an offset, so centring matters
            for c in 0..<d { sum += q[r * d + c] * Double(c + 1) * raw[i * d + c] }
            values[i * d + r] = sum
        }
    }
    return SampleMatrix(rows: n, columns: d, values: values)
}

/// `latent` (n × 2) embedded in d dimensions with independent noise: rows Q·[3a, 2b, 0.5·e],
/// Q a fixed rotation, so the top two principal components span the latent plane.
private func embedded(_ latent: SampleMatrix, d: Int, seed: Int) -> SampleMatrix {
    let n = latent.rows
    let noise = Fixtures.gaussianRows(n: n, d: d - 2, seed: seed)
    let q = Projections.stiefelFrame(dimension: d, rank: d, seed: UInt64(seed), purpose: "test.pca.embedding", indices: [d])
    var values = [Double](repeating: 0, count: n * d)
    for i in 0..<n {
        let coordinates = [3 * latent.values[2 * i], 2 * latent.values[2 * i + 1]] + (0..<(d - 2)).map { 0.5 * noise[i * (d - 2) + $0] }
        for r in 0..<d {
            var sum = 0.0
            for c in 0..<d { sum += q[r * d + c] * coordinates[c] }
            values[i * d + r] = sum
        }
    }
    return SampleMatrix(rows: n, columns: d, values: values)
}

struct PrincipalComponentsTests {
    /// Eigenvalues, sign-fixed eigenvectors and scores against numpy's np.cov + eigh.
    @Test func matchesNumpy() throws {
        let shapes = [(40, 6, 6), (40, 6, 3), (200, 12, 4), (9, 5, 5)]
        let samples = shapes.map { mixedRows(n: $0.0, d: $0.1, seed: $0.0 + $0.1) }
        let cases = zip(shapes, samples).map { shape, x in #"{"x":\#(ReferenceScript.list(x.values)),"d":\#(shape.1),"p":\#(shape.2)}"# }
        let results = try ReferenceScript.run("pca_reference.py", cases: cases)
        for ((shape, x), reference) in zip(zip(shapes, samples), results) {
            let (n, d, p) = shape
            let pca = try PrincipalComponents(fitting: x, components: p)
            let eigenvalues = try ReferenceScript.doubles(reference, "eigenvalues")
            let scale = eigenvalues[0]
            #expect(pca.count == p && pca.variances.count == p)
            for c in 0..<p {
                #expect(abs(pca.variances[c] - eigenvalues[c]) <= 1e-12 * scale, "\(shape) λ\(c): \(pca.variances[c]) vs \(eigenvalues[c])")
            }
            let mean = try ReferenceScript.doubles(reference, "mean")
            for c in 0..<d { #expect(abs(pca.mean[c] - mean[c]) <= 1e-13 * (abs(mean[c]) + 1)) }
            let components = try ReferenceScript.doubles(reference, "components")
            for i in 0..<(d * p) { #expect(abs(pca.components[i] - components[i]) <= 1e-10, "\(shape) component entry \(i)") }
            let scores = try ReferenceScript.doubles(reference, "scores")
            let ours = pca.scores(x)
            #expect(ours.rows == n && ours.columns == p)
            for i in 0..<(n * p) { #expect(abs(ours.values[i] - scores[i]) <= 1e-10 * scale.squareRoot(), "\(shape) score \(i)") }
        }
    }

    /// Orthonormal components, each with its largest-magnitude entry positive, and the same
    /// result on every fit.
    @Test func componentsAreOrthonormalWithAFixedSign() throws {
        let x = mixedRows(n: 300, d: 7, seed: 3)
        let pca = try PrincipalComponents(fitting: x, components: 4)
        for a in 0..<4 {
            for b in 0..<4 {
                var dot = 0.0
                for i in 0..<7 { dot += pca.components[i * 4 + a] * pca.components[i * 4 + b] }
                #expect(abs(dot - (a == b ? 1 : 0)) <= 1e-12)
            }
            let column = (0..<7).map { pca.components[$0 * 4 + a] }
            let largest = column.indices.max { abs(column[$0]) < abs(column[$1]) }!
            #expect(column[largest] > 0)
        }
        #expect(pca.variances == pca.variances.sorted(by: >))
        #expect(try PrincipalComponents(fitting: x, components: 4) == pca)
        // The flipped data have flipped scores' signs absorbed: the components are the same.
        let flipped = SampleMatrix(rows: x.rows, columns: x.columns, values: x.values.map { -$0 })
        #expect(try PrincipalComponents(fitting: flipped, components: 4).components == pca.components)
    }

    @Test func badInputIsAOneLineError() throws {
        let x = mixedRows(n: 20, d: 3, seed: 1)
        #expect(throws: InfoPlaneError.self) { try PrincipalComponents(fitting: x, components: 0) }
        #expect(throws: InfoPlaneError.self) { try PrincipalComponents(fitting: SampleMatrix(rows: 1, columns: 3, values: [1, 2, 3]), components: 1) }
        var nan = x
        nan.values[7] = .nan
        #expect(throws: InfoPlaneError.self) { try PrincipalComponents(fitting: nan, components: 2) }
        // More components than columns keeps them all.
        #expect(try PrincipalComponents(fitting: x, components: 10).count == 3)
    }

    /// X (8 columns) and Y (5 columns) depend only through a 2-D latent pair with I = 0.6 nats;
    /// the other directions are independent noise of smaller variance (0.25 against 4 and 9),
    /// so I(X;Y) = 0.6 and the top two components of each side span its latent plane.
    /// PCA-MI with P = 2 must equal KSG on the latent coordinates themselves up to the slight
    /// tilt of the estimated plane (0.02 nats), and the closed form within KSG's error in 2 + 2
    /// dimensions at n = 2000 (bias and spread ≈ 0.03 nats each, so 0.12).
    @Test func compressionKeepsInformationThatLivesInTheTopComponents() throws {
        let latent = GaussianPair(dimension: 2, mutualInformation: 0.6).sample(count: 2000, seed: 21, indices: [0])
        let x = embedded(latent.x, d: 8, seed: 31), y = embedded(latent.y, d: 5, seed: 32)
        let estimator = SlicedMutualInformation(k: 5, seed: 4)
        let compressed = try estimator.pcaInformation(x: x, y: y, components: 2)
        let oracle = estimator.fullInformation(x: latent.x, y: latent.y)
        #expect(abs(compressed - oracle) <= 0.02, "PCA-MI \(compressed), KSG on the latent pair \(oracle)")
        #expect(abs(compressed - 0.6) <= 0.12, "PCA-MI \(compressed), I(X;Y) = 0.6")
    }

    /// Labels carried by a 2-D plane of a 10-D T: PCA to two components keeps the label
    /// information KSG finds on the plane itself.
    @Test func compressionKeepsLabelInformationInTheTopComponents() throws {
        let labels = Fixtures.labels(n: 1500, classes: 3, seed: 5)
        let plane = SampleMatrix(rows: 1500, columns: 2, values: Fixtures.classConditional(labels: labels, d: 2, separation: 1.0, seed: 5))
        let t = embedded(plane, d: 10, seed: 41)
        let estimator = SlicedMutualInformation(k: 5, seed: 4)
        let compressed = try estimator.pcaLabelInformation(t: t, labels: labels, components: 2)
        let oracle = estimator.fullLabelInformation(t: plane, labels: labels)
        #expect(oracle > 0.2)
        #expect(abs(compressed - oracle) <= 0.02, "PCA-MI \(compressed), on the plane \(oracle)")
    }
}
