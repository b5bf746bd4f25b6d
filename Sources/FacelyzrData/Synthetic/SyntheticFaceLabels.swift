import FacelyzrSynthetic

extension SyntheticFaces {
    /// The CelebA attributes every synthetic face labels (the other 8 stay unknown), in CelebA
    /// order.
    public static let labelledAttributes: [CelebAAttribute] = CelebAAttribute.allCases.filter {
        ![.attractive, .doubleChin, .highCheekbones, .ovalFace, .pointyNose, .sideburns, .wearingNecklace,
          .wearingNecktie].contains($0)
    }
}

extension SyntheticFaceLatents {
    /// The ground truth of this face: gender, age and the CelebA attributes the generator
    /// draws (the others stay unknown). Thresholds are listed in docs/synthetic-faces.md.
    public var labels: FaceLabels {
        var a = CelebAAttributes()
        let hairGrey = greyness > 0.5
        let visibleHair = hairLength > 0.25
        a[.male] = male
        a[.young] = age < 30
        a[.smiling] = smiling
        a[.mouthSlightlyOpen] = mouthOpen
        a[.eyeglasses] = eyeglasses
        a[.fiveOClockShadow] = facialHair == .stubble
        a[.mustache] = facialHair == .mustache || facialHair == .goateeAndMustache || facialHair == .fullBeard
        a[.goatee] = facialHair == .goatee || facialHair == .goateeAndMustache
        a[.noBeard] = facialHair == .none || facialHair == .stubble
        a[.bald] = baldness > 0.7 && !hat
        a[.recedingHairline] = baldness > 0.25 && baldness <= 0.7 && !hat
        a[.bangs] = bangs && !hat && baldness < 0.5
        a[.grayHair] = hairGrey
        a[.blackHair] = hairColor == .black && !hairGrey
        a[.brownHair] = hairColor == .brown && !hairGrey
        a[.blondHair] = hairColor == .blond && !hairGrey
        a[.wavyHair] = hairWave > 0.55 && visibleHair
        a[.straightHair] = hairWave < 0.2 && visibleHair
        a[.wearingHat] = hat
        a[.wearingLipstick] = lipstick
        a[.heavyMakeup] = makeup > 0
        a[.wearingEarrings] = earrings
        a[.bagsUnderEyes] = eyeBags > 0.5
        a[.bigNose] = noseSize > 1.0
        a[.bushyEyebrows] = browThickness > 1.2
        a[.archedEyebrows] = browArch < -1.0
        a[.bigLips] = lipFullness < -1.0
        a[.narrowEyes] = eyeOpenness < 0.35
        a[.paleSkin] = skinTone < 0.1
        a[.rosyCheeks] = rosiness > 0.6
        a[.chubby] = chubbiness > 0.7
        a[.blurry] = blur > 0.65
        return FaceLabels(gender: male ? 1 : 0, age: age, attributes: a)
    }
}
