/// A box the localiser found: a square window of the frame, in frame pixels (`x`, `y` its
/// top-left corner), and its face probability.
public struct DetectionBox: Sendable, Equatable {
    public var x: Float
    public var y: Float
    public var width: Float
    public var height: Float
    /// Probability that the window shows a face (the model's sigmoid, docs/quantization.md "Heads").
    public var score: Float

    public init(x: Float, y: Float, width: Float, height: Float, score: Float) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.score = score
    }

    /// Area of the box (0 if it is empty).
    public var area: Float { max(0, width) * max(0, height) }

    /// Area shared with `other` (0 when they do not overlap).
    public func intersectionArea(_ other: DetectionBox) -> Float {
        let w = min(x + width, other.x + other.width) - max(x, other.x)
        let h = min(y + height, other.y + other.height) - max(y, other.y)
        return w > 0 && h > 0 ? w * h : 0
    }

    /// Intersection over union with `other`: the shared area over the area covered by either
    /// box; 0 when they do not overlap or both are empty (docs/detection.md "Localiser").
    public func intersectionOverUnion(_ other: DetectionBox) -> Float {
        let intersection = intersectionArea(other)
        guard intersection > 0 else { return 0 }
        return intersection / (area + other.area - intersection)
    }

    /// The shared area over the smaller box's area: 1 when one box lies inside the other; 0 when
    /// they do not overlap.
    public func intersectionOverSmallerArea(_ other: DetectionBox) -> Float {
        let intersection = intersectionArea(other)
        guard intersection > 0 else { return 0 }
        return intersection / min(area, other.area)
    }
}
