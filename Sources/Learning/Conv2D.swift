import Foundation

/// A 2-D convolution with stride 1 and same (zero) padding, lowered to one `cblas_sgemm` per group
/// of samples by im2col.
///
/// Tensors are per sample `C×H×W`, samples one after another (NCHW). The weights are a row-major
/// `outChannels × (inChannels·kernel·kernel)` matrix, element `(o, (c·k + ky)·k + kx)` being
/// PyTorch's `weight[o, c, ky, kx]`; output `(o, y, x) = b_o + Σ W(o, c, ky, kx)·in(c, y + ky − p,
/// x + kx − p)` with `p = (k − 1)/2` and out-of-range inputs zero (cross-correlation, as PyTorch).
///
/// Lowering: `cols` is a `K × (G·H·W)` matrix (`K = inChannels·k²`, one row per `(c, ky, kx)`, one
/// column per output pixel of the `G` samples), so the pre-activations of a whole group are
/// `W·cols`, `outChannels × (G·H·W)` (channel-major across samples: "CNHW"). The pass that adds the
/// bias and applies the activation also moves each `H·W` run to its NCHW place, and the backward
/// pass's activation-derivative pass moves it back, so neither transposition costs a pass of its own.
struct Conv2D: Sendable, Equatable {
    /// Input feature maps.
    let inChannels: Int
    /// Output feature maps.
    let outChannels: Int
    /// Kernel side (odd).
    let kernel: Int
    /// Map height (input and output).
    let height: Int
    /// Map width (input and output).
    let width: Int

    /// Zero padding on each side, `(kernel − 1)/2`.
    var padding: Int { (kernel - 1) / 2 }
    /// Rows of `cols` and columns of `W`: `inChannels·kernel²`.
    var patchSize: Int { inChannels * kernel * kernel }
    /// Pixels per map, `height·width`.
    var plane: Int { height * width }
    /// Values per input sample.
    var inputCount: Int { inChannels * plane }
    /// Values per output sample.
    var outputCount: Int { outChannels * plane }

    // MARK: - Lowering

