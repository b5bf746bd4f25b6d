import FacelyzrRandom
import Testing
@testable import FacelyzrData

/// Damaged files: every cut and many flipped bytes give a typed error, never a crash.
@Suite struct ImageCodecFuzzTests {
    static let image = ImageCodecTests.gradient(width: 24, height: 16, channels: 3)

    @Test func everyTruncatedPNGIsATypedError() throws {
        let png = try Self.image.pngData()
        for cut in 0..<png.count {
            let damaged = Array(png[..<cut])
            #expect(throws: ImageError.self, "cut at \(cut)") { try Image.decode(data: damaged, name: "cut.png") }
        }
    }

    @Test func truncationIsReportedAsTruncated() throws {
        let png = try Self.image.pngData()
        #expect {
            try Image.decode(data: Array(png.dropLast(20)), name: "t.png")
        } throws: { error in
            if case .truncated(file: "t.png", _) = error as? ImageError { return true }
            return false
        }
        let jpeg = try Self.image.jpegData()
        #expect {
            try Image.decode(data: Array(jpeg.dropLast(jpeg.count / 3)), name: "t.jpg")
        } throws: { error in
            if case .truncated(file: "t.jpg", _) = error as? ImageError { return true }
            return false
        }
    }

    @Test func everyTruncatedJPEGIsATypedError() throws {
        let jpeg = try Self.image.jpegData()
        for cut in 0..<jpeg.count {
            let damaged = Array(jpeg[..<cut])
            #expect(throws: ImageError.self, "cut at \(cut)") { try Image.decode(data: damaged, name: "cut.jpg") }
        }
    }

    @Test func everyFlippedPNGByteIsCaught() throws {
        let png = try Self.image.pngData()
        for position in 0..<png.count {
            var damaged = png
            damaged[position] ^= 0x5A
            // Every chunk here is critical and CRC-checked, so any change is detected.
            #expect(throws: ImageError.self, "flip at \(position)") { try Image.decode(data: damaged, name: "flip.png") }
        }
    }

    @Test func flippedJPEGBytesDecodeOrFailTyped() throws {
        let jpeg = try Self.image.jpegData()
        var generator = SplitMix64(state: 7)
        var failures = 0
        for position in 0..<jpeg.count {
            for _ in 0..<3 {
                var damaged = jpeg
                damaged[position] ^= UInt8.random(in: 1...255, using: &generator)
                do {
                    let decoded = try Image.decode(data: damaged, name: "flip.jpg")
                    #expect(decoded.pixels.count == decoded.width * decoded.height * decoded.channels)
                } catch {
                    failures += 1
                }
            }
        }
        // Entropy-coded data has no checksum, so some flips decode to other pixels; many must fail.
        #expect(failures > jpeg.count / 2)
    }

    @Test func randomBytesAfterASignatureAreTypedErrors() {
        var generator = SplitMix64(state: 11)
        let signatures: [[UInt8]] = [[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], [0xFF, 0xD8, 0xFF]]
        for round in 0..<400 {
            let count = Int.random(in: 0...300, using: &generator)
            let noise = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let bytes = signatures[round % 2] + noise
            #expect(throws: ImageError.self, "round \(round)") { try Image.decode(data: bytes, name: "noise") }
        }
    }

    @Test func headerFieldsSetToExtremesAreTypedErrors() throws {
        let png = try Self.image.pngData()
        // IHDR's width and height live at bytes 16..<24; libpng rejects 0 and > 2^31 - 1.
        for value: UInt32 in [0, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF] {
            var damaged = png
            let big = PNGBuilder.bigEndian(value)
            damaged.replaceSubrange(16..<20, with: big)
            damaged.replaceSubrange(29..<33, with: PNGBuilder.bigEndian(PNGBuilder.crc32(Array(damaged[12..<29]))))
            #expect(throws: ImageError.self, "width \(value)") { try Image.decode(data: damaged, name: "w.png") }
        }
    }
}
