import Foundation

/// `manifest.json`, written next to `samples.fzds`: what the dataset holds, for people and
/// scripts. The binary file's header is authoritative; the manifest summarises it.
public struct DatasetManifest: Codable, Equatable, Sendable {
    /// How many samples carry each kind of label.
    public struct LabelCounts: Codable, Equatable, Sendable {
        public var gender = 0
        public var male = 0
        public var female = 0
        public var age = 0
        public var face = 0
        public var notFace = 0
        /// Samples with at least one known attribute.
        public var attributes = 0
    }

    public var formatVersion: Int
    public var samplesFile: String
    /// Where the samples came from (`celeba`, `utkface`, `synthetic`, ...).
    public var source: String
    public var width: Int
    public var height: Int
    public var channels: Int
    public var count: Int
    public var splits: [String: Int]
    public var labels: LabelCounts
    public var attributeNames: [String]
    public var labelConvention: String

    public static let fileName = "manifest.json"
    public static let convention = "gender 1 = male, 0 = female; age in years; face 1 = face; "
        + "attributes true/false with unknown ones masked; see docs/data.md"

    /// The manifest's JSON, keys sorted.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain integers, strings and arrays cannot fail.
        return try! encoder.encode(self)
    }
}
