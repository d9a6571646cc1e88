import CIntrinsics

/// How each projected (or raw) variable is prepared before KSG sees it.
///
/// KSG's max-norm mixes the two sides' scales, so each variable is standardised to mean 0 and
/// standard deviation 1 (population standard deviation). Exact ties — dead ReLU units give
/// identical vectors, binary inputs give repeated values — make k-NN distances zero and the
/// estimate meaningless, so a deterministic jitter of `jitter` standard deviations is added
/// (uniform, from ``TieBreakingJitter``, keyed by the variable's identity). A constant variable
/// carries no information (constant up to a relative 1e-12): callers treat a slice with a
/// constant side as 0.
///
/// Whichever entry point prepares a variable, its sums run in sample order and each value is
/// `(v − mean) · (1/std)` then plus `amplitude · noise`, each step rounded, so the block path
/// (``prepareColumns(_:rows:columns:into:varies:stream:)``) equals ``prepare(_:identity:purpose:)``
/// bit for bit.
public struct SlicePreparation: Sendable, Equatable {
    /// Standardise to mean 0, standard deviation 1.
    public var standardize: Bool
    /// Jitter amplitude in standard deviations of the variable; 0 disables it.
    public var jitter: Double
    /// Seed of the jitter streams.
    public var seed: UInt64

    public init(standardize: Bool = true, jitter: Double = 1e-10, seed: UInt64 = 0) {
        self.standardize = standardize
        self.jitter = jitter
        self.seed = seed
    }

    /// Prepares `values` in place. `identity` names the variable (e.g. `["t", layer, j]`) so its
    /// jitter is the same whoever prepares it. Returns false if the variable is constant.
    @discardableResult
    public func prepare(_ values: UnsafeMutableBufferPointer<Double>, identity: [Int], purpose: String) -> Bool {
        var stream = TieBreakingJitter.tag(purpose)
        for index in identity { stream = TieBreakingJitter.stream(stream, appending: index) }
        return prepare(values, stream: stream)
    }

    /// Prepares `values` in place with the jitter of stream identifier `stream`
    /// (``TieBreakingJitter/tag(_:)`` extended by the identity); allocates nothing.
    @discardableResult
    public func prepare(_ values: UnsafeMutableBufferPointer<Double>, stream: UInt64) -> Bool {
        let n = values.count
        guard n > 0 else { return false }
        let v = values.baseAddress!
        var sum = 0.0
        for i in 0..<n { sum += v[i] }
        let mean = sum / Double(n)
        var squares = 0.0, raw = 0.0
        for i in 0..<n {
            squares += (v[i] - mean) * (v[i] - mean)
            raw += v[i] * v[i]
        }
        return finish(v, stride: 1, into: v, count: n, mean: mean, squares: squares, raw: raw, stream: stream)
    }

    /// Prepares each column of the row-major `rows` × `columns` block (one variable per column)
    /// into `out`, column s at `out[s·rows ..< (s+1)·rows]`, with jitter stream `stream(s)`;
    /// `varies[s]` is false where column s is constant (its values are then copied as they are).
    ///
    /// Equal to copying each column out and calling ``prepare(_:stream:)`` on it, but a column's
    /// serial sums (one addition chain per column, latency-bound) run side by side with their
    /// neighbours' in SIMD lanes, reading the block row by row, and the copy, standardisation and
    /// jitter are one pass. Allocates nothing.
    /// Row i of the block starts at `block + i · stride` (`stride` ≥ m; nil: m).
    public func prepareColumns(_ block: UnsafePointer<Double>, rows n: Int, columns m: Int, stride rowStride: Int? = nil,
                               into out: UnsafeMutablePointer<Double>, varies: UnsafeMutablePointer<Bool>,
                               stream: (Int) -> UInt64) {
        prepareColumns(block, rows: n, columns: m, stride: rowStride, into: out, varies: varies, kernels: .best, stream: stream)
    }

