import Foundation
@testable import FacelyzrData

/// Helpers that write dataset fixtures in the datasets' real layouts.
enum Fixtures {
    /// An RGB image filled with `color`, with an optional rectangle of `inner` colour.
    static func image(width: Int, height: Int, color: [UInt8],
                      inner: (x: Int, y: Int, width: Int, height: Int, color: [UInt8])? = nil) -> Image {
        var image = Image(width: width, height: height, channels: 3)
        for y in 0..<height {
            for x in 0..<width {
                var pixel = color
                if let inner, x >= inner.x, x < inner.x + inner.width, y >= inner.y, y < inner.y + inner.height {
                    pixel = inner.color
                }
                image.pixels.replaceSubrange((y * width + x) * 3..<(y * width + x) * 3 + 3, with: pixel)
            }
        }
        return image
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func writeJPEG(_ image: Image, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try image.write(jpeg: path, quality: 95)
    }

    /// A file that starts like a JPEG and stops after a third of it.
    static func writeTruncatedJPEG(to path: String) throws {
        let bytes = try image(width: 40, height: 40, color: [9, 9, 9]).jpegData()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes.prefix(bytes.count / 3)).write(to: URL(fileURLWithPath: path))
    }

    /// The mean of each channel of an image.
    static func meanColor(_ image: Image) -> [Double] {
        (0..<image.channels).map { c in
            var sum = 0.0
            for i in stride(from: c, to: image.pixels.count, by: image.channels) { sum += Double(image.pixels[i]) }
            return sum / Double(image.width * image.height)
        }
    }

    static func isClose(_ color: [Double], to expected: [UInt8], tolerance: Double = 12) -> Bool {
        zip(color, expected).allSatisfy { abs($0 - Double($1)) <= tolerance }
    }
}
