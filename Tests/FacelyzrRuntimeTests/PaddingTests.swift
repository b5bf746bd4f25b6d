import Testing
@testable import FacelyzrRuntime

@Suite struct PaddingTests {
    @Test func sameMatchesTensorFlow() {
        // 64 wide, 3x3, stride 1: 64 out, 1 before.
        #expect(Padding.same.outputLength(input: 64, kernel: 3, stride: 1) == (64, 1))
        // 64 wide, 3x3, stride 2: ceil(64/2) = 32 out; total = 31*2 + 3 - 64 = 1, before 0.
        #expect(Padding.same.outputLength(input: 64, kernel: 3, stride: 2) == (32, 0))
        // 5 wide, 5x5, stride 1: 5 out, total 4, before 2.
        #expect(Padding.same.outputLength(input: 5, kernel: 5, stride: 1) == (5, 2))
    }

    @Test func validDropsPartialWindows() {
        #expect(Padding.valid.outputLength(input: 64, kernel: 3, stride: 1) == (62, 0))
        #expect(Padding.valid.outputLength(input: 7, kernel: 2, stride: 2) == (3, 0))
        #expect(Padding.valid.outputLength(input: 2, kernel: 3, stride: 1) == (0, 0))
    }
}
