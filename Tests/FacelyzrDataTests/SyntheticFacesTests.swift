import Foundation
import Testing
@testable import FacelyzrData

/// FNV-1a, 64 bits: the golden fingerprint of an image's bytes.
func fingerprint(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    return hash
}

@Suite struct SyntheticFacesTests {
    @Test func sameSeedAndIndexGiveTheSameBytes() {
        let faces = SyntheticFaces(seed: 42)
        for index: UInt64 in [0, 1, 999, 2_000_123] {
            let first = faces.sample(index: index)
            let second = SyntheticFaces(seed: 42).sample(index: index)
            #expect(first.image == second.image)
            #expect(first.labels == second.labels)
            var buffer = [UInt8](repeating: 7, count: 64 * 64 * 3)
            let labels = buffer.withUnsafeMutableBufferPointer { faces.render(index: index, into: $0) }
            #expect(buffer == first.image.pixels)
            #expect(labels == first.labels)
        }
    }

    @Test func otherIndicesAndSeedsGiveOtherFaces() {
        let a = SyntheticFaces(seed: 1).sample(index: 5).image
        #expect(a != SyntheticFaces(seed: 1).sample(index: 6).image)
        #expect(a != SyntheticFaces(seed: 2).sample(index: 5).image)
    }

    /// Golden fingerprints of generator version 1. A change that alters them must bump
    /// `SyntheticFaces.generatorVersion` and update this table.
    @Test func goldenFingerprintsOfThisGeneratorVersion() {
        #expect(SyntheticFaces.generatorVersion == 1)
        let golden: [(seed: UInt64, index: UInt64, size: Int, fingerprint: UInt64)] = [
            (0, 0, 64, 0x4B14_B4B9_1E50_C87C),
            (0, 1, 64, 0x06E2_6929_AB1E_90DC),
            (0, 2, 64, 0xD156_0586_ADC0_6DCF),
            (7, 2_000_000, 64, 0xC905_0BC7_CAC9_D67C),
            (0, 3, 96, 0xA575_1F31_9725_599E),
            (0, 4, 32, 0x2BC5_FB5B_0C00_E270),
        ]
        for g in golden {
            let image = SyntheticFaces(seed: g.seed, size: g.size).sample(index: g.index).image
            #expect(fingerprint(image.pixels) == g.fingerprint, "seed \(g.seed) index \(g.index) size \(g.size)")
        }
    }

    @Test func imagesHaveTheRequestedShapeAndLabelsTheirRanges() {
        var configuration = SyntheticFaceConfiguration()
        configuration.ageRange = 20...30
        let faces = SyntheticFaces(configuration: configuration, seed: 3, size: 48)
        for index: UInt64 in 0..<40 {
            let (image, labels) = faces.sample(index: index)
            #expect(image.width == 48 && image.height == 48 && image.channels == 3)
            #expect(labels.gender != nil)
            #expect(labels.age! >= 20 && labels.age! <= 30)
            #expect(labels.attributes.count == 40)
            #expect(labels[.young] == (labels.age! < 30))
            #expect(labels[.male] == (labels.gender == .male))
            for required: CelebAAttribute in [.smiling, .mouthSlightlyOpen, .eyeglasses, .mustache, .goatee, .noBeard,
                                              .bald, .bangs, .grayHair, .blackHair, .blondHair, .brownHair,
                                              .wearingHat, .wearingLipstick, .heavyMakeup, .young] {
                #expect(labels[required] != nil, "\(required.name) is labelled")
            }
            #expect(labels[.attractive] == nil, "attributes the generator does not draw stay unknown")
        }
    }

    @Test func theDomainShiftKeepsThePersonAndChangesThePicture() {
        let plain = SyntheticFaces(seed: 9), shifted = SyntheticFaces(configuration: .shifted, seed: 9)
        var noisier = 0
        for index: UInt64 in 0..<30 {
            let a = plain.sample(index: index), b = shifted.sample(index: index)
            #expect(a.labels.gender == b.labels.gender && a.labels.age == b.labels.age)
            #expect(a.image != b.image)
            if shifted.latents(index: index).noiseSD > plain.latents(index: index).noiseSD { noisier += 1 }
        }
        #expect(noisier >= 27)
    }

    @Test func splitsAreDisjointIndexRanges() {
        let splits = Split.allCases.sorted { $0.syntheticStart < $1.syntheticStart }
        for (a, b) in zip(splits, splits.dropFirst()) {
            #expect(a.syntheticStart + a.syntheticCount <= b.syntheticStart)
        }
        #expect(Split.test.syntheticIndex(0) == 0)
        #expect(Split.calibration.syntheticIndex(5) == 1_000_005)
        #expect(Split.train.syntheticIndex(0) == 2_000_000)
    }

    @Test func ownSineAndCosineAgreeWithTheLibrary() {
        var x: Float = -DeterministicMath.pi
        while x <= DeterministicMath.pi {
            #expect(abs(DeterministicMath.sin(x) - Foundation.sin(x)) < 1e-5)
            #expect(abs(DeterministicMath.cos(x) - Foundation.cos(x)) < 1e-5)
            x += 0.01
        }
    }
}
