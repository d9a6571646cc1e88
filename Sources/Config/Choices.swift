/// The estimator of S1(T;Y) against class labels (`analysis.label_estimator`, `--estimator`).
public enum LabelEstimator: String, Sendable, CaseIterable, Codable {
    /// Ross (2014) mixed KSG, scikit-learn's `_compute_mi_cd`.
    case ross
    /// H(T) − Σ p(y) H(T|Y=y) with Kozachenko–Leonenko entropies (NPEET's `micd`).
    case micd
}

/// The estimator of each slice of the Sliced Information Plane (`analysis.estimator`,
/// `analyze --estimator`).
public enum SliceEstimator: String, Sendable, CaseIterable, Codable {
    /// KSG (k-th neighbour in the joint max-norm, marginal counts), the default.
    case ksg
    /// The weighted Kozachenko–Leonenko entropies H(a) + H(b) − H(a,b) (Berrett, Samworth & Yuan
    /// 2019); a slice is 1-D × 1-D, where the weights are e_k. Against labels this is
    /// H(φᵀT) − Σ p(y) H(φᵀT|y), which is `micd`.
    case wkl
}

/// What `infoplane analyze --method` measures.
public enum AnalysisMethod: String, Sendable, CaseIterable, Codable {
    /// The Sliced Information Plane (KSG over random projections), the default.
    case ksg
    /// Full-layer I(X;T), I(T;Y) by equal-width binning (Shwartz-Ziv & Tishby).
    case binning
    /// The pairwise-distance KDE upper bound (Saxe et al.).
    case kde
    /// Full KSG between X and T each compressed to its top principal components, and between
    /// T's and the labels (the "AE+MI" comparison of the sliced-MI studies, with PCA).
    case pca
}
