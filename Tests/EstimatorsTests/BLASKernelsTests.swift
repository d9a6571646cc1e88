import Foundation
import Testing
@testable import Estimators

/// The kernels chosen in place of OpenBLAS's generic ones on a processor it does not know.
@Suite struct BLASKernelsTests {
    @Test func genericKernelsOnAWideProcessorGiveWayToTheKernelsOfItsFamily() throws {
        let avx512 = try #require(BLASKernels.choice(coreName: "Prescott", avx512: true, avx2: true))
        #expect(avx512.core == "SkylakeX" && avx512.what == "AVX-512")
        let avx2 = try #require(BLASKernels.choice(coreName: "Prescott", avx512: false, avx2: true))
        #expect(avx2.core == "Haswell" && avx2.what == "AVX2")
    }

    @Test func openBLASsOwnChoiceStandsWhereItKnowsTheProcessorOrItIsOld() {
        #expect(BLASKernels.choice(coreName: "SkylakeX", avx512: true, avx2: true) == nil)
        #expect(BLASKernels.choice(coreName: "Zen", avx512: false, avx2: true) == nil)
        #expect(BLASKernels.choice(coreName: "Prescott", avx512: false, avx2: false) == nil)
    }

    /// The live library names its kernels; the test process itself does not choose (only
    /// `infoplane`'s start-up does), so it has no note.
    @Test func theLibraryNamesItsKernels() {
        #expect(!BLASKernels.coreName.isEmpty)
        #expect(BLASKernels.note == nil)
    }
}
