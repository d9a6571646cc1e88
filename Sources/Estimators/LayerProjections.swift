/// φᵀT for several blocks of slices at once, and from projections stored instead of
/// activations. Every path computes each block's raw projections as the same sums on the same
/// widened rows (``BlockProjection/project(data:n:d:directions:widths:into:widened:threads:)``),
/// so a slice has bit-identical values whichever path, batch or rank computed it.
extension SlicedMutualInformation {
    /// Raw φ_jᵀT_L (the GEMM's output, before standardisation) of each block of slices in
    /// `blocks` (each at most ``blockSize``), as `n × count` row-major matrices, in one pass over
    /// the float32 rows `t` (n × `columns`). `widened` is the caller's scratch.
    /// With `threads` > 1 the blocks' GEMMs run side by side (same values; see
    /// ``BlockProjection/project(data:n:d:directions:widths:into:widened:threads:)``).
    public func layerProjections(_ t: UnsafeBufferPointer<Float>, columns: Int, layer: Int, blocks: [Range<Int>],
                                 widened: inout [Double], threads: Int = 1) -> [[Double]] {
        let (output, total) = layerProjectionOutput(t, columns: columns, layer: layer, blocks: blocks, widened: &widened,
                                                    threads: threads)
        var first = 0
        return output.withUnsafeBufferPointer { output in
            blocks.map { block in
                defer { first += block.count }
                return Self.columns(first..<(first + block.count), of: output, width: total)
            }
        }
    }

    /// The blocks' raw projections side by side: one n × M row-major matrix (M = `total`, the
    /// blocks' slices), block after block.
    private func layerProjectionOutput(_ t: UnsafeBufferPointer<Float>, columns: Int, layer: Int, blocks: [Range<Int>],
                                       widened: inout [Double], threads: Int) -> (output: [Double], total: Int) {
        precondition(columns > 0 && t.count % columns == 0, "\(t.count) values do not make rows of \(columns)")
        precondition(blocks.allSatisfy { $0.count <= Self.blockSize }, "a block holds at most \(Self.blockSize) slices")
        let n = t.count / columns
        let widths = blocks.map(\.count), total = widths.reduce(0, +)
        let directions = layerDirectionMatrix(layer: layer, dimension: columns, blocks: blocks)
        // Every entry is written by the projection.
        var output = [Double](unsafeUninitializedCapacity: n * total) { $1 = n * total }
        directions.withUnsafeBufferPointer { directions in
            output.withUnsafeMutableBufferPointer { output in
                layerProjections(t, columns: columns, directions: directions, widths: widths, into: output, widened: &widened, threads: threads)
            }
        }
        return (output, total)
    }

    /// Columns `columns` of a row-major matrix `width` columns wide, as a row-major matrix.
    public static func columns(_ columns: Range<Int>, of matrix: UnsafeBufferPointer<Double>, width: Int) -> [Double] {
        let rows = matrix.count / max(width, 1)
        return [Double](unsafeUninitializedCapacity: rows * columns.count) { values, count in
            for i in 0..<rows {
                for s in 0..<columns.count { values[i * columns.count + s] = matrix[i * width + columns.lowerBound + s] }
            }
            count = rows * columns.count
        }
    }

    /// The directions of `blocks` of hidden layer `layer` side by side in one `dimension × M`
    /// row-major matrix (M slices in all, block after block): what ``layerProjections(_:columns:directions:widths:into:widened:threads:)``
    /// multiplies by, so neighbouring blocks can share a GEMM.
    public func layerDirectionMatrix(layer: Int, dimension: Int, blocks: [Range<Int>]) -> [Double] {
        let total = blocks.reduce(0) { $0 + $1.count }
        var matrix = [Double](repeating: 0, count: dimension * total)
        matrix.withUnsafeMutableBufferPointer {
            fillLayerDirections(layer: layer, dimension: dimension, blocks: blocks, only: blocks.indices, into: $0)
        }
        return matrix
    }

