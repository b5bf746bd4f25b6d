/// Greedy non-maximum suppression, in place (docs/detection.md "Non-maximum suppression").
///
/// Sorts `boxes[0..<count]` by score, highest first (ties keep their order), then walks them:
/// a box is kept unless, with a box already kept, its intersection over union exceeds
/// `overlapThreshold` or their intersection covers more than `containmentThreshold` of the
/// smaller box's area (a window around a better face box, or a part of one; at 1 this test is off).
/// With `merging`, each kept box then becomes the score-weighted average (corners and sides) of
/// itself and the boxes it suppressed (the first kept box overlapping a suppressed one, in score
/// order, is the one that suppressed it), keeping its own score. The kept boxes end up in
/// `boxes[0..<result]`, highest score first. Allocation-free: an insertion sort in the caller's
/// buffer; suppressed boxes are swapped behind the kept ones, where merging reads them.
public func suppressNonMaxima(
    _ boxes: UnsafeMutablePointer<DetectionBox>, count: Int, overlapThreshold: Float, containmentThreshold: Float = 1,
    merging: Bool = false
) -> Int {
    guard count > 1 else { return max(0, count) }
    for i in 1..<count {
        let box = boxes[i]
        var j = i
        while j > 0 && boxes[j - 1].score < box.score {
            boxes[j] = boxes[j - 1]
            j -= 1
        }
        boxes[j] = box
    }
    /// Whether `a` suppresses `b`.
    func suppresses(_ a: DetectionBox, _ b: DetectionBox) -> Bool {
        a.intersectionOverUnion(b) > overlapThreshold
            || (containmentThreshold < 1 && a.intersectionOverSmallerArea(b) > containmentThreshold)
    }
    var kept = 0
    for i in 0..<count {
        let candidate = boxes[i]
        var suppressed = false
        for k in 0..<kept where suppresses(boxes[k], candidate) {
            suppressed = true
            break
        }
        if !suppressed {
            boxes[i] = boxes[kept]
            boxes[kept] = candidate
            kept += 1
        }
    }
    guard merging else { return kept }
    // Last kept box first: the boxes before it, which decide whom it suppressed, are unchanged.
    var k = kept - 1
    while k >= 0 {
        let box = boxes[k]
        var weight = box.score
        var (x, y, width, height) = (box.score * box.x, box.score * box.y, box.score * box.width, box.score * box.height)
        for s in kept..<count where suppresses(box, boxes[s]) {
            var earlier = false
            for j in 0..<k where suppresses(boxes[j], boxes[s]) {
                earlier = true
                break
            }
            guard !earlier else { continue }
            let other = boxes[s]
            weight += other.score
            x += other.score * other.x
            y += other.score * other.y
            width += other.score * other.width
            height += other.score * other.height
        }
        boxes[k] = DetectionBox(x: x / weight, y: y / weight, width: width / weight, height: height / weight, score: box.score)
        k -= 1
    }
    return kept
}
