extension FaceLabels {
    /// Short abbreviations of the attributes shown in captions, in display order.
    public static let captionAbbreviations: [(CelebAAttribute, String)] = [
        (.smiling, "SMI"), (.mouthSlightlyOpen, "OPN"), (.eyeglasses, "GLS"), (.wearingHat, "HAT"),
        (.bangs, "BNG"), (.bald, "BALD"), (.mustache, "MUS"), (.goatee, "GOA"), (.fiveOClockShadow, "STB"),
        (.wearingLipstick, "LIP"), (.heavyMakeup, "MKP"),
    ]

    /// Two caption lines for a contact sheet or a prediction overlay: `M 34 BRN` (gender, age
    /// in years, hair colour GRY/BLK/BRN/BLN) and the present attributes abbreviated as in
    /// ``captionAbbreviations``. Unknown values are left out.
    public var captionLines: [String] {
        var first: [String] = []
        if let gender { first.append(gender == 1 ? "M" : "F") }
        if let age { first.append(String(Int(age))) }
        let hair: [(CelebAAttribute, String)] = [(.grayHair, "GRY"), (.blackHair, "BLK"), (.brownHair, "BRN"),
                                                  (.blondHair, "BLN")]
        first += hair.filter { attributes[$0.0] == true }.map(\.1)
        let second = Self.captionAbbreviations.filter { attributes[$0.0] == true }.map(\.1)
        return [first.joined(separator: " "), second.joined(separator: " ")]
    }
}
