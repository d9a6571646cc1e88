import Foundation
import Support

/// The update rule and its hyperparameters.
///
/// - `sgd`: heavy-ball momentum as in PyTorch, `v ← μ·v + g`, `θ ← θ − η·v` (μ = 0 is plain SGD).
/// - `adam`: Kingma & Ba (2015), Algorithm 1: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
///   `θ ← θ − η·m̂ / (√v̂ + ε)` with `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)` and `t` the 1-based step.
///
/// Weight decay (``TrainingOptions/weightDecay``) is classic L2: it adds `λ·W` to the weight
/// gradients before either rule (so with Adam it is not AdamW's decoupled decay).
public enum OptimizerKind: Sendable, Equatable {
    /// Stochastic gradient descent with momentum `μ ∈ [0, 1)`.
    case sgd(learningRate: Float, momentum: Float = 0)
    /// Adam with the paper's defaults.
    case adam(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)

    /// The step size η.
    public var learningRate: Float {
        switch self {
        case .sgd(let rate, _), .adam(let rate, _, _, _): return rate
        }
    }

    /// Throws a ``InfoPlaneError`` naming the first hyperparameter out of range.
    public func validate() throws {
        let rate = learningRate
        if !(rate > 0 && rate.isFinite) {
            throw InfoPlaneError("learning rate \(rate) is impossible: it must be positive and finite (e.g. 0.001)")
        }
        switch self {
        case .sgd(_, let momentum):
            if !(momentum >= 0 && momentum < 1) {
                throw InfoPlaneError("momentum \(momentum) is outside [0, 1): use 0 for plain SGD or e.g. 0.9")
            }
        case .adam(_, let beta1, let beta2, let epsilon):
            for (name, beta) in [("beta1", beta1), ("beta2", beta2)] where !(beta >= 0 && beta < 1) {
                throw InfoPlaneError("Adam \(name) \(beta) is outside [0, 1) (defaults: beta1 0.9, beta2 0.999)")
            }
            if !(epsilon > 0 && epsilon.isFinite) {
                throw InfoPlaneError("Adam epsilon \(epsilon) must be positive and finite (default 1e-8)")
            }
        }
    }

    /// Checkpoint name prefixes of the per-parameter state, e.g. `["adam.m", "adam.v"]`.
    var stateNames: [String] {
        switch self {
        case .sgd: return ["sgd.velocity"]
        case .adam: return ["adam.m", "adam.v"]
        }
    }
}

/// Per-parameter optimizer state for one network, updated in place after every minibatch.
///
/// Tensors are indexed in the network's checkpoint order (for an MLP `2(l − 1)` for `W_l` and
/// `2(l − 1) + 1` for `b_l`). `first[tensor]` is SGD's
/// velocity or Adam's first moment, `second[tensor]` Adam's second moment (empty for SGD); they
/// are separate properties so that Adam may hold both mutably at once.
final class OptimizerState {
    let kind: OptimizerKind
    var first: [[Float]]
    var second: [[Float]]

    /// Zero state for tensors of the given sizes.
    init(kind: OptimizerKind, tensorSizes: [Int]) {
        self.kind = kind
        first = tensorSizes.map { [Float](repeating: 0, count: $0) }
        if case .adam = kind {
            second = tensorSizes.map { [Float](repeating: 0, count: $0) }
        } else {
            second = []
        }
    }

    /// The state tensors in the order of `kind.stateNames`.
    var slots: [[[Float]]] {
        get { second.isEmpty ? [first] : [first, second] }
        set {
            first = newValue[0]
            if newValue.count > 1 { second = newValue[1] }
        }
    }

    /// Applies one update with the gradients in `workspace` to `model`; `step` is the 1-based
    /// number of this update (Adam's `t`). Tensor `i` is the model's parameter `i` in checkpoint
    /// order (``TrainableNetwork/updateParameters(gradients:_:)``).
    func update<Network: TrainableNetwork>(_ model: inout Network, gradients ws: Network.Workspace, step: Int) {
        switch kind {
        case .sgd(let rate, let momentum):
            model.updateParameters(gradients: ws) { tensor, p, g in
                sgd(p, g, tensor: tensor, rate: rate, momentum: momentum)
            }
        case .adam(let rate, let beta1, let beta2, let epsilon):
            // Bias corrections in Double: β₂ᵗ underflows Float's precision near 1 long before t is large.
            let t = Double(step)
            let stepSize = Float(Double(rate) / (1 - Foundation.pow(Double(beta1), t)))
            let correction2 = Float(1 / (1 - Foundation.pow(Double(beta2), t)))
            let constants = AdamConstants(stepSize: stepSize, correction2: correction2,
                                          beta1: beta1, beta2: beta2, epsilon: epsilon)
            model.updateParameters(gradients: ws) { tensor, p, g in
                adam(p, g, tensor: tensor, constants)
            }
        }
    }

    private func sgd(_ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                     tensor: Int, rate: Float, momentum: Float) {
        first[tensor].withUnsafeMutableBufferPointer { v in
            for i in 0..<p.count {
                let velocity = momentum * v[i] + g[i]
                v[i] = velocity
                p[i] -= rate * velocity
            }
        }
    }

    private struct AdamConstants {
        var stepSize: Float, correction2: Float, beta1: Float, beta2: Float, epsilon: Float
    }

    private func adam(_ p: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
                      tensor: Int, _ c: AdamConstants) {
        let oneMinusBeta1 = 1 - c.beta1, oneMinusBeta2 = 1 - c.beta2
        first[tensor].withUnsafeMutableBufferPointer { m in
            second[tensor].withUnsafeMutableBufferPointer { v in
                for i in 0..<p.count {
                    let gi = g[i]
                    let mi = c.beta1 * m[i] + oneMinusBeta1 * gi
                    let vi = c.beta2 * v[i] + oneMinusBeta2 * (gi * gi)
                    m[i] = mi
                    v[i] = vi
                    // `.magnitude` changes no value (v ≥ 0) but proves the root's argument is
                    // non-negative, which drops libm's errno path and lets the loop vectorise
                    // (vector and scalar lanes are the same IEEE operations, so bits are unchanged).
                    p[i] -= c.stepSize * mi / ((vi * c.correction2).magnitude.squareRoot() + c.epsilon)
                }
            }
        }
    }
}
