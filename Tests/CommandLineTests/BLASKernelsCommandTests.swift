import Foundation
import Testing

/// The kernels `infoplane` runs OpenBLAS with (`bench gemm` names them): OpenBLAS's own choice,
/// or on a processor the library predates, the kernels of the processor's family in place of its
/// generic ones, chosen at start-up; a user's `OPENBLAS_CORETYPE` always decides.
@Suite struct BLASKernelsCommandTests {
    private func kernels(_ environment: [String: String] = [:]) throws -> String {
        let result = try infoplane("bench", "gemm", "--width", "64", "--seconds", "0.01", environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(json?["blas_kernels"] as? String)
    }

    @Test func aProcessorWithAVX2OrAVX512NeverRunsTheGenericKernels() throws {
        // A core type in the tests' own environment would decide instead (the next test).
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flagsLine = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let flags = Set(flagsLine.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "\t" }).map(String.init))
        let wide = ["avx2", "fma"].allSatisfy(flags.contains)
        let chosen = try kernels()
        #expect(!chosen.isEmpty)
        if wide { #expect(chosen != "Prescott", "OpenBLAS's generic kernels on a processor with AVX2 and FMA") }
    }

    @Test func theUsersCoreTypeIsObeyed() throws {
        #expect(try kernels(["OPENBLAS_CORETYPE": "Prescott"]) == "Prescott")
        #expect(try kernels(["OPENBLAS_CORETYPE": "Haswell"]) == "Haswell")
    }
}
