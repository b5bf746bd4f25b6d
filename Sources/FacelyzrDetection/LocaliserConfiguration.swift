/// What the localiser searches and how it decides (docs/detection.md "Localiser").
public struct LocaliserConfiguration: Sendable, Equatable {
    /// Smallest face searched: side of the first pyramid level's window in frame pixels.
    public var minimumFaceSize: Int
    /// Largest face searched (nil: the frame's shorter side).
    public var maximumFaceSize: Int?
    /// Each pyramid level searches faces this factor larger than the one before (> 1).
    public var scaleStep: Float
    /// Window step, in pixels of the pyramid level (so in frame pixels it grows with the face).
    /// Default 8, a third of the window, the cell step of the shipped model's convolutions: its
    /// box head places the face from a window that far off, and on the held-out photo scenes it
    /// keeps AP at IoU 0.5 within 0.013 of step 4's with a quarter of the windows
    /// (docs/detection.md "Localiser").
    public var stride: Int
    /// Windows whose face probability reaches this are candidates (0 < threshold < 1). Default
    /// 0.95: the highest threshold at which the shipped model keeps 97% recall on the held-out
    /// photo scenes (1.14 boxes per face there; docs/detection.md "Held-out validation").
    public var scoreThreshold: Float
    /// Non-maximum suppression drops a candidate overlapping a better one by more than this IoU.
    /// Default 0.2 with merging: on the held-out photo scenes it gives the best AP at IoU 0.5 and
    /// the fewest boxes per face of the rules tried (docs/detection.md "Non-maximum suppression").
    public var overlapThreshold: Float
    /// ... or sharing more than this fraction of the smaller box's area with it (1: off).
    public var containmentThreshold: Float
    /// Each kept box becomes the score-weighted average of itself and the boxes it suppressed
    /// (default on: the neighbouring windows of a face agree on it better than the best one alone).
    public var mergesSuppressed: Bool
    /// Candidates kept before suppression (the best ones when more windows pass).
    public var candidateCapacity: Int

    public init(minimumFaceSize: Int = 28, maximumFaceSize: Int? = nil, scaleStep: Float = 1.25, stride: Int = 8,
                scoreThreshold: Float = 0.95, overlapThreshold: Float = 0.2, containmentThreshold: Float = 1,
                mergesSuppressed: Bool = true, candidateCapacity: Int = 1024) {
        self.minimumFaceSize = minimumFaceSize
        self.maximumFaceSize = maximumFaceSize
        self.scaleStep = scaleStep
        self.stride = stride
        self.scoreThreshold = scoreThreshold
        self.overlapThreshold = overlapThreshold
        self.containmentThreshold = containmentThreshold
        self.mergesSuppressed = mergesSuppressed
        self.candidateCapacity = candidateCapacity
    }

    /// The largest `stride`: the largest picture side (`ImageLimits`), past which a level holds
    /// one window a row; the bound keeps `x + stride` far from overflowing on 32-bit boards
    /// (`Int.max` wrapped to a negative offset and read outside the level).
    public static let maximumStride = 16_384

    /// A setting, named in `DetectionError.invalidConfiguration`.
    public enum Setting: Sendable, Equatable {
        case minimumFaceSize, maximumFaceSize, scaleStep, stride, scoreThreshold, overlapThreshold, containmentThreshold, candidateCapacity
    }

    /// The first setting out of range, or nil.
    public var invalidSetting: Setting? {
        if minimumFaceSize < 1 { return .minimumFaceSize }
        if let m = maximumFaceSize, m < minimumFaceSize { return .maximumFaceSize }
        if !(scaleStep > 1 && scaleStep <= 4) { return .scaleStep }
        if stride < 1 || stride > Self.maximumStride { return .stride }
        if !(scoreThreshold > 0 && scoreThreshold < 1) { return .scoreThreshold }
        if !(overlapThreshold >= 0 && overlapThreshold <= 1) { return .overlapThreshold }
        if !(containmentThreshold >= 0 && containmentThreshold <= 1) { return .containmentThreshold }
        if candidateCapacity < 1 { return .candidateCapacity }
        return nil
    }
}
