import Testing
@testable import FacelyzrData

@Suite struct ImageTests {
    @Test func blackImageHasEveryByteZero() {
        let image = Image(width: 3, height: 2, channels: 3)
        #expect(image.pixels.count == 18)
        #expect(image.pixels.allSatisfy { $0 == 0 })
    }
}
