/// A fully connected layer `Z = A·W + b` on `rows × fanIn` inputs, `W` row-major `fanIn × fanOut`.
///
/// The same GEMMs and elementwise passes, in the same order, as ``MLP``'s layers, so a dense-only
/// ``SequentialNetwork`` computes bit for bit what the MLP computes.
struct Dense: Sendable, Equatable {
    /// Input features (a spatial input's `C·H·W`).
    let fanIn: Int
    /// Output units.
    let fanOut: Int

    /// `output = f(input·W + b)`; a nil `activation` leaves it linear (the output layer).
    func forward(_ input: UnsafePointer<Float>, rows: Int, weights: UnsafeBufferPointer<Float>,
                 bias: UnsafeBufferPointer<Float>, activation: Activation?, output: UnsafeMutableBufferPointer<Float>) {
        BLAS.sgemm(m: rows, n: fanOut, k: fanIn, a: UnsafeBufferPointer(start: input, count: rows * fanIn),
                   b: weights, c: output)
        if let activation {
            activation.addBiasAndActivate(output.baseAddress!, rows: rows, bias: bias)
        } else {
            for r in 0..<rows {
                let row = output.baseAddress! + r * fanOut
                for j in 0..<fanOut { row[j] += bias[j] }
            }
        }
    }

    /// From `delta` = ∂L/∂Z (`rows × fanOut`): `weightGradient = Aᵀ·dZ + λW`, `biasGradient = Σ_rows dZ`,
    /// and, when `inputGradient` is given, ∂L/∂A `= dZ·Wᵀ`.
    func backward(_ input: UnsafePointer<Float>, rows: Int, weights: UnsafeBufferPointer<Float>, weightDecay: Float,
                  delta: UnsafeBufferPointer<Float>, weightGradient: UnsafeMutableBufferPointer<Float>,
                  biasGradient: UnsafeMutableBufferPointer<Float>, inputGradient: UnsafeMutableBufferPointer<Float>?) {
        BLAS.sgemm(transposeA: true, m: fanIn, n: fanOut, k: rows,
                   a: UnsafeBufferPointer(start: input, count: rows * fanIn), b: delta, c: weightGradient)
        biasGradient.update(repeating: 0)
        for r in 0..<rows {
            let row = delta.baseAddress! + r * fanOut
            for j in 0..<fanOut { biasGradient[j] += row[j] }
        }
        if weightDecay != 0 {
            for i in 0..<weightGradient.count { weightGradient[i] += weightDecay * weights[i] }
        }
        if let inputGradient {
            BLAS.sgemm(transposeB: true, m: rows, n: fanIn, k: fanOut, a: delta, b: weights, c: inputGradient)
        }
    }
}
