import Config
import Estimators
import Foundation
import Storage
import Support

/// The known-MI benchmark's outputs in its directory: `accuracy.csv` (one row per point) and
/// `summary.csv` (one row per dimension), each written atomically.
public enum AccuracyBenchFiles {
    /// The columns of `accuracy.csv`.
    public static let pointHeader = "mode,dimension,set_value,correlation,samples,slices,k,true_mi,full_ksg,true_smi,true_smi_on_slices,sliced,sliced_se"
    /// The columns of `summary.csv`.
    public static let summaryHeader = "dimension,full_correlation,sliced_correlation,full_relative_bias,sliced_relative_bias,full_mean_abs_error,sliced_mean_abs_error"

    /// Creates `directory` if needed (refusing a file in the way).
    public static func prepare(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InfoPlaneError("cannot create the output directory \(directory) (a file is in the way, or no permission): choose another --out")
        }
    }

    /// Writes both files into `directory`: every point, measured with `settings`, at its set
    /// value; and the summaries.
    public static func write(points: [(dimension: Int, setValue: Double, point: KnownInformationPoint)],
                             summaries: [KnownInformationSummary], settings: AccuracyBenchSettings, to directory: String) throws {
        let rows = [pointHeader] + points.map { row in
            let point = row.point
            return [settings.mode.rawValue, "\(row.dimension)", "\(row.setValue)", "\(point.pair.correlation)", "\(settings.samples)",
                    "\(settings.slices)", "\(settings.k)", "\(point.trueInformation)", "\(point.fullEstimate)",
                    "\(point.trueSlicedInformation)", "\(point.trueSlicedOnSlices)", "\(point.slicedEstimate.mean)",
                    "\(point.slicedEstimate.standardError)"].joined(separator: ",")
        }
        let summaryRows = [summaryHeader] + summaries.map { s in
            ["\(s.dimension)", "\(s.fullCorrelation)", "\(s.slicedCorrelation)", "\(s.fullRelativeBias)",
             "\(s.slicedRelativeBias)", "\(s.fullMeanAbsoluteError)", "\(s.slicedMeanAbsoluteError)"].joined(separator: ",")
        }
        try writeTextAtomically(rows.joined(separator: "\n") + "\n", to: directory + "/accuracy.csv")
        try writeTextAtomically(summaryRows.joined(separator: "\n") + "\n", to: directory + "/summary.csv")
    }
}
