import Foundation
import Testing
@testable import Learning

/// Max pooling against a naive reference, its tie rule, and the gradients of pooling and dense
/// layers against central differences (tolerances as in ``Conv2DTests``).
@Suite struct PoolingAndDenseTests {
    static func pool(_ layer: MaxPool2D, _ input: [Float], rows: Int, argmax: Bool) -> (output: [Float], winners: [UInt8]) {
        var output = [Float](repeating: .nan, count: rows * layer.outputCount)
        var winners = [UInt8](repeating: 9, count: rows * layer.outputCount)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { out in
                winners.withUnsafeMutableBufferPointer { w in
                    layer.forward(x.baseAddress!, rows: rows, output: out.baseAddress!, argmax: argmax ? w.baseAddress! : nil)
                }
            }
        }
        return (output, winners)
    }

    @Test func maxPoolMatchesNaivePooling() {
        let layer = MaxPool2D(channels: 3, height: 6, width: 8)
        let rows = 2
        let input = gaussianFloats(rows * layer.inputCount, seed: 4, purpose: "pool.x")
        let expected = Reference.maxPool(input.map(Double.init), maps: rows * 3, height: 6, width: 8)
        for argmax in [false, true] {
            let output = Self.pool(layer, input, rows: rows, argmax: argmax).output
            #expect(output.map(Double.init) == expected, "argmax recorded: \(argmax)")
        }
    }

    @Test("ties go to the first maximum, top-left first, and only it gets the gradient")
    func tiesGoToTheFirstMaximum() {
        let layer = MaxPool2D(channels: 1, height: 2, width: 8)
        // Windows (columns 0–1, 2–3, 4–5, 6–7) as [top-left, top-right, bottom-left, bottom-right]:
        // all equal; tie between top-right and bottom-left; tie between the bottom two; one clear winner.
        let windows: [[Float]] = [[1, 1, 1, 1], [0, 2, 2, -1], [-3, -4, -1, -1], [0, 0, 5, 0]]
        var input = [Float](repeating: 0, count: 16)
        for (w, values) in windows.enumerated() {
            input[2 * w] = values[0]; input[2 * w + 1] = values[1]
            input[8 + 2 * w] = values[2]; input[8 + 2 * w + 1] = values[3]
        }
        let (output, winners) = Self.pool(layer, input, rows: 1, argmax: true)
        #expect(output == [1, 2, -1, 5])
        #expect(winners == [0, 1, 2, 2])
        var inputGradient = [Float](repeating: .nan, count: 16)
        let upstream: [Float] = [10, 20, 30, 40]
        upstream.withUnsafeBufferPointer { g in
            winners.withUnsafeBufferPointer { w in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    layer.backward(rows: 1, outputGradient: g.baseAddress!, argmax: w.baseAddress!, inputGradient: dx.baseAddress!)
                }
            }
        }
        #expect(inputGradient == [10, 0, 0, 20, 0, 0, 0, 0,
                                  0, 0, 0, 0, 30, 0, 40, 0])
    }

    @Test func maxPoolGradientMatchesFiniteDifferences() {
        let layer = MaxPool2D(channels: 2, height: 4, width: 6)
        let rows = 2
        let input = gaussianFloats(rows * layer.inputCount, seed: 5, purpose: "poolgrad.x")
        let upstream = gaussianFloats(rows * layer.outputCount, seed: 5, purpose: "poolgrad.g")
        let winners = Self.pool(layer, input, rows: rows, argmax: true).winners
        var inputGradient = [Float](repeating: .nan, count: input.count)
        upstream.withUnsafeBufferPointer { g in
            winners.withUnsafeBufferPointer { w in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    layer.backward(rows: rows, outputGradient: g.baseAddress!, argmax: w.baseAddress!, inputGradient: dx.baseAddress!)
                }
            }
        }
        var x = input.map(Double.init)
        let numeric = Reference.numericGradient(&x) { x in
            zip(Reference.maxPool(x, maps: rows * 2, height: 4, width: 6), upstream).map { $0 * Double($1) }.reduce(0, +)
        }
        #expect(Reference.relativeError(inputGradient, numeric) < 1e-6)
    }

    @Test("dense weight, bias and input gradients match central differences", arguments: [Activation.relu, .tanh])
    func denseGradientMatchesFiniteDifferences(activation: Activation) {
        let layer = Dense(fanIn: 6, fanOut: 4)
        let rows = 3
        let input = gaussianFloats(rows * 6, seed: 6, purpose: "dense.x")
        let weights = gaussianFloats(24, seed: 6, purpose: "dense.w", scale: 0.5)
        let bias = gaussianFloats(4, seed: 6, purpose: "dense.b", scale: 0.3)
        let upstream = gaussianFloats(rows * 4, seed: 6, purpose: "dense.g")
        var output = [Float](repeating: .nan, count: rows * 4)
        var delta = upstream
        var dW = [Float](repeating: .nan, count: 24), db = [Float](repeating: .nan, count: 4)
        var dX = [Float](repeating: .nan, count: input.count)
        input.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { out in
                        layer.forward(x.baseAddress!, rows: rows, weights: w, bias: b, activation: activation, output: out)
                        delta.withUnsafeMutableBufferPointer { d in
                            activation.multiplyByDerivative(d.baseAddress!, outputs: out.baseAddress!, count: d.count)
                            dW.withUnsafeMutableBufferPointer { dW in
                                db.withUnsafeMutableBufferPointer { db in
                                    dX.withUnsafeMutableBufferPointer { dX in
                                        layer.backward(x.baseAddress!, rows: rows, weights: w, weightDecay: 0,
                                                       delta: UnsafeBufferPointer(d), weightGradient: dW,
                                                       biasGradient: db, inputGradient: dX)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var x = input.map(Double.init), w = weights.map(Double.init), b = bias.map(Double.init)
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            let y = Reference.activate(Reference.dense(x, rows: rows, fanIn: 6, weights: w, bias: b), activation)
            return zip(y, upstream).map { $0 * Double($1) }.reduce(0, +)
        }
        #expect(Reference.relativeError(dW, Reference.numericGradient(&w) { loss(x, $0, b) }) < 1e-4, "dW")
        #expect(Reference.relativeError(db, Reference.numericGradient(&b) { loss(x, w, $0) }) < 1e-4, "db")
        #expect(Reference.relativeError(dX, Reference.numericGradient(&x) { loss($0, w, b) }) < 1e-4, "dX")
    }
}
