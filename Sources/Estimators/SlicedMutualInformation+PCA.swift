import Support
/// PCA-compressed mutual information ("AE+MI" with PCA for the representations): each side
/// projected onto its own top-P principal components (``PrincipalComponents``), then the full
/// estimate in those P dimensions with the same preparation of each column as
/// ``fullInformation(x:y:)`` (every component standardised, so KSG's max-norm weighs them alike).
///
/// A pipeline that estimates many layers against the same X compresses X once with
/// ``PrincipalComponents/compress(_:components:name:)`` and calls ``fullInformation(x:y:)`` on
/// the scores; these functions are that, for one pair.
extension SlicedMutualInformation {
    /// I(X;Y) by KSG between the top-`components` principal-component scores of X and of Y
    /// (a side with fewer columns keeps them all).
    /// - Throws: ``InfoPlaneError`` for input PCA cannot use (see ``PrincipalComponents``).
    public func pcaInformation(x: SampleMatrix, y: SampleMatrix, components: Int) throws -> Double {
        fullInformation(x: try PrincipalComponents.compress(x, components: components, name: "X"),
                        y: try PrincipalComponents.compress(y, components: components, name: "Y"))
    }

    /// I(T;Y) for discrete labels between the top-`components` principal-component scores of T
    /// and the labels, by `estimator`.
    /// - Throws: ``InfoPlaneError`` for input PCA cannot use.
    public func pcaLabelInformation(t: SampleMatrix, labels: [Int32], components: Int,
                                    estimator: DiscreteEstimator = .ross) throws -> Double {
        fullLabelInformation(t: try PrincipalComponents.compress(t, components: components, name: "T"),
                             labels: labels, estimator: estimator)
    }
}
