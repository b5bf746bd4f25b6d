import Foundation
import Testing
@testable import FacelyzrData
@testable import FacelyzrSynthetic

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

    /// Golden fingerprints of generator version 2. A change that alters them must bump
    /// `SyntheticFaces.generatorVersion` and update this table.
    @Test func goldenFingerprintsOfThisGeneratorVersion() {
        #expect(SyntheticFaces.generatorVersion == 2)
        let golden: [(seed: UInt64, index: UInt64, size: Int, fingerprint: UInt64)] = [
            (0, 0, 64, 0xB323_162C_BDD7_9F38),
            (0, 1, 64, 0xE92B_5A2B_BFB7_E7BB),
            (0, 2, 64, 0xFB2A_E922_4648_4821),
            (7, 2_000_000, 64, 0x1895_821B_A329_CACD),
            (0, 3, 96, 0x2479_2901_0964_996C),
            (0, 4, 32, 0xA144_0E47_8DA3_6F27),
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
            #expect(labels.gender == 0 || labels.gender == 1)
            #expect(labels.age! >= 20 && labels.age! <= 30)
            #expect(labels.attributes[.young] == (labels.age! < 30))
            #expect(labels.attributes[.male] == (labels.gender == 1))
            for required: CelebAAttribute in [.smiling, .mouthSlightlyOpen, .eyeglasses, .mustache, .goatee, .noBeard,
                                              .bald, .bangs, .grayHair, .blackHair, .blondHair, .brownHair,
                                              .wearingHat, .wearingLipstick, .heavyMakeup, .young] {
                #expect(labels.attributes[required] != nil, "\(required.name) is labelled")
            }
            for attribute in CelebAAttribute.allCases {
                #expect((labels.attributes[attribute] != nil) == SyntheticFaces.labelledAttributes.contains(attribute),
                        "exactly the labelled attributes are known: \(attribute.name)")
            }
        }
    }

    @Test func extremeConfigurationsAreObeyed() {
        var always = SyntheticFaceConfiguration()
        always.ageRange = 40...40
        always.maleRate = 1
        always.smilingRate = 1
        always.mouthOpenRate = 1
        always.eyeglassesRate = 1
        always.hatRate = 1
        always.facialHairRate = 1
        always.occlusionRate = 1
        always.blurRate = 1
        var never = always
        never.maleRate = 0
        never.smilingRate = 0
        never.mouthOpenRate = 0
        never.eyeglassesRate = 0
        never.hatRate = 0
        never.makeupRate = 0
        never.earringsRate = 0
        never.bangsRate = 0
        for index: UInt64 in 0..<20 {
            let a = SyntheticFaces(configuration: always, seed: 1, size: 32).sample(index: index).labels
            #expect(a.gender == 1 && a.age == 40)
            for attribute: CelebAAttribute in [.smiling, .mouthSlightlyOpen, .eyeglasses, .wearingHat] {
                #expect(a.attributes[attribute] == true)
            }
            #expect(a.attributes[.noBeard] == false || a.attributes[.fiveOClockShadow] == true)
            let n = SyntheticFaces(configuration: never, seed: 1, size: 32).sample(index: index).labels
            #expect(n.gender == 0)
            for attribute: CelebAAttribute in [.smiling, .mouthSlightlyOpen, .eyeglasses, .wearingHat, .heavyMakeup,
                                               .wearingEarrings, .bangs, .mustache, .goatee] {
                #expect(n.attributes[attribute] == false)
            }
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
