import Analysis
import ArgumentParser
import Estimators
import Foundation
import Support

/// This machine's GEMM speed on one core, for the projections' GFLOP/s to be read against.
struct GemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Measure cblas_dgemm and cblas_sgemm GFLOP/s on one core (peak and the projections' shape) as JSON.",
        discussion: """
            Peak: 1024 × 1024 × 1024. The projections' shape: 1,024 rows × 32 directions × WIDTH (one \
            widened row block of a work item). Best of repeated calls over --seconds each, one OpenBLAS thread; \
            "blas_kernels" names OpenBLAS's kernel set in use.
            """)

    @Option(parsing: .unconditional, help: "Layer width of the projections' shape.") var width = 32768
    @Option(parsing: .unconditional, help: "Seconds per measurement.") var seconds = 1.0

    func validate() throws {
        guard width >= 1 else { throw InfoPlaneError("--width \(width) is impossible: use at least 1 (32768 is usual)") }
        guard seconds > 0, seconds.isFinite else { throw InfoPlaneError("--seconds \(seconds) is impossible: use a positive number of seconds (1 is usual)") }
    }

    func run() throws {
        // One OpenBLAS thread, as every command sets it in `InfoPlane.main`.
        var fields: [String] = []
        for precision in GEMMRate.Precision.allCases {
            let peak = GEMMRate.measure(precision, m: 1024, n: 1024, k: 1024, seconds: seconds)
            let projection = GEMMRate.measure(precision, m: 1024, n: 32, k: width, seconds: seconds)
            fields.append(String(format: "\"%@_peak_gflops\": %.1f, \"%@_projection_gflops\": %.1f", precision.rawValue, peak, precision.rawValue, projection))
        }
        print("{\"width\": \(width), \"blas_kernels\": \"\(BLASKernels.coreName)\", " + fields.joined(separator: ", ") + "}")
    }
}
