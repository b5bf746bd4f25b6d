import FacelyzrRandom
import Testing
@testable import FacelyzrData

@Suite struct ResamplingTests {
    @Test func areaHalvingAveragesTwoByTwoBlocks() {
        let image = Image(width: 4, height: 2, channels: 1, pixels: [0, 10, 100, 200, 20, 30, 50, 50])
        let half = image.resized(width: 2, height: 1, method: .area)
        #expect(half.pixels == [15, 100])
    }

    @Test func areaWeightsPartialPixels() {
        // 3 -> 2: output 0 covers source 0 fully and half of source 1.
        let image = Image(width: 3, height: 1, channels: 1, pixels: [30, 90, 150])
        #expect(image.resized(width: 2, height: 1, method: .area).pixels == [50, 130])
    }

    @Test(arguments: Image.ResamplingMethod.allCases)
    func constantImagesStayConstant(method: Image.ResamplingMethod) {
        let image = Image(width: 178, height: 218, channels: 3, pixels: [UInt8](repeating: 77, count: 178 * 218 * 3))
        for (w, h) in [(64, 64), (25, 31), (300, 400), (1, 1)] {
            let resized = image.resized(width: w, height: h, method: method)
            #expect(resized.width == w && resized.height == h)
            #expect(resized.pixels.allSatisfy { $0 == 77 })
        }
    }

    @Test func areaKeepsMeanBrightnessOnRandomImages() {
        var generator = SplitMix64(state: 3)
        for _ in 0..<20 {
            let width = Int.random(in: 8...60, using: &generator), height = Int.random(in: 8...60, using: &generator)
            let pixels = (0..<width * height).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let image = Image(width: width, height: height, channels: 1, pixels: pixels)
            let target = (Int.random(in: 1...width, using: &generator), Int.random(in: 1...height, using: &generator))
            let small = image.resized(width: target.0, height: target.1, method: .area)
            let mean = { (p: [UInt8]) in Double(p.reduce(0) { $0 + Int($1) }) / Double(p.count) }
            #expect(abs(mean(small.pixels) - mean(image.pixels)) < 0.6)
        }
    }

    @Test func bilinearDoublingInterpolatesBetweenCentres() {
        let image = Image(width: 2, height: 1, channels: 1, pixels: [0, 200])
        // Output centres at source x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        #expect(image.resized(width: 4, height: 1, method: .bilinear).pixels == [0, 50, 150, 200])
    }

    @Test func centerSquareCropCutsTheLongSideEvenly() {
        var image = Image(width: 178, height: 218, channels: 1)
        image.pixels[20 * 178 + 0] = 9  // first row kept: y = (218 - 178) / 2 = 20
        let square = image.centerSquareCropped()
        #expect(square.width == 178 && square.height == 178)
        #expect(square.pixels[0] == 9)
        let wide = Image(width: 5, height: 2, channels: 1, pixels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(wide.centerSquareCropped().pixels == [1, 2, 6, 7])
    }

    @Test func grayAndRGBConvert() {
        let rgb = Image(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 10, 10, 10])
        #expect(rgb.grayscale().pixels == [76, 10])
        #expect(rgb.grayscale().rgb().pixels == [76, 76, 76, 10, 10, 10])
    }
}
