import CIntrinsics
import COpenBLAS
import Foundation

/// Which kernels OpenBLAS runs, and the faster ones chosen at start-up where it does not know the
/// processor.
///
/// Debian's OpenBLAS picks kernels for the CPU when it loads; a processor newer than the library
/// (Debian 12's OpenBLAS 0.3.21 on an Emerald Rapids Xeon, seen here) gets the generic "Prescott"
/// kernels (SSE3), which trained the h64 MLP 2.5× slower than its AVX-512 ones on the same machine
/// and ran the projections at 7.7 against 11.7 GFLOP/s. ``chooseForProcessor()`` then switches it
/// to its kernels for the processor's vector instructions (SkylakeX for AVX-512, Haswell for AVX2
/// with FMA), as `OPENBLAS_CORETYPE` would; a user's own `OPENBLAS_CORETYPE` is left to decide.
public enum BLASKernels {
    /// OpenBLAS's name for the kernels in use (`openblas_get_corename`), e.g. "SkylakeX", "Haswell".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The line for a command's header naming the kernels ``chooseForProcessor()`` chose; nil
    /// when OpenBLAS's own choice stands.
    nonisolated(unsafe) public private(set) static var note: String?

    /// Where OpenBLAS runs its generic kernels on a processor with AVX-512 or AVX2 and
    /// `OPENBLAS_CORETYPE` is unset, makes it run its SkylakeX or Haswell kernels, and keeps a
    /// ``note`` saying so. Call once at start-up, before any BLAS call: every process of a job
    /// on the same machine then chooses alike, so results stay the same for any number of ranks.
    /// The values round as on other machines with those kernels, not as with the generic ones.
    public static func chooseForProcessor() {
        let environment = ProcessInfo.processInfo.environment, generic = coreName
        guard environment["OPENBLAS_CORETYPE"] == nil,
              let (core, what) = choice(coreName: generic, avx512: infoplane_has_avx512() != 0,
                                        avx2: infoplane_has_avx2_fma() != 0) else { return }
        guard infoplane_blas_choose_core(core) != 0, coreName == core else { return }
        note = "note: OpenBLAS does not know this processor and chose its generic \(generic) kernels; "
            + "running its \(what) kernels, \(core), instead (OPENBLAS_CORETYPE chooses others)"
    }

    /// The kernel set (an `OPENBLAS_CORETYPE` name) and instruction set for a processor on which
    /// OpenBLAS chose `coreName`: a choice only in place of the generic Prescott kernels.
    static func choice(coreName: String, avx512: Bool, avx2: Bool) -> (core: String, what: String)? {
        guard coreName == "Prescott" else { return nil }
        return avx512 ? ("SkylakeX", "AVX-512") : avx2 ? ("Haswell", "AVX2") : nil
    }
}
