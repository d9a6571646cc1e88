import Estimators
import Files
import Support

/// The PCA-compressed plane of `analyze --method pca` (the sliced-MI studies' "AE+MI"
/// comparison, with PCA for both sides): X and each snapshot-layer T are projected onto their own
/// top-P principal components (``PrincipalComponents``, fitted per layer and epoch), then
/// I(X;T) is full KSG between the two P-dimensional scores and I(T;Y) Ross's mixed estimator
/// between T's scores and the labels. ``ClassicPlane`` schedules it and writes `plane-pca.h5`.
enum PCAPlane {
    /// For `--method pca`: the inputs' top-P scores, after checking that P fits the inputs and
    /// every selected layer; nil for the other methods.
    static func checkedInputs(_ method: ClassicPlane.Method, evaluation: RunEvaluation,
                              layers: [RecordedLayer]) throws -> SampleMatrix? {
        guard case .pca(let p, let k, _) = method else { return nil }
        let sides = layers.map { (name: $0.name, width: $0.width) } + [(name: "the evaluation inputs", width: evaluation.features)]
        if let narrowest = sides.min(by: { $0.width < $1.width }), narrowest.width < p {
            throw InfoPlaneError("--components \(p) exceeds the width of \(narrowest.name) (\(narrowest.width)): choose at most \(narrowest.width) components, or select wider layers with --layers")
        }
        guard k < evaluation.samples else {
            throw InfoPlaneError("k = \(k) needs more samples than neighbours, but the run has \(evaluation.samples): lower --k")
        }
        let x = SampleMatrix(rows: evaluation.samples, columns: evaluation.features, values: evaluation.inputs.map(Double.init))
        return try PrincipalComponents.compress(x, components: p, name: "the evaluation inputs")
    }

    /// I(X;T) and I(T;Y) of one layer at each epoch (`layer[e]` is n × `width`), X already compressed.
    static func measure(_ method: ClassicPlane.Method, layer: [[Float]], width: Int, inputs: SampleMatrix,
                        labels: [Int32]) throws -> (sxt: [Double], sty: [Double]) {
        guard case .pca(let p, let k, let seed) = method else { preconditionFailure("PCAPlane measures --method pca only") }
        let estimator = SlicedMutualInformation(k: k, seed: seed, preparation: SlicePreparation(standardize: true, jitter: 1e-10, seed: seed))
        var sxt: [Double] = [], sty: [Double] = []
        for t in layer {
            let scores = try PrincipalComponents.compress(SampleMatrix(rows: inputs.rows, columns: width, values: t.map(Double.init)),
                                                          components: p, name: "the layer")
            sxt.append(estimator.fullInformation(x: inputs, y: scores))
            sty.append(estimator.fullLabelInformation(t: scores, labels: labels, estimator: .ross))
        }
        return (sxt, sty)
    }
}
