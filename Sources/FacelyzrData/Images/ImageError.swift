/// Why an image could not be read or written. Every case names the file (or the name the
/// caller gave to bytes in memory).
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The bytes are neither a PNG nor a JPEG.
    case notAnImage(file: String)
    /// The data ends before the image does.
    case truncated(file: String, detail: String)
    /// The decoder rejected the data.
    case corrupt(file: String, detail: String)
    /// The header declares more pixels than `ImageLimits` allow (checked before allocating).
    case tooLarge(file: String, width: Int, height: Int, limits: ImageLimits)
    /// Memory for the pixels could not be allocated.
    case outOfMemory(file: String)
    /// The image cannot be encoded in the requested format (for example 2 channels).
    case unencodable(reason: String)
    /// The encoded file could not be written.
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the image: \(reason)"
        case let .notAnImage(file): "\(file): not a PNG or JPEG file"
        case let .truncated(file, detail): "\(file): truncated image (\(detail))"
        case let .corrupt(file, detail): "\(file): corrupt image (\(detail))"
        case let .tooLarge(file, width, height, limits):
            "\(file): image too large, \(width)x\(height) (limit \(limits.maxSide) per side, \(limits.maxPixels) pixels)"
        case let .outOfMemory(file): "\(file): out of memory while decoding"
        case let .unencodable(reason): "cannot encode the image: \(reason)"
        case let .unwritable(file, reason): "\(file): cannot write the image: \(reason)"
        }
    }
}

/// The largest image a decoder accepts; checked on the header, before any allocation.
public struct ImageLimits: Equatable, Sendable {
    public var maxSide: Int
    public var maxPixels: Int

    public init(maxSide: Int, maxPixels: Int) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
    }

    /// 16,384 per side and 64 M pixels.
    public static let standard = ImageLimits(maxSide: 16_384, maxPixels: 64 << 20)
}
