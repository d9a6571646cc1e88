@testable import Estimators
import Testing

/// The two window layouts of the 1-D KSG fast path (KSGJointNeighbours.swift): every window
/// laid out at once (up to `materializedWindowLimit` samples) or merged from its strips one at
/// a time (above it). Both must give brute force's value bit for bit.
struct KSGWindowLayoutTests {
    func ksg(_ x: [Double], _ y: [Double], k: Int, merge: Bool, kernels: SIMDKernels = .best,
             workspace: KSGWorkspace) -> Double {
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                workspace.ksg(px.baseAddress!, py.baseAddress!, count: x.count, k: k, mergeWindows: merge, kernels: kernels)
            }
        }
    }

    /// The walk and counts of the portable Swift path and of each set of CIntrinsics' kernels
    /// this processor runs (AVX2: four queries a walk; AVX-512: eight; k = 4 and 5).
    static let paths = SIMDKernels.runnable

    /// Each path in each layout equals brute force bit for bit: tiny samples (a window that is
    /// the whole sample, incomplete groups of queries), ties, heavy tails and escapes.
    @Test(arguments: [4, 5], paths)
    func bothPathsEqualBruteForce(k: Int, kernels: SIMDKernels) {
        let workspace = KSGWorkspace()
        for n in [k + 1, k + 2, k + 3, k + 7, k + 9, 23, 150, 1200] {
            for (name, x, y) in pairedFixtures(n: n, seed: 5 * n + k) {
                let brute = BruteForce.ksg(x: x, y: y, k: k)
                for merge in [false, true] {
                    let fast = ksg(x, y, k: k, merge: merge, kernels: kernels, workspace: workspace)
                    #expect(fast == brute, "\(name), n = \(n), k = \(k), merged \(merge), \(kernels): \(fast) ≠ \(brute)")
                }
            }
        }
    }

    @Test func everyPathAgreesOnALargeSample() {
        let workspace = KSGWorkspace()
        for (name, x, y) in pairedFixtures(n: 30_000, seed: 9) {
            for merge in [false, true] {
                let portable = ksg(x, y, k: 5, merge: merge, kernels: .portable, workspace: workspace)
                for kernels in SIMDKernels.runnable.dropFirst() {
                    let value = ksg(x, y, k: 5, merge: merge, kernels: kernels, workspace: workspace)
                    #expect(portable == value, "\(name), merged \(merge): portable \(portable), \(kernels) \(value)")
                }
            }
        }
    }

    @Test(arguments: [1, 3, 5, 10])
    func mergedWindowsEqualBruteForce(k: Int) {
        let workspace = KSGWorkspace()
        for n in [k + 1, k + 2, 23, 150, 1200] {
            for (name, x, y) in pairedFixtures(n: n, seed: 3 * n + k) {
                let merged = ksg(x, y, k: k, merge: true, workspace: workspace)
                let brute = BruteForce.ksg(x: x, y: y, k: k)
                #expect(merged == brute, "\(name), n = \(n), k = \(k): merged windows \(merged), brute force \(brute)")
            }
        }
    }

    @Test func layoutsAgreeOnALargeSample() {
        // Many strips and escapes in every direction; brute force would take minutes here.
        let workspace = KSGWorkspace()
        for (name, x, y) in pairedFixtures(n: 30_000, seed: 8) where ["correlated", "rounded", "cauchy"].contains(name) {
            let merged = ksg(x, y, k: 5, merge: true, workspace: workspace)
            let laidOut = ksg(x, y, k: 5, merge: false, workspace: workspace)
            #expect(merged == laidOut, "\(name): merged windows \(merged), laid out \(laidOut)")
        }
    }

    @Test func theLimitChoosesTheLayout() {
        // Above the limit the public entry point merges; the value is the same either way.
        let n = KSGWorkspace.materializedWindowLimit + 1
        let (x, y) = Fixtures.gaussianPair(n: n, rho: 0.5, seed: 12)
        let workspace = KSGWorkspace()
        let automatic = fastKSG(x, y, k: 5, workspace: workspace)
        #expect(automatic == ksg(x, y, k: 5, merge: true, workspace: workspace))
        #expect(automatic == ksg(x, y, k: 5, merge: false, workspace: workspace))
    }
}