    /// Writes the directions of the blocks `only` (indices into `blocks`) into their columns of a
    /// ``layerDirectionMatrix(layer:dimension:blocks:)`` (`matrix`, dimension × M), leaving the
    /// other columns alone: each block's directions come from its own stream, so the ranks of a
    /// node can draw a shared matrix a share of the blocks each.
    public func fillLayerDirections(layer: Int, dimension: Int, blocks: [Range<Int>], only: some Sequence<Int>,
                                    into matrix: UnsafeMutableBufferPointer<Double>) {
        let total = blocks.reduce(0) { $0 + $1.count }
        precondition(matrix.count == dimension * total, "a direction matrix of \(dimension) × \(total) has \(dimension * total) values")
        var offsets = [0]
        for block in blocks { offsets.append(offsets.last! + block.count) }
        for b in only {
            let block = blocks[b], offset = offsets[b]
            let own = layerDirections(block, layer: layer, dimension: dimension)
            for i in 0..<dimension {
                for s in 0..<block.count { matrix[i * total + offset + s] = own[i * block.count + s] }
            }
        }
    }

    /// Raw φᵀT of float32 rows `t` (rows × `columns`) onto a ``layerDirectionMatrix(layer:dimension:blocks:)``
    /// of blocks `widths` (wherever the caller keeps it, e.g. a node's shared memory), into
    /// `output` (rows × M, row-major). Rows are projected a ``BlockProjection/rowBlock`` at a
    /// time, so rows that begin at a multiple of it within a layer get the values the whole
    /// layer's projection gives them: a node's ranks can each project their own rows of a
    /// snapshot-layer.
    public func layerProjections(_ t: UnsafeBufferPointer<Float>, columns: Int, directions: UnsafeBufferPointer<Double>, widths: [Int],
                                 into output: UnsafeMutableBufferPointer<Double>, widened: inout [Double], threads: Int = 1) {
        precondition(columns > 0 && t.count % columns == 0, "\(t.count) values do not make rows of \(columns)")
        BlockProjection.project(data: t, n: t.count / columns, d: columns, directions: directions, widths: widths, into: output,
                                widened: &widened, threads: threads)
    }

    /// Slices `0 ..< slices` cut into blocks as work items cut them.
    public static func blocks(ofSlices slices: Int) -> [Range<Int>] {
        stride(from: 0, to: slices, by: blockSize).map { $0..<min($0 + blockSize, slices) }
    }

    /// The blocks of ``layerProjections(_:columns:layer:blocks:widened:)``, each prepared as
    /// ``preparedLayer(_:columns:layer:slices:buffers:)`` prepares it alone (same values).
    /// Each block is prepared from its columns of the one n × M output, where they lie: copying
    /// them out first moved every projection once more (n × M doubles, 80 MB per snapshot-layer
    /// at m = 1000).
    public func preparedLayerBlocks(_ t: UnsafeBufferPointer<Float>, columns: Int, layer: Int, blocks: [Range<Int>],
                                    buffers: SliceBuffers, threads: Int = 1) -> [PreparedSlices] {
        let n = t.count / max(columns, 1)
        let (output, total) = layerProjectionOutput(t, columns: columns, layer: layer, blocks: blocks,
                                                    widened: &buffers.scratch(n: n).widened, threads: threads)
        var first = 0
        return output.withUnsafeBufferPointer { output in
            blocks.map { block in
                defer { first += block.count }
                var none: PreparedSlices?
                return prepared(block, raw: UnsafeBufferPointer(rebasing: output[first...]), columns: total, n: n,
                                purpose: "phi", layer: layer, reusing: &none)
            }
        }
    }

    /// A block prepared from raw projections stored earlier (`n × columns` row-major, column s
    /// holding slice `slices.lowerBound + s`): the values ``preparedLayer(_:columns:layer:slices:buffers:)``
    /// gives when it computes the same projections itself.
    public func preparedLayer(projections raw: UnsafeBufferPointer<Double>, columns: Int, layer: Int, slices: Range<Int>) -> PreparedSlices {
        precondition(slices.count <= columns && raw.count % columns == 0, "\(raw.count) projections do not hold \(slices.count) slices")
        var none: PreparedSlices?
        return prepared(slices, raw: raw, columns: columns, n: raw.count / columns, purpose: "phi", layer: layer, reusing: &none)
    }

    /// Every slice `0 ..< slices` of one layer as one `n × slices` matrix of raw projections
    /// (what projection-only storage records), computed block by block as work items cut them:
    /// the blocks' output side by side is that matrix.
    public func layerProjectionMatrix(_ t: UnsafeBufferPointer<Float>, columns: Int, layer: Int, slices: Int,
                                      widened: inout [Double]) -> [Double] {
        layerProjectionOutput(t, columns: columns, layer: layer, blocks: Self.blocks(ofSlices: slices), widened: &widened,
                              threads: 1).output
    }
}
