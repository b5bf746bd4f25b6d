/// The 40 CelebA attributes, in the column order of `list_attr_celeba.txt` (Male is 20).
public enum CelebAAttribute: Int, CaseIterable, Sendable {
    case fiveOClockShadow, archedEyebrows, attractive, bagsUnderEyes, bald, bangs, bigLips,
         bigNose, blackHair, blondHair, blurry, brownHair, bushyEyebrows, chubby, doubleChin,
         eyeglasses, goatee, grayHair, heavyMakeup, highCheekbones, male, mouthSlightlyOpen,
         mustache, narrowEyes, noBeard, ovalFace, paleSkin, pointyNose, recedingHairline,
         rosyCheeks, sideburns, smiling, straightHair, wavyHair, wearingEarrings, wearingHat,
         wearingLipstick, wearingNecklace, wearingNecktie, young

    /// The name as CelebA spells it, e.g. `5_o_Clock_Shadow`, `Mouth_Slightly_Open`.
    public var name: String { Self.names[rawValue] }

    /// The attribute CelebA calls `name`, if any.
    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: index)
    }

    private static let names = [
        "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs",
        "Big_Lips", "Big_Nose", "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair",
        "Bushy_Eyebrows", "Chubby", "Double_Chin", "Eyeglasses", "Goatee", "Gray_Hair",
        "Heavy_Makeup", "High_Cheekbones", "Male", "Mouth_Slightly_Open", "Mustache",
        "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline",
        "Rosy_Cheeks", "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings",
        "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace", "Wearing_Necktie", "Young",
    ]
}

/// A set of CelebA attribute values with a known-mask: a source that does not label an
/// attribute leaves it unknown rather than false.
public struct CelebAAttributes: Sendable, Equatable, Hashable {
    /// Bit `a.rawValue` set: attribute `a` is present (meaningful only where known).
    public private(set) var values: UInt64
    /// Bit `a.rawValue` set: attribute `a` is labelled.
    public private(set) var known: UInt64

    /// No attribute known.
    public init() {
        values = 0
        known = 0
    }

    /// The value of `attribute`, or nil when it is not labelled.
    public subscript(attribute: CelebAAttribute) -> Bool? {
        get {
            let bit = UInt64(1) << UInt64(attribute.rawValue)
            return known & bit == 0 ? nil : values & bit != 0
        }
        set {
            let bit = UInt64(1) << UInt64(attribute.rawValue)
            switch newValue {
            case nil: known &= ~bit; values &= ~bit
            case true?: known |= bit; values |= bit
            case false?: known |= bit; values &= ~bit
            }
        }
    }
}
