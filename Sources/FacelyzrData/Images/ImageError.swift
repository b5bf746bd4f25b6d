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
    /// The decoder would need more working memory than `ImageLimits.maxDecoderMemory`
    /// (a progressive JPEG keeps 2 bytes per pixel and colour component until its last scan).
    case overMemoryLimit(file: String, limit: Int)
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
        case let .overMemoryLimit(file, limit):
            "\(file): decoding needs more than the decoder memory limit of \(limit >> 20) MiB (\(limit) bytes)"
        case let .unencodable(reason): "cannot encode the image: \(reason)"
        case let .unwritable(file, reason): "\(file): cannot write the image: \(reason)"
        }
    }
}

/// What a decode may use: the largest image (checked on the header, before any allocation)
/// and the decoder's working memory beside the pixels. The reasons for the standard values
/// are in docs/limits.md.
public struct ImageLimits: Equatable, Sendable {
    /// Largest width and largest height.
    public var maxSide: Int
    /// Largest width x height.
    public var maxPixels: Int
    /// Largest working memory of the decoder beside the returned pixels, in bytes: the
    /// whole-image coefficient buffers of progressive and multi-scan JPEGs (libjpeg-turbo's
    /// `max_memory_to_use`). Baseline JPEGs and PNGs need only a few rows.
    public var maxDecoderMemory: Int

    public init(maxSide: Int, maxPixels: Int, maxDecoderMemory: Int = 256 << 20) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
        self.maxDecoderMemory = maxDecoderMemory
    }

    /// 16,384 per side, 64 M pixels, 256 MiB of decoder memory.
    public static let standard = ImageLimits(maxSide: 16_384, maxPixels: 64 << 20)
}
