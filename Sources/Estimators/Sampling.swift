import COpenBLAS
import Dispatch
import Randomness

/// Random projection directions for sliced mutual information.
///
/// Every draw is a pure function of `(seed, purpose, indices)`: it reads its own Philox stream
/// (``RandomStream/streamID(_:_:)`` of the purpose and indices), so any process, rank or thread
/// that asks for the same slice gets bit-identical directions, whatever else it draws.
public enum Projections {
    /// A direction uniform on the sphere S^{d−1}: a standard Gaussian vector divided by its norm.
    ///
    /// Gaussian coordinates are drawn in order from the stream of `(purpose, indices)`; for
    /// `dimension == 1` the result is ±1 with equal probability.
    /// - Precondition: `dimension >= 1`.
    public static func unitVector(dimension: Int, seed: UInt64, purpose: String, indices: [Int]) -> [Double] {
        precondition(dimension >= 1, "unitVector needs dimension >= 1")
        var vector = [Double](repeating: 0, count: dimension)
        vector.withUnsafeMutableBufferPointer {
            drawUnitVector(into: $0.baseAddress!, stride: 1, dimension: dimension, seed: seed,
                           stream: RandomStream.streamID(purpose, indices))
        }
        return vector
    }

    /// ``unitVector(dimension:seed:purpose:indices:)`` from stream identifier `stream`, written
    /// to `out[i·stride]` (so straight into a column of a matrix, allocating nothing).
    private static func drawUnitVector(into out: UnsafeMutablePointer<Double>, stride: Int, dimension: Int,
                                       seed: UInt64, stream id: UInt64) {
        var stream = RandomStream(seed: seed, stream: id)
        while true {
            var sumOfSquares = 0.0
            for i in 0..<dimension {
                let g = stream.nextGaussian()
                out[i * stride] = g
                sumOfSquares += g * g
            }
            // A zero vector has probability zero; redrawing from the same stream keeps it deterministic.
            if sumOfSquares > 0 {
                let norm = sumOfSquares.squareRoot()
                for i in 0..<dimension { out[i * stride] /= norm }
                return
            }
        }
    }

    /// Unit vectors for a block of slices, as a `dimension × count` row-major matrix.
    ///
    /// Column `j` is exactly `unitVector(dimension:seed:purpose:indices:)` with indices
    /// `[layer] + indices + [startIndex + j]` (`[layer]` omitted when `layer` is nil), so drawing
    /// slices in blocks of any size never changes a slice.
    /// - Precondition: `dimension >= 1`, `count >= 0`.
    public static func unitVectors(count: Int, dimension: Int, seed: UInt64, purpose: String,
                                   layer: Int? = nil, indices: [Int] = [], startIndex: Int = 0) -> [Double] {
        precondition(count >= 0, "unitVectors needs count >= 0")
        precondition(dimension >= 1, "unitVectors needs dimension >= 1")
        // The stream identifier of the prefix, extended by each slice's index (no arrays per slice).
        var prefix = RandomStream.streamTag(purpose)
        if let layer { prefix = RandomStream.streamID(prefix, appending: layer) }
        for index in indices { prefix = RandomStream.streamID(prefix, appending: index) }
        var matrix = [Double](repeating: 0, count: dimension * count)
        matrix.withUnsafeMutableBufferPointer { out in
            for j in 0..<count {
                drawUnitVector(into: out.baseAddress! + j, stride: count, dimension: dimension, seed: seed,
                               stream: RandomStream.streamID(prefix, appending: startIndex + j))
            }
        }
        return matrix
    }

