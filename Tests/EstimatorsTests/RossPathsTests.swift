@testable import Estimators
import Testing

/// Ross's estimator through the portable Swift path and each set of CIntrinsics' kernels this
/// processor runs (per-class k-th distances four windows a compare by AVX2, eight entries a
/// register by AVX-512; the counts by either):
/// each equal to brute force bit for bit, for every k the per-class distance takes (odd, even,
/// and larger than small classes allow).
struct RossPathsTests {
    static let paths = SIMDKernels.runnable

    @Test(arguments: [1, 2, 3, 4, 5, 6, 10], paths)
    func bothPathsEqualBruteForce(k: Int, kernels: SIMDKernels) {
        let workspace = KSGWorkspace()
        for n in [4, 9, 60, 400, 1500] {
            for (name, x, labels) in labelledFixtures(n: n, seed: n * 11 + k) where estimable(labels) {
                let fast = x.withUnsafeBufferPointer { px in
                    labels.withUnsafeBufferPointer { pl in
                        workspace.ross(px.baseAddress!, pl.baseAddress!, count: n, k: k, kernels: kernels)
                    }
                }
                let brute = BruteForce.ross(x: x, labels: labels, k: k)
                #expect(fast == brute, "\(name), n = \(n), k = \(k), \(kernels): \(fast) ≠ \(brute)")
            }
        }
    }
}
