import FacelyzrDetection
import Testing

@Suite struct BoxTests {
    func box(_ x: Float, _ y: Float, _ w: Float, _ h: Float, _ score: Float = 1) -> DetectionBox {
        DetectionBox(x: x, y: y, width: w, height: h, score: score)
    }

    @Test func intersectionOverUnion() {
        #expect(box(10, 10, 20, 20).intersectionOverUnion(box(10, 10, 20, 20)) == 1)
        #expect(box(0, 0, 10, 10).intersectionOverUnion(box(10, 0, 10, 10)) == 0)  // touching edges
        #expect(box(0, 0, 10, 10).intersectionOverUnion(box(50, 50, 10, 10)) == 0)
        // Half of each: 50 / (100 + 100 - 50).
        #expect(box(0, 0, 10, 10).intersectionOverUnion(box(5, 0, 10, 10)) == Float(50) / 150)
        // One inside the other: the small area over the large one.
        #expect(box(0, 0, 20, 20).intersectionOverUnion(box(5, 5, 10, 10)) == Float(100) / 400)
        // Symmetric, and empty boxes overlap nothing.
        #expect(box(3, 4, 10, 7).intersectionOverUnion(box(8, 1, 6, 9)) == box(8, 1, 6, 9).intersectionOverUnion(box(3, 4, 10, 7)))
        #expect(box(0, 0, 0, 0).intersectionOverUnion(box(0, 0, 0, 0)) == 0)
    }

    func suppress(_ boxes: [DetectionBox], threshold: Float) -> [DetectionBox] {
        var copy = boxes
        let kept = copy.withUnsafeMutableBufferPointer { suppressNonMaxima($0.baseAddress!, count: $0.count, overlapThreshold: threshold) }
        return Array(copy.prefix(kept))
    }

    @Test func suppressionKeepsTheBestOfEachCluster() {
        let a1 = box(100, 100, 40, 40, 0.9), a2 = box(104, 102, 40, 40, 0.95), a3 = box(98, 97, 42, 42, 0.7)
        let b = box(10, 10, 30, 30, 0.6)
        // Overlaps a2 a little (IoU about 0.14): kept.
        let c = box(130, 120, 40, 40, 0.8)
        let kept = suppress([a1, b, a3, c, a2], threshold: 0.3)
        #expect(kept == [a2, c, b])
    }

    @Test func suppressionThresholdIsStrict() {
        // IoU exactly 1/3: kept at threshold 1/3 (only overlaps above it suppress), dropped below.
        let first = box(0, 0, 10, 10, 0.9), second = box(5, 0, 10, 10, 0.8)
        let third = first.intersectionOverUnion(second)
        #expect(suppress([second, first], threshold: third) == [first, second])
        #expect(suppress([second, first], threshold: third - 0.01) == [first])
    }

    @Test func containmentDropsBoxesInsideOrAroundABetterOne() {
        let face = box(100, 100, 40, 40, 0.9)
        let part = box(110, 110, 16, 16, 0.8)      // inside: IoU 0.16, all of its area shared
        let around = box(80, 80, 80, 80, 0.7)      // around: IoU 0.25, all of the face's area shared
        let neighbour = box(130, 100, 40, 40, 0.6)  // beside: IoU 0.14, a quarter of its area shared
        #expect(part.intersectionOverSmallerArea(face) == 1 && around.intersectionOverSmallerArea(face) == 1)
        #expect(neighbour.intersectionOverSmallerArea(face) == 0.25)
        var copy = [face, part, around, neighbour]
        let kept = copy.withUnsafeMutableBufferPointer {
            suppressNonMaxima($0.baseAddress!, count: $0.count, overlapThreshold: 0.3, containmentThreshold: 0.7)
        }
        #expect(Array(copy.prefix(kept)) == [face, neighbour])
        // Off (1): IoU alone keeps all four.
        #expect(suppress([face, part, around, neighbour], threshold: 0.3) == [face, part, around, neighbour])
    }

    @Test func suppressionOfNothingAndOne() {
        #expect(suppress([], threshold: 0.3).isEmpty)
        #expect(suppress([box(1, 2, 3, 4, 0.5)], threshold: 0.3) == [box(1, 2, 3, 4, 0.5)])
    }

    @Test func mergingAveragesEachKeptBoxWithTheBoxesItSuppressed() {
        // Two clusters; c overlaps a (IoU 0.38) and b (IoU 0.54): it was suppressed by a, the first
        // kept box in score order that overlaps it, so only a's average takes it.
        let a = box(100, 100, 40, 40, 0.9), a2 = box(108, 100, 40, 40, 0.3)
        let b = box(130, 100, 40, 40, 0.8), c = box(118, 100, 40, 40, 0.6)
        #expect(a.intersectionOverUnion(c) > 0.3 && b.intersectionOverUnion(c) > 0.3 && a.intersectionOverUnion(b) < 0.3)
        var copy = [c, a2, b, a]
        let kept = copy.withUnsafeMutableBufferPointer {
            suppressNonMaxima($0.baseAddress!, count: $0.count, overlapThreshold: 0.3, merging: true)
        }
        #expect(kept == 2)
        // a: (0.9 * 100 + 0.6 * 118 + 0.3 * 108) / 1.8 = 107.33; its score stays 0.9.
        #expect(abs(copy[0].x - 107.333_33) < 1e-3 && copy[0].y == 100 && abs(copy[0].width - 40) < 1e-4 && copy[0].score == 0.9)
        // b suppressed nothing (a2 and c went to a): unchanged.
        #expect(copy[1] == b)
        // Without merging, the same boxes are kept, unchanged.
        #expect(suppress([c, a2, b, a], threshold: 0.3) == [a, b])
    }

    @Test func suppressionSortsEqualScoresStably() {
        let first = box(0, 0, 10, 10, 0.5), second = box(100, 0, 10, 10, 0.5), third = box(200, 0, 10, 10, 0.7)
        #expect(suppress([first, second, third], threshold: 0.3) == [third, first, second])
    }
}