    /// ``prepareColumns(_:rows:columns:stride:into:varies:stream:)`` by the portable Swift path or,
    /// with `kernels` `.avx512`, CIntrinsics' AVX-512 kernels for the moments and (standardised
    /// and jittered, the defaults) the prepared values: the same values either way.
    func prepareColumns(_ block: UnsafePointer<Double>, rows n: Int, columns m: Int, stride rowStride: Int?,
                        into out: UnsafeMutablePointer<Double>, varies: UnsafeMutablePointer<Bool>,
                        kernels: SIMDKernels, stream: (Int) -> UInt64) {
        let stride = rowStride ?? m
        guard n > 0, m > 0 else { return }
        let wide = kernels == .avx512
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * m) { buffer in
            let sums = buffer.baseAddress!, squares = sums + m, raw = squares + m
            let done = wide ? Int(infoplane_column_moments_avx512(block, Int64(stride), Int64(n), Int64(m), sums, squares, raw)) : 0
            if done < m {
                columnMoments(block + done, rows: n, columns: m - done, stride: stride, sums: sums + done,
                              squares: squares + done, raw: raw + done)
            }
            for c in 0..<m {
                varies[c] = varying(count: n, squares: squares[c], raw: raw[c])
                // The mean, then the scale, as `finish` computes them.
                sums[c] = sums[c] / Double(n)
                squares[c] = (squares[c] / Double(n)).squareRoot()
            }
            if wide && standardize && jitter > 0 {
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: m) { keys in
                    for c in 0..<m {
                        keys[c] = TieBreakingJitter(seed: seed, stream: stream(c)).key
                        // The factor `write` multiplies by.
                        raw[c] = 1 / squares[c]
                    }
                    infoplane_prepare_columns_avx512(block, Int64(stride), Int64(n), Int64(m), sums, raw, jitter, keys.baseAddress!,
                                                     varies, out)
                }
                for c in 0..<m where !varies[c] {
                    for i in 0..<n { out[c * n + i] = block[i * stride + c] }
                }
                return
            }
            // Rows a chunk at a time, every column of the chunk before the next: a block larger
            // than the caches (n = 100,000: 25.6 MB) is then read from memory once, where a
            // column at a time would fetch each cache line once per column it holds.
            let chunk = 512
            var start = 0
            while start < n {
                let rows = min(chunk, n - start)
                for c in 0..<m {
                    let source = block + start * stride + c, target = out + c * n + start
                    if varies[c] {
                        write(source, stride: stride, into: target, range: start..<(start + rows), mean: sums[c], std: squares[c],
                              noise: TieBreakingJitter(seed: seed, stream: stream(c)))
                    } else {
                        for i in 0..<rows { target[i] = source[i * stride] }
                    }
                }
                start += rows
            }
        }
    }

    /// Per column of the block: the sum, then (about the mean) the sum of squared deviations
    /// and the sum of squares, each accumulated in row order as ``prepare(_:stream:)`` does.
    /// Sixteen columns at a time in four SIMD accumulators (four independent addition chains).
    private func columnMoments(_ block: UnsafePointer<Double>, rows n: Int, columns m: Int, stride: Int,
                               sums: UnsafeMutablePointer<Double>, squares: UnsafeMutablePointer<Double>,
                               raw: UnsafeMutablePointer<Double>) {
        typealias V = SIMD4<Double>
        @inline(__always) func load(_ p: UnsafePointer<Double>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Double>) {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
        }
        var c = 0
        while c + 16 <= m {
            var s0 = V(), s1 = V(), s2 = V(), s3 = V()
            for i in 0..<n {
                let row = block + i * stride + c
                s0 += load(row); s1 += load(row + 4); s2 += load(row + 8); s3 += load(row + 12)
            }
            let count = V(repeating: Double(n))
            let m0 = s0 / count, m1 = s1 / count, m2 = s2 / count, m3 = s3 / count
            var q0 = V(), q1 = V(), q2 = V(), q3 = V(), r0 = V(), r1 = V(), r2 = V(), r3 = V()
            for i in 0..<n {
                let row = block + i * stride + c
                let a = load(row), b = load(row + 4), d = load(row + 8), e = load(row + 12)
                q0 += (a - m0) * (a - m0); r0 += a * a
                q1 += (b - m1) * (b - m1); r1 += b * b
                q2 += (d - m2) * (d - m2); r2 += d * d
                q3 += (e - m3) * (e - m3); r3 += e * e
            }
            store(s0, sums + c); store(s1, sums + c + 4); store(s2, sums + c + 8); store(s3, sums + c + 12)
            store(q0, squares + c); store(q1, squares + c + 4); store(q2, squares + c + 8); store(q3, squares + c + 12)
            store(r0, raw + c); store(r1, raw + c + 4); store(r2, raw + c + 8); store(r3, raw + c + 12)
            c += 16
        }
        while c + 4 <= m {
            var s = V()
            for i in 0..<n { s += load(block + i * stride + c) }
            let mean = s / V(repeating: Double(n))
            var q = V(), r = V()
            for i in 0..<n {
                let a = load(block + i * stride + c)
                q += (a - mean) * (a - mean)
                r += a * a
            }
            store(s, sums + c); store(q, squares + c); store(r, raw + c)
            c += 4
        }
        while c < m {
            var s = 0.0
            for i in 0..<n { s += block[i * stride + c] }
            let mean = s / Double(n)
            var q = 0.0, r = 0.0
            for i in 0..<n {
                let a = block[i * stride + c]
                q += (a - mean) * (a - mean)
                r += a * a
            }
            sums[c] = s; squares[c] = q; raw[c] = r
            c += 1
        }
    }

    /// Writes the prepared values of the variable `source[i·stride]` (i < n), whose mean and sums
    /// of squares are given, to `out[0..<n]` (which may be the source when stride is 1); false,
    /// with the values copied unchanged, when the variable is constant.
    @inline(__always)
    private func finish(_ source: UnsafePointer<Double>, stride: Int, into out: UnsafeMutablePointer<Double>, count n: Int,
                        mean: Double, squares: Double, raw: Double, stream: UInt64) -> Bool {
        guard varying(count: n, squares: squares, raw: raw) else {
            if UnsafePointer(out) != source { for i in 0..<n { out[i] = source[i * stride] } }
            return false
        }
        write(source, stride: stride, into: out, range: 0..<n, mean: mean, std: (squares / Double(n)).squareRoot(),
              noise: TieBreakingJitter(seed: seed, stream: stream))
        return true
    }

    /// Whether a variable of `n` values with these sums varies: constant up to rounding (a
    /// projection of identical rows can differ in the last bits between GEMM kernels) carries
    /// no information and is not a variable to standardise.
    @inline(__always)
    private func varying(count n: Int, squares: Double, raw: Double) -> Bool {
        (squares / Double(n)).squareRoot() > 1e-12 * (raw / Double(n)).squareRoot()
    }

    /// The prepared values of samples `range` of a varying variable: sample `range.lowerBound + i`
    /// read from `source[i·stride]`, written to `out[i]`, with jitter value `range.lowerBound + i`.
    @inline(__always)
    private func write(_ source: UnsafePointer<Double>, stride: Int, into out: UnsafeMutablePointer<Double>, range: Range<Int>,
                       mean: Double, std: Double, noise: TieBreakingJitter) {
        let scale = 1 / std
        let amplitude = jitter * (standardize ? 1 : std)
        // The jitter's sequence position and the source advance by additions: a loop of
        // multiplications (with overflow checks) per value was a quarter of a 1-D slice's preparation.
        var state = noise.state(range.lowerBound)
        var value = source
        switch (standardize, jitter > 0) {
        case (true, true):
            for i in 0..<range.count {
                let standardized = (value.pointee - mean) * scale
                out[i] = standardized + amplitude * TieBreakingJitter.value(atState: state)
                state &+= TieBreakingJitter.step
                value += stride
            }
        case (true, false):
            for i in 0..<range.count { out[i] = (source[i &* stride] - mean) * scale }
        case (false, true):
            for i in 0..<range.count {
                out[i] = value.pointee + amplitude * TieBreakingJitter.value(atState: state)
                state &+= TieBreakingJitter.step
                value += stride
            }
        case (false, false):
            if UnsafePointer(out) != source { for i in 0..<range.count { out[i] = source[i * stride] } }
        }
    }
}