    /// A Haar-uniform point of the Stiefel manifold V_k(R^d): a `d × k` row-major matrix with
    /// orthonormal columns.
    ///
    /// The `d × k` Gaussian matrix is drawn column by column from the stream of
    /// `(purpose, indices)` and factored by Householder QR in Double; each column of Q is then
    /// multiplied by sign(R_jj). Without that correction Householder's Q is not Haar (its first
    /// column always points into the half-space Q_11 ≤ 0); with it, Q equals the Gram–Schmidt
    /// factor with positive diagonal, whose law is invariant under rotations (Mezzadri 2007).
    /// For `k == 1` the result is `unitVector` of the same stream up to rounding.
    /// - Precondition: `1 <= k <= d`.
    public static func stiefelFrame(dimension d: Int, rank k: Int, seed: UInt64, purpose: String,
                                    indices: [Int]) -> [Double] {
        precondition(d >= 1, "stiefelFrame needs dimension >= 1")
        precondition(k >= 1 && k <= d, "stiefelFrame needs 1 <= rank <= dimension (got rank \(k), dimension \(d))")
        var stream = RandomStream(seed: seed, stream: RandomStream.streamID(purpose, indices))
        // Column-major working copy: column j occupies columnMajor[j*d ..< (j+1)*d].
        var columnMajor = [Double](repeating: 0, count: d * k)
        for index in 0..<(d * k) { columnMajor[index] = stream.nextGaussian() }
        return householderQ(columnMajor, rows: d, columns: k, signCorrected: true).q
    }

    /// The thin Q factor (row-major `rows × columns`) of a column-major matrix by Householder QR,
    /// and R's diagonal. `signCorrected` multiplies each column of Q (and R_jj) by sign(R_jj);
    /// the uncorrected form exists so tests can show what the correction fixes.
    static func householderQ(_ columnMajor: [Double], rows d: Int, columns k: Int,
                             signCorrected: Bool) -> (q: [Double], rDiagonal: [Double]) {
        var a = columnMajor
        var reflectors = [[Double]]()
        reflectors.reserveCapacity(k)
        var rDiagonal = [Double](repeating: 0, count: k)
        for j in 0..<k {
            let base = j * d
            var norm2 = 0.0
            for i in j..<d { norm2 += a[base + i] * a[base + i] }
            let norm = norm2.squareRoot()
            // α = −sign(x₀)‖x‖ avoids cancellation in v₀ = x₀ − α.
            let alpha = a[base + j] >= 0 ? -norm : norm
            var v = Array(a[(base + j)..<(base + d)])
            v[0] -= alpha
            var vNorm2 = 0.0
            for value in v { vNorm2 += value * value }
            rDiagonal[j] = alpha
            if vNorm2 > 0 {
                // Apply H = I − 2vvᵀ/(vᵀv) to the remaining columns j..<k.
                for c in j..<k {
                    let cb = c * d + j
                    var dot = 0.0
                    for i in 0..<v.count { dot += v[i] * a[cb + i] }
                    let scale = 2 * dot / vNorm2
                    for i in 0..<v.count { a[cb + i] -= scale * v[i] }
                }
                reflectors.append(v.map { $0 / vNorm2.squareRoot() })
            } else {
                reflectors.append([])  // x = 0: H = I (rank-deficient draw, probability zero)
            }
        }
        // Q = H₀H₁⋯H_{k−1}[I_k; 0], applied right to left to the columns of the identity.
        var q = [Double](repeating: 0, count: d * k)  // column-major
        for j in 0..<k { q[j * d + j] = 1 }
        for j in stride(from: k - 1, through: 0, by: -1) {
            let v = reflectors[j]
            if v.isEmpty { continue }
            for c in 0..<k {
                let cb = c * d + j
                var dot = 0.0
                for i in 0..<v.count { dot += v[i] * q[cb + i] }
                if dot == 0 { continue }
                for i in 0..<v.count { q[cb + i] -= 2 * dot * v[i] }
            }
        }
        var rowMajor = [Double](repeating: 0, count: d * k)
        for c in 0..<k {
            let sign: Double = signCorrected && rDiagonal[c] < 0 ? -1 : 1
            if signCorrected { rDiagonal[c] *= sign }
            for i in 0..<d { rowMajor[i * k + c] = sign * q[c * d + i] }
        }
        return (rowMajor, rDiagonal)
    }
}

