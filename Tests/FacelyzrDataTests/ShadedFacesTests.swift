import Testing
@testable import FacelyzrData
@testable import FacelyzrSynthetic

/// The shaded rendering (docs/synthetic-faces.md "Shaded rendering"): opt-in, deterministic, the
/// same person and labels as the drawn face, and the drawn default untouched.
@Suite struct ShadedFacesTests {
    @Test func theDefaultRenderingIsTheDrawnOneUnchanged() {
        #expect(SyntheticFaces(seed: 0).rendering == .drawn)
        // The first entry of the drawn golden table (SyntheticFacesTests), asked for explicitly.
        let drawn = SyntheticFaces(seed: 0, size: 64, rendering: .drawn).sample(index: 0).image
        #expect(fingerprint(drawn.pixels) == 0xB323_162C_BDD7_9F38)
        #expect(drawn == SyntheticFaces(seed: 0, size: 64).sample(index: 0).image)
    }

    @Test func sameSeedAndIndexGiveTheSameBytes() {
        let faces = SyntheticFaces(seed: 42, size: 48, rendering: .shaded)
        for index: UInt64 in [0, 7, 2_000_123] {
            let first = faces.sample(index: index)
            #expect(first.image == SyntheticFaces(seed: 42, size: 48, rendering: .shaded).sample(index: index).image)
            var buffer = [UInt8](repeating: 7, count: 48 * 48 * 3)
            let labels = buffer.withUnsafeMutableBufferPointer { faces.render(index: index, into: $0) }
            #expect(buffer == first.image.pixels)
            #expect(labels == first.labels)
        }
    }

    @Test func shadedFacesAreTheDrawnPeopleInOtherPixels() {
        let drawn = SyntheticFaces(seed: 3, size: 64), shaded = SyntheticFaces(seed: 3, size: 64, rendering: .shaded)
        for index: UInt64 in 0..<8 {
            let a = drawn.sample(index: index), b = shaded.sample(index: index)
            #expect(a.labels == b.labels)
            #expect(a.image != b.image)
        }
        #expect(shaded.sample(index: 0).image != shaded.sample(index: 1).image)
    }

    /// The eye sockets are in shadow: over 200 faces, the band of the eyes (face space
    /// v = eyeV +- 0.1, |u| < 0.55) is darker than the cheeks below it (v = noseV +- 0.1), by more
    /// than in the drawn faces.
    @Test func eyeBandsAreDarkerThanCheeks() {
        func contrast(_ rendering: SyntheticFaceRendering) -> Float {
            let faces = SyntheticFaces(seed: 11, size: 64, rendering: rendering)
            var sum: Float = 0
            for index: UInt64 in 0..<200 {
                let latents = faces.latents(index: index)
                let (image, _) = faces.sample(index: index)
                let painter = FacePainter(latents)
                let ppu = 64 * 0.26 * latents.scale
                let cx = 32 + latents.translationX, cy = 64 * 0.47 + latents.translationY
                func band(_ v: Float) -> Float {
                    var total: Float = 0, count: Float = 0
                    for y in Int(cy + (v - 0.1) * ppu)...Int(cy + (v + 0.1) * ppu) {
                        for x in Int(cx - 0.55 * ppu)...Int(cx + 0.55 * ppu) where (0..<64).contains(x) && (0..<64).contains(y) {
                            let i = (y * 64 + x) * 3
                            total += Float(image.pixels[i]) + Float(image.pixels[i + 1]) + Float(image.pixels[i + 2])
                            count += 3
                        }
                    }
                    return total / count
                }
                sum += band(painter.noseV) - band(painter.eyeV)
            }
            return sum / 200
        }
        let shaded = contrast(.shaded), drawn = contrast(.drawn)
        #expect(shaded > 10, "cheeks minus eyes: \(shaded) levels")
        #expect(shaded > drawn + 5, "shaded \(shaded), drawn \(drawn)")
    }

    /// Golden fingerprints of the shaded rendering of generator version 2 (its bytes are part of
    /// the version: a change that alters them bumps `SyntheticFaces.generatorVersion`).
    @Test func goldenFingerprints() {
        let golden: [(seed: UInt64, index: UInt64, size: Int, fingerprint: UInt64)] = [
            (0, 0, 64, 0xE40B_01D2_F918_463E),
            (0, 3, 96, 0xFD51_F0EB_CD92_1FF4),
        ]
        for g in golden {
            let image = SyntheticFaces(seed: g.seed, size: g.size, rendering: .shaded).sample(index: g.index).image
            #expect(fingerprint(image.pixels) == g.fingerprint, "seed \(g.seed) index \(g.index) size \(g.size)")
        }
    }
}
