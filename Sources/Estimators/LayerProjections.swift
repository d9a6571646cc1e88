/// φᵀT for several blocks of slices at once, and from projections stored instead of
/// activations. Every path computes each block's raw projections with the same `dgemm` calls
/// on the same widened rows (``BlockProjection/project(data:n:d:blocks:widened:)``), so a slice
/// has bit-identical values whichever path, batch or rank computed it.
extension SlicedMutualInformation {
    /// Raw φ_jᵀT_L (the GEMM's output, before standardisation) of each block of slices in
    /// `blocks` (each at most ``blockSize``), as `n × count` row-major matrices, in one pass over
    /// the float32 rows `t` (n × `columns`). `widened` is the caller's scratch.
    /// With `threads` > 1 the blocks' GEMMs run side by side (same values; see
    /// ``BlockProjection/project(data:n:d:blocks:widened:threads:)``).
    public func layerProjections(_ t: UnsafeBufferPointer<Float>, columns: Int, layer: Int, blocks: [Range<Int>],
                                 widened: inout [Double], threads: Int = 1) -> [[Double]] {
        precondition(columns > 0 && t.count % columns == 0, "\(t.count) values do not make rows of \(columns)")
        precondition(blocks.allSatisfy { $0.count <= Self.blockSize }, "a block holds at most \(Self.blockSize) slices")
        let n = t.count / columns
        // One array each for the directions and the outputs, so every block's pointers live
        // through the single pass; the outputs are split per block afterwards (a small copy).
        let directionStarts = blocks.reduce(into: [0]) { $0.append($0.last! + columns * $1.count) }
        let outputStarts = blocks.reduce(into: [0]) { $0.append($0.last! + n * $1.count) }
        let directions = blocks.flatMap { layerDirections($0, layer: layer, dimension: columns) }
        var output = [Double](repeating: 0, count: outputStarts.last!)
        directions.withUnsafeBufferPointer { allDirections in
            output.withUnsafeMutableBufferPointer { allOutput in
                let parts = blocks.indices.map { b in
                    BlockProjection.Block(directions: UnsafeBufferPointer(rebasing: allDirections[directionStarts[b]..<directionStarts[b + 1]]),
                                          m: blocks[b].count,
                                          output: UnsafeMutableBufferPointer(rebasing: allOutput[outputStarts[b]..<outputStarts[b + 1]]))
                }
                BlockProjection.project(data: t, n: n, d: columns, blocks: parts, widened: &widened, threads: threads)
            }
        }
        return blocks.indices.map { Array(output[outputStarts[$0]..<outputStarts[$0 + 1]]) }
    }

    /// The blocks of ``layerProjections(_:columns:layer:blocks:widened:)``, each prepared as
    /// ``preparedLayer(_:columns:layer:slices:buffers:)`` prepares it alone (same values).
    public func preparedLayerBlocks(_ t: UnsafeBufferPointer<Float>, columns: Int, layer: Int, blocks: [Range<Int>],
                                    buffers: SliceBuffers, threads: Int = 1) -> [PreparedSlices] {
        let n = t.count / max(columns, 1)
        let raw = layerProjections(t, columns: columns, layer: layer, blocks: blocks, widened: &buffers.scratch(n: n).widened, threads: threads)
        return zip(blocks, raw).map { block, values in
            values.withUnsafeBufferPointer { preparedLayer(projections: $0, columns: block.count, layer: layer, slices: block) }
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
    /// (what projection-only storage records), computed block by block as work items cut them.
    public func layerProjectionMatrix(_ t: UnsafeBufferPointer<Float>, columns: Int, layer: Int, slices: Int,
                                      widened: inout [Double]) -> [Double] {
        let n = t.count / max(columns, 1)
        let blocks = stride(from: 0, to: slices, by: Self.blockSize).map { $0..<min($0 + Self.blockSize, slices) }
        let raw = layerProjections(t, columns: columns, layer: layer, blocks: blocks, widened: &widened)
        var matrix = [Double](repeating: 0, count: n * slices)
        for (block, values) in zip(blocks, raw) {
            for i in 0..<n {
                for s in 0..<block.count { matrix[i * slices + block.lowerBound + s] = values[i * block.count + s] }
            }
        }
        return matrix
    }
}