/// Projection of a block of samples onto a block of directions with one BLAS call.
public enum BlockProjection {
    /// `output = data · directions`: `(n × d) · (d × m) → n × m`, all row-major, by one `cblas_dgemm`.
    ///
    /// For bit-identical results across runs keep the OpenBLAS thread count fixed.
    /// - Precondition: `data.count >= n·d`, `directions.count >= d·m`, `output.count >= n·m`.
    public static func project(data: UnsafeBufferPointer<Double>, n: Int, d: Int,
                               directions: UnsafeBufferPointer<Double>, m: Int,
                               into output: UnsafeMutableBufferPointer<Double>) {
        precondition(n >= 0 && d >= 0 && m >= 0, "project: dimensions must be non-negative")
        precondition(data.count >= n * d, "project: data holds \(data.count) values, needs n·d = \(n * d)")
        precondition(directions.count >= d * m, "project: directions hold \(directions.count) values, needs d·m = \(d * m)")
        precondition(output.count >= n * m, "project: output holds \(output.count) values, needs n·m = \(n * m)")
        if n == 0 || m == 0 { return }
        guard d > 0, let a = data.baseAddress, let b = directions.baseAddress else {
            // An empty inner dimension projects everything to 0; OpenBLAS rejects zero strides.
            for i in 0..<(n * m) { output[i] = 0 }
            return
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                    blasint(n), blasint(m), blasint(d),
                    1, a, blasint(d), b, blasint(m), 0, output.baseAddress!, blasint(m))
    }

    /// `output = data · directions` for single-precision activations, computed in Double.
    ///
    /// Rows are widened to Double (exactly) in blocks of at most ``rowBlock`` and projected with
    /// `cblas_dgemm`, so the result equals the Double overload on the widened data; `sgemm` would
    /// round the directions and the d-term sums to 24 bits, which changes quantiles and ties that
    /// sliced estimators are sensitive to. Extra memory is `rowBlock × d` doubles.
    /// - Precondition: as for the Double overload.
    public static func project(data: UnsafeBufferPointer<Float>, n: Int, d: Int,
                               directions: UnsafeBufferPointer<Double>, m: Int,
                               into output: UnsafeMutableBufferPointer<Double>) {
        var widened: [Double] = []
        project(data: data, n: n, d: d, directions: directions, widths: [m], into: output, widened: &widened)
    }

    /// Rows widened to Double at a time by the float32 projection. Part of every projected
    /// value's identity: each 1,024-row block is one `dgemm` call, so changing it could change
    /// the last bits of a projection (and every value after it).
    public static let rowBlock = 1024

