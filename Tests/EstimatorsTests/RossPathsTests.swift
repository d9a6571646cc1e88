@testable import Estimators
import Testing

/// Ross's estimator through the portable Swift path and, where this processor runs them,
/// CIntrinsics' AVX2 kernels (per-class k-th distances four windows a compare, and the counts):
/// each equal to brute force bit for bit, for every k the per-class distance takes (odd, even,
/// and larger than small classes allow).
struct RossPathsTests {
    static let paths = AVX2.available ? [false, true] : [false]

    @Test(arguments: [1, 2, 3, 4, 5, 6, 10], paths)
    func bothPathsEqualBruteForce(k: Int, vectorized: Bool) {
        let workspace = KSGWorkspace()
        for n in [4, 9, 60, 400, 1500] {
            for (name, x, labels) in labelledFixtures(n: n, seed: n * 11 + k) where estimable(labels) {
                let fast = x.withUnsafeBufferPointer { px in
                    labels.withUnsafeBufferPointer { pl in
                        workspace.ross(px.baseAddress!, pl.baseAddress!, count: n, k: k, vectorized: vectorized)
                    }
                }
                let brute = BruteForce.ross(x: x, labels: labels, k: k)
                #expect(fast == brute, "\(name), n = \(n), k = \(k), AVX2 \(vectorized): \(fast) ≠ \(brute)")
            }
        }
    }
}
