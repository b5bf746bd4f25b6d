/// Why a localiser cannot be made or cannot run on what it was given.
public enum DetectionError: Error, Equatable, Sendable {
    /// The model does not take a square gray image (`width` x `height` x `channels`).
    case modelInputNotSquareGray(width: Int, height: Int, channels: Int)
    /// The model (`outputCount` outputs) is no face / not-face model: one binary head of one
    /// output, optionally followed by a box head (regression, three outputs), and nothing else.
    case modelNotFaceClassifier(outputCount: Int)
    /// No window fits: the frame (`width` x `height`) is smaller than the smallest face searched,
    /// or the face sizes searched are empty.
    case noWindowFits(frameWidth: Int, frameHeight: Int, minimumFaceSize: Int)
    /// The frame (`frameWidth` x `frameHeight`) with this configuration needs more windows
    /// than `limit` (`Localiser.maximumWindowCount`).
    case tooManyWindows(frameWidth: Int, frameHeight: Int, limit: Int)
    /// The first pyramid level (`width` x `height`) has more pixels than `limit`
    /// (`Localiser.maximumLevelPixels`), or its feature maps more than
    /// `Localiser.maximumMapBytes` bytes: the smallest face searched is far below the window.
    case levelTooLarge(width: Int, height: Int, limit: Int)
    /// A configuration value is out of range (`setting`: which one).
    case invalidConfiguration(setting: LocaliserConfiguration.Setting)
    /// The frame has `byteCount` bytes; the localiser was made for `expected` (width x height gray).
    case frameSizeMismatch(expected: Int, byteCount: Int)
    /// The workspace has `byteCount` bytes, fewer than the `needed` `workspaceByteCount`.
    case workspaceTooSmall(needed: Int, byteCount: Int)
    /// `Localiser.scoreLevels` was asked for levels `lower..<upper`, not within `0..<levelCount`.
    case levelsOutOfRange(lower: Int, upper: Int, levelCount: Int)
    /// The score map has `count` floats, fewer than the `needed` `Localiser.scoreMapCount`.
    case scoreMapTooSmall(needed: Int, count: Int)
}
