import CIntrinsics

/// Whether this processor runs the AVX2 kernels of CIntrinsics (checked once, by CPUID and the
/// OS's saved register state). The build targets plain x86-64; where this is false, or on other
/// architectures, the portable Swift paths run, with the same results.
enum AVX2 {
    static let available = infoplane_has_avx2() != 0
}
