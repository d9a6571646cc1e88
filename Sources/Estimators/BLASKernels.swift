import CIntrinsics
import COpenBLAS

/// Which kernels OpenBLAS chose for this processor, and what to do when they are its generic ones.
///
/// Debian's OpenBLAS picks kernels for the CPU when it loads; a processor newer than the library
/// (Debian 12's OpenBLAS 0.3.21 on an Emerald Rapids Xeon, seen here) gets the generic "Prescott"
/// kernels (SSE3), which trained the h64 MLP 2.5× slower than its AVX-512 ones on the same machine
/// and ran the projections at 7.7 against 11.7 GFLOP/s. `OPENBLAS_CORETYPE` names the kernels, but
/// only before the library loads, so commands say it rather than set it.
public enum BLASKernels {
    /// OpenBLAS's name for the kernels in use (`openblas_get_corename`), e.g. "SkylakeX", "Haswell".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// A one-line note when OpenBLAS runs its generic kernels on a processor with AVX-512 or AVX2,
    /// naming the `OPENBLAS_CORETYPE` that selects faster ones; nil otherwise.
    public static func advice() -> String? {
        advice(coreName: coreName, avx512: infoplane_has_avx512f() != 0, avx2: AVX2.available)
    }

    /// ``advice()`` for a named kernel set and processor.
    static func advice(coreName: String, avx512: Bool, avx2: Bool) -> String? {
        guard coreName == "Prescott" else { return nil }
        let (suggested, what) = avx512 ? ("SkylakeX", "AVX-512") : avx2 ? ("Haswell", "AVX2") : (nil, "")
        guard let suggested else { return nil }
        return "note: OpenBLAS runs its generic \(coreName) kernels here (the library predates this processor); "
            + "export OPENBLAS_CORETYPE=\(suggested) for its \(what) kernels, about twice as fast "
            + "(results then round as on other \(what) machines)"
    }
}
