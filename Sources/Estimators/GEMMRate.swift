import COpenBLAS
import Foundation

/// This machine's own GEMM speed, measured in the run that quotes it: the yardstick for the
/// projections' GFLOP/s (`infoplane bench gemm`, docs/benchmarks.md).
public enum GEMMRate {
    /// The precision of a measured GEMM.
    public enum Precision: String, Sendable, CaseIterable {
        case double = "dgemm", single = "sgemm"
    }

    /// GFLOP/s per core of `cblas_?gemm` on row-major `(m × k) · (k × n)` with random operands, on
    /// the calling thread's OpenBLAS setting: the best of repeated calls over about `seconds` of
    /// wall time, each timed in process CPU time — the clock the analysis's work line uses for
    /// the projections, so the two compare on a shared machine (wall time would count the time
    /// other processes held the core).
    public static func measure(_ precision: Precision, m: Int, n: Int, k: Int, seconds: Double = 0.5) -> Double {
        var random = SystemRandomNumberGenerator()
        let a = (0..<(m * k)).map { _ in Double.random(in: -1...1, using: &random) }
        let b = (0..<(k * n)).map { _ in Double.random(in: -1...1, using: &random) }
        let a32 = precision == .single ? a.map(Float.init) : [], b32 = precision == .single ? b.map(Float.init) : []
        var c = [Double](repeating: 0, count: m * n), c32 = [Float](repeating: 0, count: precision == .single ? m * n : 0)
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        var best = 0.0
        let start = Date()
        repeat {
            let began = cpuSeconds()
            switch precision {
            case .double:
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1, a, blasint(k), b, blasint(n), 0, &c, blasint(n))
            case .single:
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k), 1, a32, blasint(k), b32, blasint(n), 0, &c32,
                            blasint(n))
            }
            best = max(best, flops / max(cpuSeconds() - began, 1e-9) / 1e9)
        } while Date().timeIntervalSince(start) < seconds
        return best
    }

    /// CPU seconds of this process (every thread).
    private static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
