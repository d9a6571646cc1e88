@testable import Estimators
import Randomness
import Testing

/// The block path of SlicePreparation (all columns of a projected block at once, SIMD sums; in
/// Swift and, where the processor runs them, by the AVX-512 kernels) against the one-variable
/// path, bit for bit, and the stream identifiers against the arrays.
struct SlicePreparationTests {
    /// A row-major n × m block of varied columns: Gaussian, shifted and scaled per column, one
    /// constant column and one with ties.
    static func block(n: Int, m: Int) -> [Double] {
        var stream = RandomStream(seed: 3, purpose: "test.preparation", n, m)
        var values = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            for c in 0..<m {
                let g = stream.nextGaussian()
                values[i * m + c] = c == 2 ? 4.25 : c == 5 ? Double(i % 3) : Double(c) * 10 + g * Double(c + 1)
            }
        }
        return values
    }

    @Test("prepareColumns equals copying each column and preparing it alone",
          arguments: [(1000, 1, 1), (1000, 3, 3), (999, 4, 4), (1000, 6, 6), (500, 16, 16), (500, 19, 19), (2000, 32, 32),
                      (999, 41, 45), (71, 9, 11)])
    func blockPathEqualsOneVariablePath(n: Int, m: Int, stride: Int) {
        let data = Self.block(n: n, m: stride)
        for kernels in SIMDKernels.runnable {
            for preparation in [SlicePreparation(seed: 9), SlicePreparation(standardize: false, seed: 9),
                                SlicePreparation(jitter: 0, seed: 9), SlicePreparation(standardize: false, jitter: 0, seed: 9)] {
                var out = [Double](repeating: .nan, count: n * m)
                var varies = [Bool](repeating: false, count: m)
                data.withUnsafeBufferPointer { block in
                    out.withUnsafeMutableBufferPointer { o in
                        varies.withUnsafeMutableBufferPointer { v in
                            preparation.prepareColumns(block.baseAddress!, rows: n, columns: m, stride: stride, into: o.baseAddress!,
                                                       varies: v.baseAddress!, kernels: kernels) {
                                TieBreakingJitter.stream(TieBreakingJitter.stream(TieBreakingJitter.tag("phi"), appending: 7), appending: 40 + $0)
                            }
                        }
                    }
                }
                check(data, stride: stride, out, varies, m: m, preparation, kernels)
            }
        }
    }

    /// Each of the m prepared columns in `out` equals its column of `data` (`stride` a row)
    /// prepared alone.
    func check(_ data: [Double], stride: Int, _ out: [Double], _ varies: [Bool], m: Int, _ preparation: SlicePreparation,
               _ kernels: SIMDKernels) {
        let n = out.count / m
        for c in 0..<m {
            var column = (0..<n).map { data[$0 * stride + c] }
            let alone = column.withUnsafeMutableBufferPointer { preparation.prepare($0, identity: [7, 40 + c], purpose: "phi") }
            #expect(varies[c] == alone, "column \(c): varies \(varies[c]) vs \(alone)")
            #expect(Array(out[(c * n)..<((c + 1) * n)]) == column, "column \(c) of \(m) differs (\(preparation), \(kernels))")
        }
        if m > 2 { #expect(!varies[2], "a constant column must not vary") }
    }

    @Test func streamIdentifiersEqualThoseOfIdentityArrays() {
        let tag = TieBreakingJitter.tag("phi")
        for (layer, j) in [(0, 0), (3, 31), (1, 999), (-1, 5)] {
            let stream = TieBreakingJitter.stream(TieBreakingJitter.stream(tag, appending: layer), appending: j)
            #expect(stream == RandomStream.streamID("jitter.phi", [layer, j]))
            let a = TieBreakingJitter(seed: 4, stream: stream), b = TieBreakingJitter(seed: 4, purpose: "phi", identity: [layer, j])
            #expect(a.key == b.key)
        }
        #expect(RandomStream.streamTag("theta") == RandomStream.streamID("theta", []))
    }
}
