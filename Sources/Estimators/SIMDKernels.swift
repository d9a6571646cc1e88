import CIntrinsics

/// Which of CIntrinsics' kernels the 1-D estimators and the slice preparation run: none (the
/// portable Swift paths), the AVX2 ones, or the AVX-512 ones (KSG's window walk, the marginal
/// counts, the per-class k-th distances, and the preparation's moments and values, which have
/// no AVX2 kernel). The build targets plain x86-64, so the processor is checked at run time,
/// once, by CPUID and the OS's saved register state. Every set gives the same results.
enum SIMDKernels: Int, Comparable, CaseIterable, Sendable {
    case portable, avx2, avx512

    /// The widest set this processor runs (`portable` on other architectures).
    static let best: SIMDKernels = infoplane_has_avx2() == 0 ? .portable : infoplane_has_avx512() != 0 ? .avx512 : .avx2

    /// Every set this processor runs, for tests that compare them.
    static var runnable: [SIMDKernels] { allCases.filter { $0 <= best } }

    /// Whether CIntrinsics' kernels run at all.
    var vectorized: Bool { self != .portable }

    static func < (a: SIMDKernels, b: SIMDKernels) -> Bool { a.rawValue < b.rawValue }
}
