import FacelyzrDetectionEvaluation
import Testing

@Suite struct DetectionMetricsTests {
    @Test func rocAUCCountsOrderedPairsAndHalfTies() {
        #expect(rocAUC([(0.9, true), (0.8, true), (0.2, false), (0.1, false)]) == 1)
        #expect(rocAUC([(0.1, true), (0.9, false)]) == 0)
        // One face ties one non-face (half), beats the other: (1 + 0.5 + 1 + 1) / 4.
        #expect(rocAUC([(0.5, true), (0.5, false), (0.9, true), (0.2, false)]) == 0.875)
        #expect(rocAUC([(0.5, true)]).isNaN)
    }

    @Test func averagePrecisionByHand() {
        // Perfect: every box a face, every face found.
        #expect(averagePrecision([(0.9, true), (0.8, true)], positives: 2) == 1)
        // TP, FP, TP of 3 faces: precision 1, 1/2, 2/3 at recall 1/3, 1/3, 2/3; the envelope gives
        // 1/3 * 1 + 1/3 * 2/3.
        let ap = averagePrecision([(0.9, true), (0.8, false), (0.7, true)], positives: 3)
        #expect(abs(ap - (1.0 / 3 + 2.0 / 9)) < 1e-12)
        // Order is by score, not by position in the list.
        #expect(averagePrecision([(0.1, false), (0.9, true)], positives: 1) == 1)
        #expect(averagePrecision([], positives: 2) == 0)
        #expect(averagePrecision([(0.5, true)], positives: 0).isNaN)
    }
}
