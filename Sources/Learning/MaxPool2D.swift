/// 2×2 max pooling with stride 2 over `channels` maps of `height × width` (both even), NCHW.
///
/// Output `(c, y, x)` is the largest of input `(c, 2y + i, 2x + j)`, `i, j ∈ {0, 1}`. **Ties** go to
/// the first maximum in the order (0, 0), (0, 1), (1, 0), (1, 1) — top-left first, row by row — as
/// in PyTorch's CPU kernel; the backward pass routes each output's gradient to that one input and
/// gives the others zero. (A NaN is passed on only when it comes first, since no comparison with
/// it is true; a NaN anywhere in training has already been caught as a diverged loss.)
struct MaxPool2D: Sendable, Equatable {
    /// Maps per sample.
    let channels: Int
    /// Input map height (even).
    let height: Int
    /// Input map width (even).
    let width: Int

    /// Values per input sample.
    var inputCount: Int { channels * height * width }
    /// Values per output sample.
    var outputCount: Int { channels * (height / 2) * (width / 2) }

    /// Pools `rows` samples; when `argmax` is given, stores each output's winning position
    /// (0–3 in the tie order above) for ``backward(rows:outputGradient:argmax:inputGradient:)``.
    func forward(_ input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
                 argmax: UnsafeMutablePointer<UInt8>?) {
        let outHeight = height / 2, outWidth = width / 2
        for m in 0..<(rows * channels) {
            let map = input + m * height * width
            let pooled = output + m * outHeight * outWidth
            let winners = argmax.map { $0 + m * outHeight * outWidth }
            for y in 0..<outHeight {
                let top = map + 2 * y * width, bottom = top + width
                let line = pooled + y * outWidth
                if let winners {
                    let positions = winners + y * outWidth
                    for x in 0..<outWidth {
                        var best = top[2 * x], position: UInt8 = 0
                        if top[2 * x + 1] > best { best = top[2 * x + 1]; position = 1 }
                        if bottom[2 * x] > best { best = bottom[2 * x]; position = 2 }
                        if bottom[2 * x + 1] > best { best = bottom[2 * x + 1]; position = 3 }
                        line[x] = best
                        positions[x] = position
                    }
                } else {
                    for x in 0..<outWidth {
                        var best = top[2 * x]
                        if top[2 * x + 1] > best { best = top[2 * x + 1] }
                        if bottom[2 * x] > best { best = bottom[2 * x] }
                        if bottom[2 * x + 1] > best { best = bottom[2 * x + 1] }
                        line[x] = best
                    }
                }
            }
        }
    }

    /// Writes ∂L/∂input: each output's gradient at its winning input, zero elsewhere.
    func backward(rows: Int, outputGradient: UnsafePointer<Float>, argmax: UnsafePointer<UInt8>,
                  inputGradient: UnsafeMutablePointer<Float>) {
        let outHeight = height / 2, outWidth = width / 2
        for m in 0..<(rows * channels) {
            let map = inputGradient + m * height * width
            let gradient = outputGradient + m * outHeight * outWidth
            let winners = argmax + m * outHeight * outWidth
            for y in 0..<outHeight {
                let top = map + 2 * y * width, bottom = top + width
                for x in 0..<outWidth {
                    let g = gradient[y * outWidth + x], position = winners[y * outWidth + x]
                    top[2 * x] = position == 0 ? g : 0
                    top[2 * x + 1] = position == 1 ? g : 0
                    bottom[2 * x] = position == 2 ? g : 0
                    bottom[2 * x + 1] = position == 3 ? g : 0
                }
            }
        }
    }
}
