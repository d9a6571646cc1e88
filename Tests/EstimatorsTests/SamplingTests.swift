import Foundation
import Randomness
import Testing
@testable import Estimators

/// Kolmogorov–Smirnov distance between a sample and the uniform law on [−1, 1].
private func ksDistanceToUniform(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = Double(sorted.count)
    var worst = 0.0
    for (index, value) in sorted.enumerated() {
        let cdf = (value + 1) / 2
        worst = max(worst, abs(cdf - Double(index) / n), abs(Double(index + 1) / n - cdf))
    }
    return worst
}

/// max |QᵀQ − I| for a row-major d × k matrix.
private func orthonormalityError(_ q: [Double], d: Int, k: Int) -> Double {
    var worst = 0.0
    for a in 0..<k {
        for b in 0..<k {
            var dot = 0.0
            for i in 0..<d { dot += q[i * k + a] * q[i * k + b] }
            worst = max(worst, abs(dot - (a == b ? 1 : 0)))
        }
    }
    return worst
}

/// Diagnostics that a Haar frame must pass: E[Q_11] ≈ 0 and each diagonal sign ±1 half the time.
private func haarSignDiagnostics(_ frames: [[Double]], k: Int) -> (meanQ11: Double, positiveFractions: [Double]) {
    let count = Double(frames.count)
    let meanQ11 = frames.reduce(0) { $0 + $1[0] } / count
    let fractions = (0..<k).map { i in Double(frames.filter { $0[i * k + i] > 0 }.count) / count }
    return (meanQ11, fractions)
}

private func looksHaar(_ frames: [[Double]], k: Int) -> Bool {
    // 5 standard errors: |Q_11| ≤ 1 has sd ≤ 1/√N; a fair sign fraction has sd 1/(2√N).
    let n = Double(frames.count)
    let (meanQ11, fractions) = haarSignDiagnostics(frames, k: k)
    return abs(meanQ11) < 5 / n.squareRoot() && fractions.allSatisfy { abs($0 - 0.5) < 2.5 / n.squareRoot() }
}

@Suite struct UnitVectorTests {
    @Test(arguments: [1, 2, 3, 7, 64, 784])
    func unitNorm(dimension: Int) {
        for slice in 0..<20 {
            let v = Projections.unitVector(dimension: dimension, seed: 11, purpose: "test.norm", indices: [slice])
            #expect(v.count == dimension)
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-12)
        }
    }

    @Test func dimensionOneGivesBothSigns() {
        let values = (0..<200).map {
            Projections.unitVector(dimension: 1, seed: 5, purpose: "test.d1", indices: [$0])[0]
        }
        #expect(values.allSatisfy { $0 == 1 || $0 == -1 })
        let positives = values.filter { $0 > 0 }.count
        #expect(positives > 70 && positives < 130)
    }

    @Test func deterministicAndKeyedBySeedPurposeAndIndices() {
        let a = Projections.unitVector(dimension: 10, seed: 3, purpose: "projection.theta", indices: [2, 5])
        #expect(a == Projections.unitVector(dimension: 10, seed: 3, purpose: "projection.theta", indices: [2, 5]))
        #expect(a != Projections.unitVector(dimension: 10, seed: 4, purpose: "projection.theta", indices: [2, 5]))
        #expect(a != Projections.unitVector(dimension: 10, seed: 3, purpose: "projection.phi", indices: [2, 5]))
        #expect(a != Projections.unitVector(dimension: 10, seed: 3, purpose: "projection.theta", indices: [5, 2]))
    }

    @Test func blockColumnsEqualSingleDrawsWhateverTheBlocking() {
        let d = 9, total = 12
        let whole = Projections.unitVectors(count: total, dimension: d, seed: 8, purpose: "projection.theta", layer: 3)
        #expect(whole.count == d * total)
        for j in 0..<total {
            let single = Projections.unitVector(dimension: d, seed: 8, purpose: "projection.theta", indices: [3, j])
            #expect((0..<d).map { whole[$0 * total + j] } == single)
        }
        // Slices 5..<12 drawn as their own block are the same columns, bit for bit.
        let tail = Projections.unitVectors(count: 7, dimension: d, seed: 8, purpose: "projection.theta",
                                           layer: 3, startIndex: 5)
        for j in 0..<7 {
            #expect((0..<d).map { tail[$0 * 7 + j] } == (0..<d).map { whole[$0 * total + 5 + j] })
        }
        // Extra indices follow the layer; no layer means no prefix.
        let tagged = Projections.unitVectors(count: 2, dimension: d, seed: 8, purpose: "p", indices: [4, 1])
        #expect((0..<d).map { tagged[$0 * 2 + 1] }
                == Projections.unitVector(dimension: d, seed: 8, purpose: "p", indices: [4, 1, 1]))
    }

    @Test func firstAndSecondMomentsOfTheSphere() {
        let d = 4, count = 20_000
        var mean = [Double](repeating: 0, count: d)
        var second = [Double](repeating: 0, count: d * d)
        let block = Projections.unitVectors(count: count, dimension: d, seed: 21, purpose: "test.moments")
        for j in 0..<count {
            for a in 0..<d {
                let va = block[a * count + j]
                mean[a] += va
                for b in 0..<d { second[a * d + b] += va * block[b * count + j] }
            }
        }
        // sd of a mean coordinate is 1/√(dN) ≈ 0.0035; of a second moment at most ≈ 0.002.
        for a in 0..<d {
            #expect(abs(mean[a] / Double(count)) < 0.02)
            for b in 0..<d {
                let expected = a == b ? 1.0 / Double(d) : 0
                #expect(abs(second[a * d + b] / Double(count) - expected) < 0.01)
            }
        }
    }
}

