/// What is known about one face: gender, age and CelebA-named attributes, each possibly unknown.
public struct FaceLabels: Sendable, Equatable {
    /// 1 = male, 0 = female (the IMDB-WIKI / CelebA `Male` convention); nil when unknown.
    public var gender: UInt8?
    /// Age in years; nil when unknown.
    public var age: Float?
    /// Attribute values with their known-mask.
    public var attributes: CelebAAttributes

    public init(gender: UInt8? = nil, age: Float? = nil, attributes: CelebAAttributes = CelebAAttributes()) {
        self.gender = gender
        self.age = age
        self.attributes = attributes
    }
}
