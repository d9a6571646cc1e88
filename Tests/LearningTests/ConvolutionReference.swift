import Foundation
@testable import Learning

/// Naive Double-precision layers (direct loops, no lowering, no BLAS), the independent reference
/// the convolutional network is checked against. Tensors are NCHW `[Double]`.
enum Reference {
    /// Direct same-padded, stride-1 cross-correlation: `out[n][o][y][x] = b[o] + Σ_{c,ky,kx}
    /// W[o][c][ky][kx]·in[n][c][y+ky−p][x+kx−p]`, zero outside the map.
    static func conv(_ input: [Double], samples: Int, inChannels: Int, height: Int, width: Int,
                     weights: [Double], bias: [Double], outChannels: Int, kernel: Int) -> [Double] {
        let p = (kernel - 1) / 2
        var out = [Double](repeating: 0, count: samples * outChannels * height * width)
        for n in 0..<samples {
            for o in 0..<outChannels {
                for y in 0..<height {
                    for x in 0..<width {
                        var sum = bias[o]
                        for c in 0..<inChannels {
                            for ky in 0..<kernel {
                                for kx in 0..<kernel {
                                    let sy = y + ky - p, sx = x + kx - p
                                    guard sy >= 0, sy < height, sx >= 0, sx < width else { continue }
                                    sum += weights[((o * inChannels + c) * kernel + ky) * kernel + kx]
                                        * input[((n * inChannels + c) * height + sy) * width + sx]
                                }
                            }
                        }
                        out[((n * outChannels + o) * height + y) * width + x] = sum
                    }
                }
            }
        }
        return out
    }

    /// 2×2, stride-2 max pooling.
    static func maxPool(_ input: [Double], maps: Int, height: Int, width: Int) -> [Double] {
        var out: [Double] = []
        for m in 0..<maps {
            for y in 0..<(height / 2) {
                for x in 0..<(width / 2) {
                    let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { dy, dx in
                        input[(m * height + 2 * y + dy) * width + 2 * x + dx]
                    }
                    out.append(window.max()!)
                }
            }
        }
        return out
    }

    /// `A·W + b` with `W` row-major `fanIn × fanOut`.
    static func dense(_ input: [Double], rows: Int, fanIn: Int, weights: [Double], bias: [Double]) -> [Double] {
        let fanOut = bias.count
        var out = [Double](repeating: 0, count: rows * fanOut)
        for r in 0..<rows {
            for j in 0..<fanOut {
                var sum = bias[j]
                for i in 0..<fanIn { sum += input[r * fanIn + i] * weights[i * fanOut + j] }
                out[r * fanOut + j] = sum
            }
        }
        return out
    }

    /// The activation, in Double.
    static func activate(_ values: [Double], _ activation: Activation?) -> [Double] {
        switch activation {
        case .relu: return values.map { max(0, $0) }
        case .tanh: return values.map { Foundation.tanh($0) }
        case nil: return values
        }
    }

    /// Mean loss over `rows` samples of logits (`rows × width`).
    static func loss(_ logits: [Double], rows: Int, width: Int, loss: Loss, labels: [Int32], targets: [Float]?) -> Double {
        var total = 0.0
        for r in 0..<rows {
            let a = Array(logits[(r * width)..<((r + 1) * width)])
            switch loss {
            case .crossEntropy:
                let m = a.max()!
                total += Foundation.log(a.map { Foundation.exp($0 - m) }.reduce(0, +)) + m - a[Int(labels[r])]
            case .meanSquaredError:
                let y: [Double] = labels.isEmpty ? (0..<width).map { Double(targets![r * width + $0]) }
                                                 : (0..<width).map { $0 == Int(labels[r]) ? 1 : 0 }
                total += zip(a, y).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(width)
            }
        }
        return total / Double(rows)
    }

    /// The logits of a ``SequentialArchitecture`` with parameters `parameters` (checkpoint order)
    /// on `rows` samples, every layer naive and in Double.
    static func logits(_ architecture: SequentialArchitecture, parameters: [[Double]], input: [Double], rows: Int) -> [Double] {
        var shape = architecture.input
        var values = input
        var l = 0
        let kinds = architecture.layers.map(\.kind) + [.dense(units: architecture.outputs)]
        for (index, kind) in kinds.enumerated() {
            let activation: Activation? = index == kinds.count - 1 ? nil : architecture.activation
            switch kind {
            case .conv2D(let channels, let kernel):
                values = activate(conv(values, samples: rows, inChannels: shape.channels, height: shape.height,
                                       width: shape.width, weights: parameters[2 * l], bias: parameters[2 * l + 1],
                                       outChannels: channels, kernel: kernel), activation)
                shape = TensorShape(channels: channels, height: shape.height, width: shape.width)
                l += 1
            case .maxPool2D:
                values = maxPool(values, maps: rows * shape.channels, height: shape.height, width: shape.width)
                shape = TensorShape(channels: shape.channels, height: shape.height / 2, width: shape.width / 2)
            case .flatten:
                shape = .flat(shape.count)
            case .dense(let units):
                values = activate(dense(values, rows: rows, fanIn: shape.count, weights: parameters[2 * l],
                                        bias: parameters[2 * l + 1]), activation)
                shape = .flat(units)
                l += 1
            }
        }
        return values
    }

    /// Central differences `∂f/∂v[i]` for every `i`, with step `h`.
    static func numericGradient(_ v: inout [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
        (0..<v.count).map { i in
            let saved = v[i]
            v[i] = saved + h
            let up = f(v)
            v[i] = saved - h
            let down = f(v)
            v[i] = saved
            return (up - down) / (2 * h)
        }
    }

    /// `‖analytic − numeric‖ / ‖numeric‖` (norm-wise relative error).
    static func relativeError(_ analytic: [Float], _ numeric: [Double]) -> Double {
        precondition(analytic.count == numeric.count)
        let difference = zip(analytic, numeric).map { (Double($0) - $1) * (Double($0) - $1) }.reduce(0, +)
        let scale = numeric.map { $0 * $0 }.reduce(0, +)
        return (difference / max(scale, 1e-24)).squareRoot()
    }
}