@Suite struct StiefelFrameTests {
    @Test(arguments: [(1, 1), (3, 1), (3, 2), (5, 3), (10, 10), (64, 8), (200, 16)])
    func orthonormalColumns(shape: (Int, Int)) {
        let (d, k) = shape
        for draw in 0..<5 {
            let q = Projections.stiefelFrame(dimension: d, rank: k, seed: 2, purpose: "test.stiefel", indices: [draw])
            #expect(q.count == d * k)
            #expect(orthonormalityError(q, d: d, k: k) < 1e-12)
        }
    }

    @Test func deterministicPerKey() {
        let a = Projections.stiefelFrame(dimension: 6, rank: 3, seed: 1, purpose: "projection.frame", indices: [0, 4])
        #expect(a == Projections.stiefelFrame(dimension: 6, rank: 3, seed: 1, purpose: "projection.frame", indices: [0, 4]))
        #expect(a != Projections.stiefelFrame(dimension: 6, rank: 3, seed: 1, purpose: "projection.frame", indices: [0, 5]))
    }

    @Test func rankOneFrameIsTheUnitVectorOfTheSameStream() {
        for slice in 0..<10 {
            let frame = Projections.stiefelFrame(dimension: 7, rank: 1, seed: 9, purpose: "p", indices: [slice])
            let vector = Projections.unitVector(dimension: 7, seed: 9, purpose: "p", indices: [slice])
            for i in 0..<7 { #expect(abs(frame[i] - vector[i]) < 1e-14) }
        }
    }

    @Test func equalsGramSchmidtWithPositiveDiagonal() {
        let d = 8, k = 5
        for draw in 0..<5 {
            // The same Gaussian matrix, column by column, orthonormalised by MGS applied twice.
            var stream = RandomStream(seed: 4, stream: RandomStream.streamID("test.mgs", [draw]))
            var columns = (0..<k).map { _ in (0..<d).map { _ in stream.nextGaussian() } }
            for j in 0..<k {
                for _ in 0..<2 {
                    for p in 0..<j {
                        let dot = zip(columns[p], columns[j]).reduce(0) { $0 + $1.0 * $1.1 }
                        for i in 0..<d { columns[j][i] -= dot * columns[p][i] }
                    }
                }
                let norm = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
                columns[j] = columns[j].map { $0 / norm }
            }
            let q = Projections.stiefelFrame(dimension: d, rank: k, seed: 4, purpose: "test.mgs", indices: [draw])
            for i in 0..<d { for j in 0..<k { #expect(abs(q[i * k + j] - columns[j][i]) < 1e-12) } }
        }
    }

    @Test func firstCoordinateOfS2IsUniform() {
        // Archimedes: a uniform point of S² has a first coordinate uniform on [−1, 1].
        let n = 4000
        let firsts = (0..<n).map {
            Projections.stiefelFrame(dimension: 3, rank: 1, seed: 13, purpose: "test.ks", indices: [$0])[0]
        }
        // 1.95/√n is the 0.1% critical value of the KS statistic.
        #expect(ksDistanceToUniform(firsts) < 1.95 / Double(n).squareRoot())
    }

    @Test func secondColumnHasTheUniformMarginal() {
        // Each column of a Haar frame is uniform on the sphere, so Q[0][1] and Q[2][1] of a
        // 3 × 2 frame are uniform on [−1, 1] too.
        let n = 4000
        let frames = (0..<n).map {
            Projections.stiefelFrame(dimension: 3, rank: 2, seed: 17, purpose: "test.ks2", indices: [$0])
        }
        #expect(ksDistanceToUniform(frames.map { $0[0 * 2 + 1] }) < 1.95 / Double(n).squareRoot())
        #expect(ksDistanceToUniform(frames.map { $0[2 * 2 + 1] }) < 1.95 / Double(n).squareRoot())
    }

    @Test func signCorrectionIsWhatMakesTheFrameHaar() {
        let d = 3, k = 2, n = 4000
        var corrected: [[Double]] = [], uncorrected: [[Double]] = []
        for draw in 0..<n {
            var stream = RandomStream(seed: 23, stream: RandomStream.streamID("test.sign", [draw]))
            let gaussian = (0..<(d * k)).map { _ in stream.nextGaussian() }
            corrected.append(Projections.householderQ(gaussian, rows: d, columns: k, signCorrected: true).q)
            uncorrected.append(Projections.householderQ(gaussian, rows: d, columns: k, signCorrected: false).q)
        }
        #expect(corrected[0] == Projections.stiefelFrame(dimension: d, rank: k, seed: 23, purpose: "test.sign", indices: [0]))
        #expect(looksHaar(corrected, k: k))
        // Plain Householder QR always gives Q_11 = −|g_11|/‖g_1‖: the diagnostic must reject it.
        #expect(!looksHaar(uncorrected, k: k))
        #expect(haarSignDiagnostics(uncorrected, k: k).meanQ11 < -0.4)
    }
}

@Suite struct BlockProjectionTests {
    private func randomMatrix(_ count: Int, seed: UInt64) -> [Double] {
        var stream = RandomStream(seed: seed, purpose: "test.matrix")
        return (0..<count).map { _ in stream.nextGaussian() }
    }

    @Test func dgemmBlockEqualsColumnDotProducts() {
        let n = 37, d = 13, m = 7
        let data = randomMatrix(n * d, seed: 1)
        let directions = Projections.unitVectors(count: m, dimension: d, seed: 2, purpose: "test.block")
        var output = [Double](repeating: .nan, count: n * m)
        data.withUnsafeBufferPointer { x in
            directions.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { BlockProjection.project(data: x, n: n, d: d, directions: w, m: m, into: $0) }
            }
        }
        for i in 0..<n {
            for j in 0..<m {
                var dot = 0.0
                for k in 0..<d { dot += data[i * d + k] * directions[k * m + j] }
                #expect(abs(output[i * m + j] - dot) < 1e-12)
            }
        }
    }

    @Test func floatInputIsProjectedInDoubleAcrossRowBlocks() {
        let n = 2500, d = 6, m = 3  // more rows than one widening block
        let data = randomMatrix(n * d, seed: 3).map(Float.init)
        let directions = Projections.unitVectors(count: m, dimension: d, seed: 4, purpose: "test.block")
        var output = [Double](repeating: .nan, count: n * m)
        data.withUnsafeBufferPointer { x in
            directions.withUnsafeBufferPointer { w in
                output.withUnsafeMutableBufferPointer { BlockProjection.project(data: x, n: n, d: d, directions: w, m: m, into: $0) }
            }
        }
        for i in 0..<n {
            for j in 0..<m {
                var dot = 0.0
                for k in 0..<d { dot += Double(data[i * d + k]) * directions[k * m + j] }
                #expect(abs(output[i * m + j] - dot) < 1e-12)
            }
        }
    }

    @Test func emptyInnerDimensionProjectsToZero() {
        var output = [Double](repeating: .nan, count: 4)
        let empty: [Double] = []
        empty.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { BlockProjection.project(data: x, n: 2, d: 0, directions: x, m: 2, into: $0) }
        }
        #expect(output == [0, 0, 0, 0])
    }
}
