import Testing
@testable import FacelyzrData

@Suite struct DrawingTests {
    @Test func glyphsDrawTheirPixels() {
        var image = Image(width: 8, height: 6, channels: 1)
        BitmapFont.draw("T1", into: &image, x: 0, y: 0, color: [255])
        // T: a full top bar and a centre stem.
        #expect(image.pixels[0] == 255 && image.pixels[1] == 255 && image.pixels[2] == 255)
        #expect(image.pixels[8 + 1] == 255 && image.pixels[8 + 0] == 0 && image.pixels[8 + 2] == 0)
        // The spacing column between glyphs stays empty.
        #expect((0..<5).allSatisfy { image.pixels[$0 * 8 + 3] == 0 })
        #expect(BitmapFont.width(of: "T1") == 8)
    }

    @Test func textIsClippedAtTheEdges() {
        var image = Image(width: 5, height: 3, channels: 3)
        BitmapFont.draw("WWW", into: &image, x: -2, y: 1, color: [1, 2, 3], scale: 2)
        #expect(image.pixels.contains(1))
    }

    @Test func lowerCaseDrawsAsUpperCaseAndUnknownCharactersAsABox() {
        var lower = Image(width: 4, height: 5, channels: 1), upper = lower, unknown = lower, box = lower
        BitmapFont.draw("a", into: &lower, x: 0, y: 0, color: [9])
        BitmapFont.draw("A", into: &upper, x: 0, y: 0, color: [9])
        BitmapFont.draw("€", into: &unknown, x: 0, y: 0, color: [9])
        #expect(lower == upper)
        for y in 0..<5 {
            for x in 0..<3 where y == 0 || y == 4 || x != 1 { box.pixels[y * 4 + x] = 9 }
        }
        #expect(unknown == box)
    }

    @Test func contactSheetPlacesEnlargedImagesAndCaptions() {
        let red = Image(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 12).enumerated().map {
            $0.offset % 3 == 0 ? 200 : 0
        })
        let gray = Image(width: 2, height: 2, channels: 1, pixels: [50, 50, 50, 50])
        let sheet = ContactSheet(columns: 2, zoom: 3, captionLines: 1)
        let result = sheet.compose([red, gray, red], captions: [["A"], ["B"], []])
        let cellWidth = 6, cellHeight = 6 + BitmapFont.lineHeight
        #expect(result.width == 4 + 2 * (cellWidth + 4))
        #expect(result.height == 4 + 2 * (cellHeight + 4))
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(result.pixels[(y * result.width + x) * 3..<(y * result.width + x) * 3 + 3]) }
        #expect(pixel(4, 4) == [200, 0, 0])
        #expect(pixel(4 + 5, 4 + 5) == [200, 0, 0])
        #expect(pixel(4 + cellWidth + 4, 4) == [50, 50, 50])
        #expect(pixel(4 + 2 * cellWidth + 4 + 2, 4) == [24, 24, 24], "the gap after the last column")
        // The caption's first glyph row sits one pixel under the image.
        let captionRow = (0..<cellWidth).map { pixel(4 + $0, 4 + 6 + 1) }
        #expect(captionRow.contains([235, 235, 225]))
    }

    @Test func captionsNameGenderAgeHairAndAttributes() {
        var attributes = CelebAAttributes()
        attributes[.grayHair] = true
        attributes[.smiling] = true
        attributes[.eyeglasses] = false
        let labels = FaceLabels(gender: 1, age: 67.8, attributes: attributes)
        #expect(labels.captionLines == ["M 67 GRY", "SMI"])
        #expect(FaceLabels().captionLines == ["", ""])
    }
}
