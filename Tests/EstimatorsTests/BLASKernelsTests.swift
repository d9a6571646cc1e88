import Foundation
import Testing
@testable import Estimators

/// The note for OpenBLAS's generic kernels on a processor it does not know.
@Suite struct BLASKernelsTests {
    @Test func genericKernelsOnAWideProcessorNameTheCoreTypeThatFitsIt() throws {
        let avx512 = try #require(BLASKernels.advice(coreName: "Prescott", avx512: true, avx2: true))
        #expect(avx512.hasPrefix("note: OpenBLAS runs its generic Prescott kernels"))
        #expect(avx512.contains("export OPENBLAS_CORETYPE=SkylakeX"))
        #expect(!avx512.contains("\n"))
        let avx2 = try #require(BLASKernels.advice(coreName: "Prescott", avx512: false, avx2: true))
        #expect(avx2.contains("export OPENBLAS_CORETYPE=Haswell"))
    }

    @Test func chosenKernelsOrAnOldProcessorNeedNoNote() {
        #expect(BLASKernels.advice(coreName: "SkylakeX", avx512: true, avx2: true) == nil)
        #expect(BLASKernels.advice(coreName: "Zen", avx512: false, avx2: true) == nil)
        #expect(BLASKernels.advice(coreName: "Prescott", avx512: false, avx2: false) == nil)
    }

    /// The live values: the library names its kernels, and OPENBLAS_CORETYPE (which the tests
    /// may run under) is what it obeys, so a named core type is never "advised" against itself.
    @Test func theLibraryNamesItsKernels() {
        #expect(!BLASKernels.coreName.isEmpty)
        if let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], forced.lowercased() == "skylakex" {
            #expect(BLASKernels.advice() == nil)
        }
        if BLASKernels.coreName != "Prescott" { #expect(BLASKernels.advice() == nil) }
    }
}
