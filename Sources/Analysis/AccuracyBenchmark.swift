import Config
import Estimators
import Files
import Foundation
import Support

/// `infoplane bench accuracy`: full KSG and sliced MI against closed-form truths on Gaussian
/// pairs, for every dimension and set value of the settings.
public enum AccuracyBenchmark {
    /// One measured point and the settings it was measured with.
    public struct Row: Sendable {
        /// The dimension d of X and of Y.
        public var dimension: Int
        /// The set value (ρ or I in nats, by the mode).
        public var setValue: Double
        /// The estimates and their truths.
        public var point: KnownInformationPoint
    }

    /// Every point (dimension-major, in the order of the settings) and a summary per dimension.
    public struct Result: Sendable {
        /// One row per point.
        public var rows: [Row]
        /// Correlation and bias per dimension.
        public var summaries: [KnownInformationSummary]
    }

    /// What the largest point holds, n samples of X and Y in d dimensions as doubles: the
    /// samples, the full estimate's joint copy and neighbour structures, and the sliced
    /// estimate's projections per thread (n · 2d · 8 bytes · (3 + threads) in all), plus the
    /// m per-slice values twice.
    public static func memoryEstimate(_ settings: AccuracyBenchSettings, threads: Int) -> MemoryEstimate {
        let n = Double(settings.samples), d = Double(settings.dimensions.max() ?? 1)
        var estimate = MemoryEstimate()
        estimate.add("samples of X and Y with their copies, n × 2d doubles", bytes: n * 2 * d * 8 * (3 + Double(threads)),
                     fix: "lower --samples or the largest of --dimensions")
        estimate.add("per-slice values", bytes: Double(settings.slices) * 16, fix: "lower --slices")
        return estimate
    }

    /// Measures every point; progress goes to `log`.
    /// - Parameter threads: worker threads of the sliced estimates (results do not depend on it).
    public static func run(_ settings: AccuracyBenchSettings, threads: Int, log: ProgressLog) -> Result {
        let estimator = SlicedMutualInformation(k: settings.k, seed: settings.seed, threads: threads)
        let set = settings.setValues
        log("bench accuracy: mode \(settings.mode.rawValue), values \(set.map { String(format: "%.4g", $0) }.joined(separator: ", ")), "
            + "d ∈ \(settings.dimensions), n = \(settings.samples), m = \(settings.slices), k = \(settings.k)")
        var result = Result(rows: [], summaries: [])
        for d in settings.dimensions {
            var points: [KnownInformationPoint] = []
            var fullSeconds = 0.0, slicedSeconds = 0.0
            for (level, value) in set.enumerated() {
                let pair = settings.mode == .mi ? GaussianPair(dimension: d, mutualInformation: value) : GaussianPair(dimension: d, correlation: value)
                let (point, full, sliced) = KnownInformationPoint.measure(pair, samples: settings.samples, slices: settings.slices,
                                                                          estimator: estimator, sampleIndices: [d, level])
                points.append(point)
                fullSeconds += full
                slicedSeconds += sliced
                result.rows.append(Row(dimension: d, setValue: value, point: point))
                log(String(format: "d = %d, value %.4g (%d/%d): full %.4f (true %.4f), sliced %.5f (true %.5f)",
                           d, value, level + 1, set.count, point.fullEstimate, point.trueInformation,
                           point.slicedEstimate.mean, point.trueSlicedInformation))
            }
            result.summaries.append(KnownInformationSummary(dimension: d, points: points))
            log(String(format: "d = %d done: full KSG %.1f s, sliced %.1f s (%d points)", d, fullSeconds, slicedSeconds, points.count))
        }
        return result
    }

    /// The table the command prints: per dimension, the correlation of estimate and truth and the
    /// relative bias.
    public static func table(_ result: Result, settings: AccuracyBenchSettings) -> [String] {
        ["known-MI benchmark, mode \(settings.mode.rawValue): n = \(settings.samples), m = \(settings.slices), k = \(settings.k), "
            + "\(settings.setValues.count) set values per dimension; Pearson r of estimate and truth, relative bias Σ(estimate − truth)/Σ truth",
         "    d | r full KSG  r sliced | bias full  bias sliced"]
            + result.summaries.map { s in
                String(format: "%5d | %10.4f %9.4f | %+8.1f%% %+10.1f%%", s.dimension, s.fullCorrelation, s.slicedCorrelation,
                       100 * s.fullRelativeBias, 100 * s.slicedRelativeBias)
            }
    }

    /// Writes `accuracy.csv` and `summary.csv` into `directory`.
    public static func write(_ result: Result, settings: AccuracyBenchSettings, to directory: String) throws {
        try AccuracyBenchFiles.write(points: result.rows.map { ($0.dimension, $0.setValue, $0.point) }, summaries: result.summaries,
                                     settings: settings, to: directory)
    }
}
