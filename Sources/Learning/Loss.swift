import Foundation

/// The training objective, computed on the network's linear output layer.
///
/// - `crossEntropy`: softmax cross-entropy against class labels, `−log softmax(z)_y`, averaged
///   over the batch. The softmax subtracts each row's maximum first, so large logits cannot
///   overflow.
/// - `meanSquaredError`: `(ŷ − y)²` averaged over the batch **and** the outputs (no ½ factor, as
///   in Keras and PyTorch). For a classification split `y` is the one-hot encoding of the label;
///   for a regression split (no labels) it is `Split.targets`.
///
/// Accuracy is the fraction of samples whose largest output is the label's (ties go to the lowest
/// index). A regression split has no accuracy: it is reported as `Double.nan`, which keeps it
/// from being mistaken for a measured 0 (note that NaN makes `EpochMetrics` compare unequal).
public enum Loss: String, Sendable, CaseIterable {
    /// Softmax cross-entropy against class labels.
    case crossEntropy = "cross-entropy"
    /// Mean squared error against one-hot labels or regression targets.
    case meanSquaredError = "mse"

    /// Sums, over `rows` samples of width `width`, the per-sample loss, counts correct argmax
    /// predictions (when `labels` is given), and — when `gradient` is given — writes ∂(mean loss)/∂z.
    ///
    /// Exactly one of `labels` (classification) and `targets` (regression, `rows × width`) is used;
    /// labels win when both are passed. The loss sum is accumulated in `Double` so that a
    /// 60,000-sample epoch average does not lose digits.
    func accumulate(outputs: UnsafePointer<Float>, rows: Int, width: Int,
                    labels: UnsafePointer<Int32>?, targets: UnsafePointer<Float>?,
                    gradient: UnsafeMutablePointer<Float>?) -> (lossSum: Double, correct: Int) {
        var lossSum = 0.0
        var correct = 0
        let perSample = 1 / Float(rows)
        for r in 0..<rows {
            let z = outputs + r * width
            let g = gradient.map { $0 + r * width }
            var best = 0
            for j in 1..<max(width, 1) where z[j] > z[best] { best = j }
            if let labels {
                let label = Int(labels[r])
                if best == label { correct += 1 }
                switch self {
                case .crossEntropy:
                    lossSum += Loss.softmaxCrossEntropy(z, width: width, label: label,
                                                        maximum: z[best], gradient: g, scale: perSample)
                case .meanSquaredError:
                    lossSum += Loss.squaredError(z, width: width, scale: perSample, gradient: g) { j in
                        j == label ? 1 : 0
                    }
                }
            } else if let targets {
                // Validation rejects cross-entropy without labels, so this is MSE.
                let t = targets + r * width
                lossSum += Loss.squaredError(z, width: width, scale: perSample, gradient: g) { t[$0] }
            }
        }
        return (lossSum, correct)
    }

    /// `−log softmax(z)_label` for one row; writes `(softmax − onehot)·scale` into `gradient`.
    private static func softmaxCrossEntropy(_ z: UnsafePointer<Float>, width: Int, label: Int,
                                            maximum: Float, gradient: UnsafeMutablePointer<Float>?,
                                            scale: Float) -> Double {
        var sum: Float = 0
        if let gradient {
            for j in 0..<width {
                let e = Foundation.exp(z[j] - maximum)
                gradient[j] = e
                sum += e
            }
            let factor = scale / sum
            for j in 0..<width { gradient[j] *= factor }
            gradient[label] -= scale
        } else {
            for j in 0..<width { sum += Foundation.exp(z[j] - maximum) }
        }
        return Foundation.log(Double(sum)) - Double(z[label] - maximum)
    }

    /// `Σⱼ (zⱼ − yⱼ)² / width` for one row; writes `2(z − y)·scale/width` into `gradient`.
    private static func squaredError(_ z: UnsafePointer<Float>, width: Int, scale: Float,
                                     gradient: UnsafeMutablePointer<Float>?,
                                     target: (Int) -> Float) -> Double {
        var sum = 0.0
        let factor = 2 * scale / Float(width)
        for j in 0..<width {
            let difference = z[j] - target(j)
            sum += Double(difference * difference)
            gradient?[j] = factor * difference
        }
        return sum / Double(width)
    }
}