    /// Several blocks of directions side by side, projected in one pass over float32 rows.
    ///
    /// `directions` is one `d × M` row-major matrix (M = the sum of `widths`) whose block b is the
    /// `widths[b]` columns after those of blocks 0 ..< b; `output` (`n × M`, row-major) gets every
    /// block's projections in the same columns. Each row block is widened once, and every block
    /// gets exactly the values ``project(data:n:d:directions:m:into:)`` (Float) gives it alone:
    /// the same rows per `dgemm`, on the same widened values.
    ///
    /// Where that GEMM is large (rows × 32 × d ≥ ``togetherWork``), neighbouring full blocks
    /// (``SlicedMutualInformation/blockSize`` directions each) are multiplied by one `dgemm` call instead of one call each.
    /// A separate call packs the widened rows again for every block of 32 directions, a quarter
    /// of its time at conv widths, and sharing the rows' packing is what lets two ranks of a node
    /// project at full speed together. It gives each element the same sum in the same order:
    /// OpenBLAS cuts the summed dimension by its length alone, and for whole 32-column blocks and
    /// products this large no kernel takes its small-matrix or edge paths (checked on Haswell,
    /// SkylakeX, Cooperlake, Zen, Sandybridge, Nehalem, Core2, Prescott, Atom and Barcelona
    /// kernels; `LayerProjectionsTests` checks the machine it runs on). Smaller products keep one
    /// call per block.
    ///
    /// With `threads` > 1 the calls of a row block run side by side, each single-threaded (call
    /// with OpenBLAS at one thread): the calls, and so the values, are those of one thread.
    /// OpenBLAS's own threading is not used because it changes the last bits (it cuts the summed
    /// dimension differently; `LayerProjectionsTests` shows it). `widened` is scratch kept by the
    /// caller (grown to `min(n, rowBlock) × d` doubles, then reused).
    public static func project(data: UnsafeBufferPointer<Float>, n: Int, d: Int,
                               directions: UnsafeBufferPointer<Double>, widths: [Int],
                               into output: UnsafeMutableBufferPointer<Double>,
                               widened: inout [Double], threads: Int = 1) {
        let total = widths.reduce(0, +)
        precondition(n >= 0 && d >= 0 && widths.allSatisfy { $0 >= 0 }, "project: dimensions must be non-negative")
        precondition(data.count >= n * d, "project: data holds \(data.count) values, needs n·d = \(n * d)")
        precondition(directions.count >= d * total, "project: directions hold \(directions.count) values, needs d·m")
        precondition(output.count >= n * total, "project: output holds \(output.count) values, needs n·m = \(n * total)")
        if n == 0 || total == 0 { return }
        guard d > 0 else {
            output.update(repeating: 0)
            return
        }
        if widened.count < min(n, rowBlock) * d { widened = [Double](repeating: 0, count: min(n, rowBlock) * d) }
        let offsets = widths.reduce(into: [0]) { $0.append($0.last! + $1) }
        // Only a shorter last row block can cut its calls differently.
        let fullCalls = gemmCalls(widths: widths, rows: min(n, rowBlock), d: d, threads: threads)
        var start = 0
        while start < n {
            let rows = min(rowBlock, n - start)
            widened.withUnsafeMutableBufferPointer { wide in
                infoplane_widen(data.baseAddress! + start * d, wide.baseAddress!, rows * d)
            }
            let calls = rows == min(n, rowBlock) ? fullCalls : gemmCalls(widths: widths, rows: rows, d: d, threads: threads)
            widened.withUnsafeBufferPointer { wide in
                let shared = UncheckedSendable((a: wide.baseAddress!, b: directions.baseAddress!, c: output.baseAddress! + start * total))
                DispatchQueue.concurrentPerform(iterations: calls.count) { worker in
                    let (a, b, c) = shared.value
                    for blocks in calls[worker] where offsets[blocks.upperBound] > offsets[blocks.lowerBound] {
                        let first = offsets[blocks.lowerBound], columns = offsets[blocks.upperBound] - first
                        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(rows), blasint(columns), blasint(d),
                                    1, a, blasint(d), b + first, blasint(total), 0, c + first, blasint(total))
                    }
                }
            }
            start += rows
        }
    }

    /// Multiply-adds (rows × 32 × d) from which full blocks share their `dgemm` call: 16 times
    /// the largest small-matrix threshold of OpenBLAS's x86 kernels (10⁶, SkylakeX), so neither
    /// the separate calls nor the shared one take a small-matrix path.
    public static let togetherWork = 1 << 24

    /// The `dgemm` calls of one row block, per worker: ranges of blocks, each range one call.
    /// Neighbouring full blocks go together when the product is large enough (split evenly over
    /// the workers); every other block is a call of its own, dealt round-robin.
    public static func gemmCalls(widths: [Int], rows: Int, d: Int, threads: Int) -> [[Range<Int>]] {
        let together = rows * SlicedMutualInformation.blockSize * d >= togetherWork
        var runs: [Range<Int>] = []
        var b = 0
        while b < widths.count {
            var end = b + 1
            if together && widths[b] == SlicedMutualInformation.blockSize {
                while end < widths.count && widths[end] == SlicedMutualInformation.blockSize { end += 1 }
            }
            runs.append(b..<end)
            b = end
        }
        // Cut runs into at most `threads` calls' worth of work each, keeping every call a run.
        let workers = max(1, min(threads, widths.count))
        if workers == 1 { return [runs] }
        var pieces: [Range<Int>] = []
        for run in runs {
            let parts = min(run.count, workers)
            for p in 0..<parts {
                let lower = run.lowerBound + run.count * p / parts, upper = run.lowerBound + run.count * (p + 1) / parts
                pieces.append(lower..<upper)
            }
        }
        var calls = [[Range<Int>]](repeating: [], count: workers)
        for (i, piece) in pieces.enumerated() { calls[i % workers].append(piece) }
        return calls.filter { !$0.isEmpty }
    }
}
