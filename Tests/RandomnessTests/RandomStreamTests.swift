import Testing
@testable import Randomness

@Suite struct PhiloxTests {
    // Known-answer vectors from Random123's kat_vectors for philox4x32_10.
    @Test func knownAnswerVectors() {
        let zero = Philox4x32.block(counter: (0, 0, 0, 0), key: (0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8])
        let ones = Philox4x32.block(counter: (.max, .max, .max, .max), key: (.max, .max))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408F_276D, 0x41C8_3B0E, 0xA20B_C7C6, 0x6D54_51FD])
        let pi = Philox4x32.block(counter: (0x243F_6A88, 0x85A3_08D3, 0x1319_8A2E, 0x0370_7344),
                                  key: (0xA409_3822, 0x299F_31D0))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xD16C_FE09, 0x94FD_CCEB, 0x5001_E420, 0x2412_6EA1])
    }
}

@Suite struct RandomStreamTests {
    @Test func valueAtIndexIsIndependentOfDrawOrder() {
        var sequential = RandomStream(seed: 42, purpose: "projection", 3, 17)
        var values: [UInt32] = []
        for _ in 0..<40 { values.append(sequential.nextUInt32()) }
        // Jump straight to block 7 from a fresh stream.
        let direct = RandomStream(seed: 42, purpose: "projection", 3, 17).block(at: 7)
        #expect([direct.0, direct.1, direct.2, direct.3] == Array(values[28..<32]))
    }

    @Test func streamsDifferBySeedPurposeAndIndex() {
        let a = RandomStream.streamID("projection", [1, 2])
        #expect(a == RandomStream.streamID("projection", [1, 2]))
        #expect(a != RandomStream.streamID("projection", [2, 1]))
        #expect(a != RandomStream.streamID("init", [1, 2]))
        var s1 = RandomStream(seed: 1, stream: a)
        var s2 = RandomStream(seed: 2, stream: a)
        #expect(s1.nextUInt64() != s2.nextUInt64())
    }

    @Test func uniformAndGaussianMoments() {
        var stream = RandomStream(seed: 7, purpose: "moments")
        let n = 200_000
        var sum = 0.0, sumSq = 0.0, uSum = 0.0
        for _ in 0..<n {
            let u = stream.nextUniform()
            #expect(u > 0 && u < 1)
            uSum += u
            let g = stream.nextGaussian()
            sum += g
            sumSq += g * g
        }
        #expect(abs(uSum / Double(n) - 0.5) < 0.005)
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs(sumSq / Double(n) - 1) < 0.015)
    }

    @Test func boundedIntegersAndPermutations() {
        var stream = RandomStream(seed: 9, purpose: "ints")
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[stream.nextInt(below: 6)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
        let perm = stream.permutation(of: 1000)
        #expect(perm.sorted() == Array(0..<1000))
        #expect(perm != Array(0..<1000))
    }
}
