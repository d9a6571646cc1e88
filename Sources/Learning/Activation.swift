import Foundation

/// The nonlinearity applied after every hidden layer (the output layer is always linear).
public enum Activation: String, Sendable, CaseIterable {
    /// `max(0, z)`.
    case relu
    /// The hyperbolic tangent.
    case tanh

    /// The activation of a pre-activation value `z`.
    @inlinable
    public func callAsFunction(_ z: Float) -> Float {
        switch self {
        case .relu: return z > 0 ? z : 0
        case .tanh: return Foundation.tanh(z)
        }
    }

    /// The derivative at pre-activation `z`. ReLU's derivative at 0 is taken as 0.
    @inlinable
    public func derivative(at z: Float) -> Float {
        switch self {
        case .relu: return z > 0 ? 1 : 0
        case .tanh:
            let a = Foundation.tanh(z)
            return 1 - a * a
        }
    }

    /// The derivative expressed through the activation's output `a = f(z)`, which is what the
    /// backward pass has stored (ReLU: `a > 0` exactly when `z > 0`; tanh: `1 − a²`).
    @inlinable
    public func derivative(fromOutput a: Float) -> Float {
        switch self {
        case .relu: return a > 0 ? 1 : 0
        case .tanh: return 1 - a * a
        }
    }

    /// Adds `bias` to every row of the `rows × bias.count` block `values`, then applies the
    /// activation in place (one fused pass over the layer output).
    func addBiasAndActivate(_ values: UnsafeMutablePointer<Float>, rows: Int,
                            bias: UnsafeBufferPointer<Float>) {
        let width = bias.count
        switch self {
        case .relu:
            for r in 0..<rows {
                let row = values + r * width
                for j in 0..<width {
                    let z = row[j] + bias[j]
                    row[j] = z > 0 ? z : 0
                }
            }
        case .tanh:
            for r in 0..<rows {
                let row = values + r * width
                for j in 0..<width { row[j] = Foundation.tanh(row[j] + bias[j]) }
            }
        }
    }

    /// `gradient ⊙= f′`, with `f′` taken from the stored outputs (turns ∂L/∂A into ∂L/∂Z).
    func multiplyByDerivative(_ gradient: UnsafeMutablePointer<Float>,
                              outputs: UnsafePointer<Float>, count: Int) {
        switch self {
        case .relu:
            // Both loads before a select (not a conditional store): this form vectorises.
            for i in 0..<count {
                let g = gradient[i], a = outputs[i]
                gradient[i] = a > 0 ? g : 0
            }
        case .tanh:
            for i in 0..<count {
                let a = outputs[i]
                gradient[i] *= 1 - a * a
            }
        }
    }
}
