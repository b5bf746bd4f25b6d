/// Greedy non-maximum suppression, in place (docs/detection.md "Non-maximum suppression").
///
/// Sorts `boxes[0..<count]` by score, highest first (ties keep their order), then walks them:
/// a box is kept unless, with a box already kept, its intersection over union exceeds
/// `overlapThreshold` or their intersection covers more than `containmentThreshold` of the
/// smaller box's area (a window around a better face box, or a part of one; at 1 this test is off).
/// The kept boxes end up in `boxes[0..<result]`, highest score first. Allocation-free: an
/// insertion sort in the caller's buffer.
public func suppressNonMaxima(
    _ boxes: UnsafeMutablePointer<DetectionBox>, count: Int, overlapThreshold: Float, containmentThreshold: Float = 1
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
    var kept = 0
    for i in 0..<count {
        let candidate = boxes[i]
        var suppressed = false
        for k in 0..<kept
        where boxes[k].intersectionOverUnion(candidate) > overlapThreshold
            || (containmentThreshold < 1 && boxes[k].intersectionOverSmallerArea(candidate) > containmentThreshold) {
            suppressed = true
            break
        }
        if !suppressed {
            boxes[kept] = candidate
            kept += 1
        }
    }
    return kept
}