    /// Fills `cols` (`patchSize × samples·plane`) from `samples` consecutive input samples.
    func im2col(_ input: UnsafePointer<Float>, samples: Int, into cols: UnsafeMutablePointer<Float>) {
        let columns = samples * plane
        for c in 0..<inChannels {
            for ky in 0..<kernel {
                let dy = ky - padding
                for kx in 0..<kernel {
                    let dx = kx - padding
                    // Output columns x whose source column x + dx lies inside the map.
                    let xStart = max(0, -dx), xEnd = min(width, width - dx)
                    let row = cols + ((c * kernel + ky) * kernel + kx) * columns
                    for n in 0..<samples {
                        let source = input + n * inputCount + c * plane
                        let target = row + n * plane
                        for y in 0..<height {
                            let line = target + y * width
                            let sy = y + dy
                            guard sy >= 0 && sy < height, xStart < xEnd else {
                                line.update(repeating: 0, count: width)
                                continue
                            }
                            if xStart > 0 { line.update(repeating: 0, count: xStart) }
                            (line + xStart).update(from: source + sy * width + xStart + dx, count: xEnd - xStart)
                            if xEnd < width { (line + xEnd).update(repeating: 0, count: width - xEnd) }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of ``im2col(_:samples:into:)``: overwrites `inputGradient` (`samples` NCHW
    /// samples) with the sum, over every `cols` entry that copied an input value, of that entry.
    /// Rows are added in `(c, ky, kx)` order, a fixed order, so the result is deterministic.
    func col2im(_ cols: UnsafePointer<Float>, samples: Int, into inputGradient: UnsafeMutablePointer<Float>) {
        let columns = samples * plane
        inputGradient.update(repeating: 0, count: samples * inputCount)
        for c in 0..<inChannels {
            for ky in 0..<kernel {
                let dy = ky - padding
                for kx in 0..<kernel {
                    let dx = kx - padding
                    let xStart = max(0, -dx), xEnd = min(width, width - dx)
                    guard xStart < xEnd else { continue }
                    let row = cols + ((c * kernel + ky) * kernel + kx) * columns
                    for n in 0..<samples {
                        let target = inputGradient + n * inputCount + c * plane
                        let source = row + n * plane
                        for y in max(0, -dy)..<min(height, height - dy) {
                            let from = source + y * width + xStart
                            let to = target + (y + dy) * width + xStart + dx
                            for x in 0..<(xEnd - xStart) { to[x] += from[x] }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Passes

    /// Samples per im2col group when `cols` holds `capacity` values.
    func groupSize(colsCapacity capacity: Int) -> Int {
        max(1, capacity / (patchSize * plane))
    }

    /// `output = f(W ∗ input + b)` for `rows` samples (`f` the identity when `activation` is nil).
    ///
    /// Samples go through in groups of as many as `cols` (and `product`, `outChannels ×` the same
    /// columns) hold; when `cols` holds all `rows` samples it keeps their lowering for
    /// ``backward(input:rows:weights:weightDecay:cols:product:output:outputGradient:weightGradient:biasGradient:inputGradient:activation:)``.
    func forward(_ input: UnsafePointer<Float>, rows: Int,
                 weights: UnsafeBufferPointer<Float>, bias: UnsafeBufferPointer<Float>, activation: Activation?,
                 cols: UnsafeMutableBufferPointer<Float>, product: UnsafeMutableBufferPointer<Float>,
                 output: UnsafeMutablePointer<Float>) {
        let group = min(rows, groupSize(colsCapacity: cols.count))
        precondition(product.count >= outChannels * group * plane, "conv product scratch too small")
        var start = 0
        while start < rows {
            let samples = min(group, rows - start)
            let columns = samples * plane
            im2col(input + start * inputCount, samples: samples, into: cols.baseAddress!)
            BLAS.sgemm(m: outChannels, n: columns, k: patchSize, a: weights,
                       b: UnsafeBufferPointer(rebasing: cols[0..<(patchSize * columns)]),
                       c: UnsafeMutableBufferPointer(rebasing: product[0..<(outChannels * columns)]))
            scatterAddingBias(product.baseAddress!, samples: samples, bias: bias, activation: activation,
                              to: output + start * outputCount)
            start += samples
        }
    }

    /// `out[n][o][p] = f(product[o][n·plane + p] + b_o)`: bias, activation and CNHW → NCHW in one pass.
    private func scatterAddingBias(_ product: UnsafePointer<Float>, samples: Int, bias: UnsafeBufferPointer<Float>,
                                   activation: Activation?, to output: UnsafeMutablePointer<Float>) {
        let columns = samples * plane
        for o in 0..<outChannels {
            let b = bias[o]
            for n in 0..<samples {
                let from = product + o * columns + n * plane
                let to = output + n * outputCount + o * plane
                switch activation {
                case .relu:
                    for p in 0..<plane {
                        let z = from[p] + b
                        to[p] = z > 0 ? z : 0
                    }
                case .tanh:
                    for p in 0..<plane { to[p] = Foundation.tanh(from[p] + b) }
                case nil:
                    for p in 0..<plane { to[p] = from[p] + b }
                }
            }
        }
    }

    /// Gradients of a batch whose ``forward(_:rows:weights:bias:activation:cols:product:output:)``
    /// kept its whole lowering in `cols`: from `outputGradient` (∂L/∂output, NCHW) and the stored
    /// `output`, writes `weightGradient = dZ·colsᵀ + λW`, `biasGradient = Σ dZ` and, when
    /// `inputGradient` is given, ∂L/∂input (NCHW) by `col2im(Wᵀ·dZ)`. `cols` is overwritten.
    func backward(rows: Int, weights: UnsafeBufferPointer<Float>, weightDecay: Float,
                  cols: UnsafeMutableBufferPointer<Float>, product: UnsafeMutableBufferPointer<Float>,
                  output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                  activation: Activation?,
                  weightGradient: UnsafeMutableBufferPointer<Float>, biasGradient: UnsafeMutableBufferPointer<Float>,
                  inputGradient: UnsafeMutablePointer<Float>?) {
        let columns = rows * plane
        precondition(cols.count >= patchSize * columns && product.count >= outChannels * columns,
                     "conv backward needs the whole batch's lowering")
        // dZ (CNHW) = ∂L/∂output (NCHW) ⊙ f′, gathered into `product`.
        let dz = product.baseAddress!
        for o in 0..<outChannels {
            for n in 0..<rows {
                let g = outputGradient + n * outputCount + o * plane
                let a = output + n * outputCount + o * plane
                let to = dz + o * columns + n * plane
                switch activation {
                case .relu:
                    for p in 0..<plane {
                        let gp = g[p], ap = a[p]
                        to[p] = ap > 0 ? gp : 0
                    }
                case .tanh:
                    for p in 0..<plane { to[p] = g[p] * (1 - a[p] * a[p]) }
                case nil:
                    to.update(from: g, count: plane)
                }
            }
        }
        for o in 0..<outChannels { biasGradient[o] = Conv2D.laneSum(dz + o * columns, count: columns) }
        let dzBuffer = UnsafeBufferPointer(rebasing: product[0..<(outChannels * columns)])
        BLAS.sgemm(transposeB: true, m: outChannels, n: patchSize, k: columns, a: dzBuffer,
                   b: UnsafeBufferPointer(rebasing: cols[0..<(patchSize * columns)]), c: weightGradient)
        if weightDecay != 0 {
            for i in 0..<weightGradient.count { weightGradient[i] += weightDecay * weights[i] }
        }
        guard let inputGradient else { return }
        // The lowering is no longer needed: its buffer takes ∂L/∂cols = Wᵀ·dZ.
        BLAS.sgemm(transposeA: true, m: patchSize, n: columns, k: outChannels, a: weights, b: dzBuffer,
                   c: UnsafeMutableBufferPointer(rebasing: cols[0..<(patchSize * columns)]))
        col2im(cols.baseAddress!, samples: rows, into: inputGradient)
    }

    /// `Σ values[0..<count]` accumulated in 16 interleaved lanes (lane `i` takes every 16th value
    /// from `i`), then the lanes in index order and the tail in order: a fixed order, so the sum
    /// is deterministic, but with 16 independent chains it vectorises instead of waiting on one
    /// add at a time (a conv1 bias gradient sums 100,352 values per batch).
    static func laneSum(_ values: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(values)
        var lanes = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            lanes += raw.loadUnaligned(fromByteOffset: i * MemoryLayout<Float>.stride, as: SIMD16<Float>.self)
            i += 16
        }
        var sum: Float = 0
        for lane in 0..<16 { sum += lanes[lane] }
        while i < count {
            sum += values[i]
            i += 1
        }
        return sum
    }
}
