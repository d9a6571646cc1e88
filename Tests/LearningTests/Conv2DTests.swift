import Foundation
import Testing
@testable import Learning

/// The convolution kernel against a direct loop convolution and against central differences.
///
/// Tolerances: the Float32 kernel's relative rounding error is about √K·6e-8 ≈ 1e-6 for these
/// patch sizes K ≤ 100, and central differences of the Double reference with h = 1e-6 are exact to
/// ~1e-9; so 1e-5 per element (forward) and 1e-4 norm-wise (gradients) leave margin yet catch any
/// wrong index, flipped kernel, missing padding or transposed gradient, which err by O(1).
@Suite struct Conv2DTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var kernel: Int, inChannels: Int, outChannels: Int, activation: Activation?
        var testDescription: String {
            "\(kernel)×\(kernel) \(inChannels)→\(outChannels) \(activation.map(\.rawValue) ?? "linear")"
        }
    }

    static let cases: [Case] = [
        Case(kernel: 3, inChannels: 3, outChannels: 4, activation: .relu),
        Case(kernel: 3, inChannels: 1, outChannels: 5, activation: .tanh),
        Case(kernel: 5, inChannels: 2, outChannels: 3, activation: .relu),
        Case(kernel: 5, inChannels: 4, outChannels: 2, activation: .tanh),
        Case(kernel: 1, inChannels: 3, outChannels: 2, activation: nil),
    ]

    /// Samples, height and width of the test maps (not square, so rows and columns cannot be swapped).
    static let samples = 3, height = 6, width = 7

    static func layer(_ c: Case) -> Conv2D {
        Conv2D(inChannels: c.inChannels, outChannels: c.outChannels, kernel: c.kernel, height: height, width: width)
    }

    /// The kernel's forward pass with an im2col buffer of `groupSamples` samples.
    static func forward(_ conv: Conv2D, input: [Float], weights: [Float], bias: [Float], activation: Activation?,
                        samples: Int, groupSamples: Int) -> (output: [Float], cols: [Float]) {
        var output = [Float](repeating: .nan, count: samples * conv.outputCount)
        var cols = [Float](repeating: .nan, count: conv.patchSize * conv.plane * groupSamples)
        var product = [Float](repeating: .nan, count: conv.outChannels * conv.plane * groupSamples)
        input.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    cols.withUnsafeMutableBufferPointer { cols in
                        product.withUnsafeMutableBufferPointer { product in
                            output.withUnsafeMutableBufferPointer { out in
                                conv.forward(x.baseAddress!, rows: samples, weights: w, bias: b, activation: activation,
                                             cols: cols, product: product, output: out.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        return (output, cols)
    }

    @Test("forward equals a direct convolution, whatever the im2col group size", arguments: cases)
    func forwardMatchesDirectConvolution(testCase: Case) {
        let conv = Self.layer(testCase)
        let n = Self.samples
        let input = gaussianFloats(n * conv.inputCount, seed: 1, purpose: "conv.x")
        let weights = gaussianFloats(conv.outChannels * conv.patchSize, seed: 1, purpose: "conv.w", scale: 0.3)
        let bias = gaussianFloats(conv.outChannels, seed: 1, purpose: "conv.b", scale: 0.3)
        let expected = Reference.activate(
            Reference.conv(input.map(Double.init), samples: n, inChannels: conv.inChannels, height: Self.height,
                           width: Self.width, weights: weights.map(Double.init), bias: bias.map(Double.init),
                           outChannels: conv.outChannels, kernel: conv.kernel), testCase.activation)
        for group in [n, 2, 1] {
            let output = Self.forward(conv, input: input, weights: weights, bias: bias, activation: testCase.activation,
                                      samples: n, groupSamples: group).output
            let worst = zip(output, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
            #expect(worst < 1e-5, "group of \(group): worst relative error \(worst)")
        }
    }

    @Test("im2col then col2im multiplies each input by the number of taps that read it")
    func col2imIsTheAdjointOfIm2col() {
        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for all x, c is what makes the backward pass the transpose.
        let conv = Conv2D(inChannels: 2, outChannels: 1, kernel: 5, height: 4, width: 6)
        let n = 2
        let x = gaussianFloats(n * conv.inputCount, seed: 3, purpose: "adjoint.x")
        let c = gaussianFloats(conv.patchSize * conv.plane * n, seed: 3, purpose: "adjoint.c")
        var cols = [Float](repeating: .nan, count: c.count)
        var back = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { x in
            cols.withUnsafeMutableBufferPointer { conv.im2col(x.baseAddress!, samples: n, into: $0.baseAddress!) }
        }
        c.withUnsafeBufferPointer { c in
            back.withUnsafeMutableBufferPointer { conv.col2im(c.baseAddress!, samples: n, into: $0.baseAddress!) }
        }
        let left = zip(cols, c).map { Double($0) * Double($1) }.reduce(0, +)
        let right = zip(x, back).map { Double($0) * Double($1) }.reduce(0, +)
        #expect(abs(left - right) < 1e-4 * max(1, abs(left)), "\(left) vs \(right)")
    }

    @Test("weight, bias and input gradients match central differences", arguments: cases)
    func gradientsMatchFiniteDifferences(testCase: Case) {
        let conv = Self.layer(testCase)
        let n = 2
        let input = gaussianFloats(n * conv.inputCount, seed: 2, purpose: "grad.x")
        let weights = gaussianFloats(conv.outChannels * conv.patchSize, seed: 2, purpose: "grad.w", scale: 0.3)
        let bias = gaussianFloats(conv.outChannels, seed: 2, purpose: "grad.b", scale: 0.3)
        // L = Σ G ⊙ f(conv(x)): its gradient with respect to the output is G.
        let upstream = gaussianFloats(n * conv.outputCount, seed: 2, purpose: "grad.g")
        var (output, cols) = Self.forward(conv, input: input, weights: weights, bias: bias,
                                          activation: testCase.activation, samples: n, groupSamples: n)
        var product = [Float](repeating: .nan, count: conv.outChannels * conv.plane * n)
        var dW = [Float](repeating: .nan, count: weights.count)
        var db = [Float](repeating: .nan, count: bias.count)
        var dX = [Float](repeating: .nan, count: input.count)
        weights.withUnsafeBufferPointer { w in
            cols.withUnsafeMutableBufferPointer { cols in
                product.withUnsafeMutableBufferPointer { product in
                    output.withUnsafeMutableBufferPointer { out in
                        upstream.withUnsafeBufferPointer { g in
                            dW.withUnsafeMutableBufferPointer { dW in
                                db.withUnsafeMutableBufferPointer { db in
                                    dX.withUnsafeMutableBufferPointer { dX in
                                        conv.backward(rows: n, weights: w, weightDecay: 0, cols: cols, product: product,
                                                      output: out.baseAddress!, outputGradient: g.baseAddress!,
                                                      activation: testCase.activation, weightGradient: dW,
                                                      biasGradient: db, inputGradient: dX.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var x = input.map(Double.init), w = weights.map(Double.init), b = bias.map(Double.init)
        let g = upstream.map(Double.init)
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            let y = Reference.activate(Reference.conv(x, samples: n, inChannels: conv.inChannels, height: Self.height,
                                                      width: Self.width, weights: w, bias: b,
                                                      outChannels: conv.outChannels, kernel: conv.kernel),
                                       testCase.activation)
            return zip(y, g).map(*).reduce(0, +)
        }
        let numericW = Reference.numericGradient(&w) { loss(x, $0, b) }
        let numericB = Reference.numericGradient(&b) { loss(x, w, $0) }
        let numericX = Reference.numericGradient(&x) { loss($0, w, b) }
        #expect(Reference.relativeError(dW, numericW) < 1e-4, "dW")
        #expect(Reference.relativeError(db, numericB) < 1e-4, "db")
        #expect(Reference.relativeError(dX, numericX) < 1e-4, "dX")
    }
}
