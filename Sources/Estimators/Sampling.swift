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
        project(data: data, n: n, d: d, blocks: [Block(directions: directions, m: m, output: output)], widened: &widened)
    }

    /// Rows widened to Double at a time by the float32 projection. Part of every projected
    /// value's identity: each 1,024-row block is one `dgemm` call, so changing it could change
    /// the last bits of a projection (and every value after it).
    public static let rowBlock = 1024

    /// One block of directions of a batched float32 projection: `output = data · directions`
    /// (`d × m` directions, `n × m` output, row-major).
    public struct Block {
        /// The directions, `d × m`.
        public var directions: UnsafeBufferPointer<Double>
        /// Their number.
        public var m: Int
        /// Where the `n × m` projections go.
        public var output: UnsafeMutableBufferPointer<Double>

        /// A block from its parts.
        public init(directions: UnsafeBufferPointer<Double>, m: Int, output: UnsafeMutableBufferPointer<Double>) {
            self.directions = directions
            self.m = m
            self.output = output
        }
    }

    /// Several blocks of directions projected in one pass over float32 rows: each row block is
    /// widened once and then multiplied by every block's directions. Every block gets exactly
    /// the values ``project(data:n:d:directions:m:into:)`` (Float) gives it alone — the same
    /// `dgemm` calls on the same widened rows — while the rows are read and widened once
    /// instead of once per block. `widened` is scratch kept by the caller (grown to
    /// `min(n, rowBlock) × d` doubles, then reused).
    ///
    /// With `threads` > 1 the blocks' `dgemm` calls of a row block run side by side, each
    /// single-threaded (call with OpenBLAS at one thread): the calls, and so the values, are
    /// those of one thread. OpenBLAS's own threading is not used because it changes the last
    /// bits (it cuts the summed dimension differently; `LayerProjectionsTests` shows it).
    public static func project(data: UnsafeBufferPointer<Float>, n: Int, d: Int, blocks: [Block], widened: inout [Double], threads: Int = 1) {
        precondition(n >= 0 && d >= 0, "project: dimensions must be non-negative")
        precondition(data.count >= n * d, "project: data holds \(data.count) values, needs n·d = \(n * d)")
        for block in blocks {
            precondition(block.m >= 0 && block.directions.count >= d * block.m, "project: directions hold \(block.directions.count) values, needs d·m")
            precondition(block.output.count >= n * block.m, "project: output holds \(block.output.count) values, needs n·m = \(n * block.m)")
        }
        if widened.count < min(n, rowBlock) * d { widened = [Double](repeating: 0, count: min(n, rowBlock) * d) }
        let workers = max(1, min(threads, blocks.count))
        var start = 0
        while start < n {
            let rows = min(rowBlock, n - start)
            widened.withUnsafeMutableBufferPointer { wide in
                for i in 0..<(rows * d) { wide[i] = Double(data[start * d + i]) }
            }
            widened.withUnsafeBufferPointer { wide in
                let shared = UncheckedSendable((wide: UnsafeBufferPointer(rebasing: wide[0..<(rows * d)]), blocks: blocks, start: start))
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let (wide, blocks, start) = shared.value
                    for block in stride(from: worker, to: blocks.count, by: workers).map({ blocks[$0] }) {
                        project(data: wide, n: rows, d: d, directions: block.directions, m: block.m,
                                into: UnsafeMutableBufferPointer(rebasing: block.output[(start * block.m)..<((start + rows) * block.m)]))
                    }
                }
            }
            start += rows
        }
    }
}
