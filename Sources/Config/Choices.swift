/// The estimator of S1(T;Y) against class labels (`analysis.label_estimator`, `--estimator`).
public enum LabelEstimator: String, Sendable, CaseIterable, Codable {
    /// Ross (2014) mixed KSG, scikit-learn's `_compute_mi_cd`.
    case ross
    /// H(T) − Σ p(y) H(T|Y=y) with Kozachenko–Leonenko entropies (NPEET's `micd`).
    case micd
}

/// What `infoplane analyze --method` measures.
public enum AnalysisMethod: String, Sendable, CaseIterable, Codable {
    /// The Sliced Information Plane (KSG over random projections), the default.
    case ksg
    /// Full-layer I(X;T), I(T;Y) by equal-width binning (Shwartz-Ziv & Tishby).
    case binning
    /// The pairwise-distance KDE upper bound (Saxe et al.).
    case kde
}
