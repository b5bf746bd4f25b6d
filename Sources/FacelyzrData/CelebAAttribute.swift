/// The 40 CelebA attributes as a type, in the column order of `list_attr_celeba.txt` (the
/// order of ``celebAAttributeNames``; Male is 20), so code can name an attribute instead of
/// an index into ``FaceLabels/attributes``.
public enum CelebAAttribute: Int, CaseIterable, Sendable {
    case fiveOClockShadow, archedEyebrows, attractive, bagsUnderEyes, bald, bangs, bigLips,
         bigNose, blackHair, blondHair, blurry, brownHair, bushyEyebrows, chubby, doubleChin,
         eyeglasses, goatee, grayHair, heavyMakeup, highCheekbones, male, mouthSlightlyOpen,
         mustache, narrowEyes, noBeard, ovalFace, paleSkin, pointyNose, recedingHairline,
         rosyCheeks, sideburns, smiling, straightHair, wavyHair, wearingEarrings, wearingHat,
         wearingLipstick, wearingNecklace, wearingNecktie, young

    /// The name as CelebA spells it, e.g. `5_o_Clock_Shadow`, `Mouth_Slightly_Open`.
    public var name: String { celebAAttributeNames[rawValue] }

    /// The attribute CelebA calls `name`, if any.
    public init?(name: String) {
        guard let index = celebAAttributeNames.firstIndex(of: name) else { return nil }
        self.init(rawValue: index)
    }
}

extension FaceLabels {
    /// The value of a CelebA attribute, for labels whose ``attributes`` follow the 40 CelebA
    /// names (nil when unknown or when the labels carry fewer attributes). Setting a value
    /// grows ``attributes`` to 40 entries if needed.
    public subscript(attribute: CelebAAttribute) -> Bool? {
        get { attribute.rawValue < attributes.count ? attributes[attribute.rawValue] : nil }
        set {
            if attributes.count < celebAAttributeNames.count {
                attributes += [Bool?](repeating: nil, count: celebAAttributeNames.count - attributes.count)
            }
            attributes[attribute.rawValue] = newValue
        }
    }
}
