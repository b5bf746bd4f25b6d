import CImageIO
import FacelyzrFiles

/// Decoding PNG and JPEG files into `Image`s and encoding `Image`s as PNG or JPEG, through
/// the CImageIO shim over libpng and libjpeg-turbo.
extension Image {
    /// The file formats the codec reads and writes.
    public enum FileFormat: Sendable {
        case png, jpeg

        /// The format announced by the first bytes, or nil.
        public static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> FileFormat? {
            if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
            if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
            return nil
        }
    }

    /// Reads and decodes a PNG or JPEG file (the format is taken from its first bytes).
    public static func decode(file path: String, limits: ImageLimits = .standard) throws(ImageError) -> Image {
        let bytes: [UInt8]
        do {
            bytes = try ReadOnlyFile.readAll(path: path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        return try decode(data: bytes, name: path, limits: limits)
    }

    /// Decodes a PNG or JPEG held in memory; `name` is used in errors.
    /// The result is 8-bit gray (1 channel) or RGB (3 channels), as the file stores it.
    public static func decode(data: [UInt8], name: String, limits: ImageLimits = .standard) throws(ImageError) -> Image {
        guard let format = FileFormat.sniff(data) else { throw .notAnImage(file: name) }
        var decoded = fz_image()
        let cLimits = fz_limits(max_side: UInt32(clamping: limits.maxSide), max_pixels: UInt64(clamping: limits.maxPixels),
                                max_decoder_bytes: UInt64(clamping: max(1, limits.maxDecoderMemory)))
        let status = data.withUnsafeBufferPointer { buffer in
            switch format {
            case .png: fz_png_decode(buffer.baseAddress, buffer.count, cLimits, &decoded)
            case .jpeg: fz_jpeg_decode(buffer.baseAddress, buffer.count, cLimits, &decoded)
            }
        }
        defer { fz_free(decoded.pixels) }
        let detail = message(of: &decoded.message)
        switch status {
        case FZ_OK:
            let count = Int(decoded.width) * Int(decoded.height) * Int(decoded.channels)
            let pixels = [UInt8](UnsafeBufferPointer(start: decoded.pixels, count: count))
            return Image(width: Int(decoded.width), height: Int(decoded.height),
                         channels: Int(decoded.channels), pixels: pixels)
        case FZ_WRONG_FORMAT: throw .notAnImage(file: name)
        case FZ_TRUNCATED: throw .truncated(file: name, detail: detail)
        case FZ_TOO_LARGE:
            throw .tooLarge(file: name, width: Int(decoded.width), height: Int(decoded.height), limits: limits)
        case FZ_OUT_OF_MEMORY: throw .outOfMemory(file: name)
        case FZ_OVER_MEMORY_LIMIT: throw .overMemoryLimit(file: name, limit: limits.maxDecoderMemory)
        default: throw .corrupt(file: name, detail: detail)
        }
    }

    /// The image encoded as a PNG file (gray or RGB, 8 bits).
    public func pngData() throws(ImageError) -> [UInt8] {
        try encode { pixels, buffer in
            fz_png_encode(pixels, UInt32(width), UInt32(height), UInt32(channels), &buffer)
        }
    }

    /// The image encoded as a baseline JPEG file with `quality` in 1...100.
    public func jpegData(quality: Int = 90) throws(ImageError) -> [UInt8] {
        try encode { pixels, buffer in
            fz_jpeg_encode(pixels, UInt32(width), UInt32(height), UInt32(channels), Int32(clamping: quality), &buffer)
        }
    }

    /// Writes the image as a PNG file, atomically.
    public func write(png path: String) throws(ImageError) {
        try write(pngData(), to: path)
    }

    /// Writes the image as a JPEG file, atomically.
    public func write(jpeg path: String, quality: Int = 90) throws(ImageError) {
        try write(jpegData(quality: quality), to: path)
    }

    private func write(_ bytes: [UInt8], to path: String) throws(ImageError) {
        do {
            try AtomicFileWriter.write(bytes, to: path)
        } catch {
            throw .unwritable(file: path, reason: error.reason)
        }
    }

    private func encode(_ body: (UnsafePointer<UInt8>?, inout fz_buffer) -> fz_status) throws(ImageError) -> [UInt8] {
        guard width <= Int(UInt32.max), height <= Int(UInt32.max) else {
            throw .unencodable(reason: "\(width)x\(height) is too large to encode")
        }
        var buffer = fz_buffer()
        let status = pixels.withUnsafeBufferPointer { body($0.baseAddress, &buffer) }
        defer { fz_free(buffer.bytes) }
        guard status == FZ_OK else {
            throw .unencodable(reason: "\(Self.message(of: &buffer.message)) (\(width)x\(height)x\(channels))")
        }
        return [UInt8](UnsafeBufferPointer(start: buffer.bytes, count: buffer.count))
    }

    /// The C message buffer as a Swift string.
    private static func message<T>(of tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
