import Foundation
import Testing
@testable import FacelyzrData

@Suite struct ImageCodecTests {
    static func gradient(width: Int, height: Int, channels: Int) -> Image {
        var image = Image(width: width, height: height, channels: channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    image.pixels[(y * width + x) * channels + c] = UInt8((x * 3 + y * 2 + c * 40) % 256)
                }
            }
        }
        return image
    }

    @Test(arguments: [1, 3])
    func pngRoundTripIsExact(channels: Int) throws {
        let image = Self.gradient(width: 37, height: 21, channels: channels)
        let png = try image.pngData()
        #expect(Image.FileFormat.sniff(png) == .png)
        #expect(try Image.decode(data: png, name: "memory.png") == image)
    }

    @Test func pngFileRoundTripIsAtomicAndExact() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/out.png"
        let image = Self.gradient(width: 10, height: 5, channels: 3)
        try image.write(png: path)
        #expect(try Image.decode(file: path) == image)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["out.png"])
    }

    @Test(arguments: [1, 3])
    func jpegRoundTripIsClose(channels: Int) throws {
        let image = Self.gradient(width: 40, height: 24, channels: channels)
        let jpeg = try image.jpegData(quality: 95)
        let decoded = try Image.decode(data: jpeg, name: "memory.jpg")
        #expect(decoded.width == 40 && decoded.height == 24 && decoded.channels == channels)
        let meanError = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / image.pixels.count
        #expect(meanError <= 3)
    }

    @Test func palettePNGExpandsToRGB() throws {
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
        // 2-bit indices, 4 pixels per byte: row 0 = 0 1 2 3, row 1 = 3 2 1 0.
        let builder = PNGBuilder(width: 4, height: 2, bitDepth: 2, colorType: 3,
                                 scanlines: PNGBuilder.unfiltered([[0b00_01_10_11], [0b11_10_01_00]]),
                                 extraChunks: [("PLTE", palette)])
        let image = try Image.decode(data: builder.bytes, name: "palette.png")
        #expect(image.channels == 3)
        #expect(Array(image.pixels[0..<12]) == palette)
        #expect(Array(image.pixels[12..<15]) == [10, 20, 30])
    }

    @Test func paletteTransparencyIsCompositedOverBlack() throws {
        // tRNS: index 0 fully transparent, index 1 half transparent.
        let builder = PNGBuilder(width: 3, height: 1, bitDepth: 8, colorType: 3,
                                 scanlines: PNGBuilder.unfiltered([[0, 1, 2]]),
                                 extraChunks: [("PLTE", [200, 100, 50, 200, 100, 50, 200, 100, 50]), ("tRNS", [0, 128])])
        let image = try Image.decode(data: builder.bytes, name: "trns.png")
        #expect(image.pixels == [0, 0, 0, 100, 50, 25, 200, 100, 50])
    }

    @Test func adam7InterlacedPNGIsReassembled() throws {
        // 3x3 gray, pixel (x, y) = 10 * y + x. The passes that touch a 3x3 image:
        // 1: (0,0); 4: (2,0); 5: row 2 at x 0, 2; 6: rows 0 and 2 at x 1; 7: row 1.
        let passes: [[UInt8]] = [[0, 0], [0, 2], [0, 20, 22], [0, 1], [0, 21], [0, 10, 11, 12]]
        let builder = PNGBuilder(width: 3, height: 3, bitDepth: 8, colorType: 0, scanlines: passes.flatMap { $0 },
                                 interlace: 1)
        let image = try Image.decode(data: builder.bytes, name: "adam7.png")
        #expect(image.pixels == [0, 1, 2, 10, 11, 12, 20, 21, 22])
    }

    @Test func sixteenBitGrayIsScaledWithRounding() throws {
        let builder = PNGBuilder(width: 3, height: 1, bitDepth: 16, colorType: 0,
                                 scanlines: PNGBuilder.unfiltered([[0xFF, 0xFF, 0x80, 0x80, 0x00, 0x7F]]))
        let image = try Image.decode(data: builder.bytes, name: "gray16.png")
        #expect(image.channels == 1)
        #expect(image.pixels == [255, 128, 0])
    }

    @Test func oneBitGrayExpandsToFullRange() throws {
        let builder = PNGBuilder(width: 8, height: 1, bitDepth: 1, colorType: 0,
                                 scanlines: PNGBuilder.unfiltered([[0b1010_0001]]))
        let image = try Image.decode(data: builder.bytes, name: "gray1.png")
        #expect(image.pixels == [255, 0, 255, 0, 0, 0, 0, 255])
    }

    @Test func alphaIsCompositedOverBlack() throws {
        let rgba = PNGBuilder(width: 2, height: 1, bitDepth: 8, colorType: 6,
                              scanlines: PNGBuilder.unfiltered([[200, 100, 50, 255, 200, 100, 50, 0]]))
        let image = try Image.decode(data: rgba.bytes, name: "rgba.png")
        #expect(image.channels == 3)
        #expect(image.pixels == [200, 100, 50, 0, 0, 0])

        let grayAlpha = PNGBuilder(width: 1, height: 1, bitDepth: 8, colorType: 4,
                                   scanlines: PNGBuilder.unfiltered([[200, 128]]))
        let gray = try Image.decode(data: grayAlpha.bytes, name: "ga.png")
        #expect(gray.channels == 1)
        #expect(gray.pixels == [100])
    }

    @Test func absurdPNGDimensionsAreRejectedBeforeAllocating() throws {
        let builder = PNGBuilder(width: 100_000, height: 100_000, bitDepth: 8, colorType: 2, scanlines: [0, 1, 2, 3])
        #expect(throws: ImageError.tooLarge(file: "huge.png", width: 100_000, height: 100_000, limits: .standard)) {
            try Image.decode(data: builder.bytes, name: "huge.png")
        }
        let small = ImageLimits(maxSide: 100, maxPixels: 50)
        let wide = PNGBuilder(width: 10, height: 10, bitDepth: 8, colorType: 0, scanlines: [])
        #expect(throws: ImageError.tooLarge(file: "p.png", width: 10, height: 10, limits: small)) {
            try Image.decode(data: wide.bytes, name: "p.png", limits: small)
        }
    }

    @Test func absurdJPEGDimensionsAreRejected() throws {
        var jpeg = try Self.gradient(width: 16, height: 16, channels: 3).jpegData()
        // Find the SOF0 marker and write 60000 x 60000 into it (height at +5, width at +7).
        let sof = try #require((0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 5] = 0xEA; jpeg[sof + 6] = 0x60; jpeg[sof + 7] = 0xEA; jpeg[sof + 8] = 0x60
        #expect(throws: ImageError.tooLarge(file: "huge.jpg", width: 60_000, height: 60_000, limits: .standard)) {
            try Image.decode(data: jpeg, name: "huge.jpg")
        }
        // Beyond libjpeg's own maximum (65,500) the error is the same, with the declared size.
        jpeg[sof + 5] = 0xFF; jpeg[sof + 6] = 0xFF; jpeg[sof + 7] = 0xFF; jpeg[sof + 8] = 0xFF
        #expect(throws: ImageError.tooLarge(file: "huge.jpg", width: 65_535, height: 65_535, limits: .standard)) {
            try Image.decode(data: jpeg, name: "huge.jpg")
        }
    }

    @Test func aProgressiveJPEGBeyondTheDecoderMemoryLimitIsATypedError() throws {
        // 64x48 RGB without subsampling, made by `cjpeg -progressive -sample 1x1 -quality 90`
        // (libjpeg-turbo 2.1.5) from a gradient: its coefficients alone take 64 x 48 x 3 x 2 bytes.
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/images/progressive-gradient.jpg").path
        let image = try Image.decode(file: path)
        #expect(image.width == 64 && image.height == 48 && image.channels == 3)
        let tight = ImageLimits(maxSide: 16_384, maxPixels: 64 << 20, maxDecoderMemory: 16 << 10)
        #expect(throws: ImageError.overMemoryLimit(file: path, limit: 16 << 10)) { try Image.decode(file: path, limits: tight) }
        #expect(ImageError.overMemoryLimit(file: path, limit: 16 << 10).description.contains("decoder memory limit"))
        // A baseline JPEG keeps a few rows only: the same limit decodes it.
        let baseline = try Self.gradient(width: 64, height: 48, channels: 3).jpegData()
        #expect(try Image.decode(data: baseline, name: "b.jpg", limits: tight).width == 64)
    }

    @Test func adobeCMYKJPEGDecodesToRGB() throws {
        // Written by tools/make_cmyk_jpeg_fixture.py: left half red, right half blue, in CMYK.
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/images/cmyk-red-blue.jpg").path
        let image = try Image.decode(file: path)
        #expect(image.width == 16 && image.height == 8 && image.channels == 3)
        let left = image.cropped(x: 0, y: 0, width: 6, height: 8), right = image.cropped(x: 10, y: 0, width: 6, height: 8)
        #expect(Fixtures.isClose(Fixtures.meanColor(left), to: [255, 0, 0], tolerance: 10))
        #expect(Fixtures.isClose(Fixtures.meanColor(right), to: [0, 0, 255], tolerance: 10))
    }

    @Test func wrongMagicIsNotAnImage() {
        #expect(throws: ImageError.notAnImage(file: "x.gif")) {
            try Image.decode(data: Array("GIF89a....".utf8), name: "x.gif")
        }
        #expect(throws: ImageError.notAnImage(file: "empty")) { try Image.decode(data: [], name: "empty") }
    }

    @Test func missingFileIsUnreadable() {
        #expect {
            try Image.decode(file: "/nonexistent/face.jpg")
        } throws: { error in
            guard case let .unreadable(file, _) = error as? ImageError else { return false }
            return file == "/nonexistent/face.jpg"
        }
    }

    @Test func encodingTwoChannelsIsATypedError() {
        let image = Image(width: 2, height: 2, channels: 2)
        #expect(throws: ImageError.self) { try image.pngData() }
        #expect(throws: ImageError.self) { try image.jpegData() }
    }
}
