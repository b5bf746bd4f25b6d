import Foundation

/// Why an importer left a file or annotation row out.
public enum SkipReason: String, Codable, Sendable, CaseIterable {
    case malformedFileName = "malformed file name"
    case malformedRow = "malformed annotation row"
    case duplicateRow = "duplicate annotation row"
    case noPartition = "no partition entry"
    /// The partition file gives the image two different splits.
    case conflictingPartition = "conflicting partition entries"
    case missingImage = "missing image"
    case unreadableImage = "unreadable image"
    case unknownGender = "unknown gender"
    case unknownAge = "unknown age"
    case ageOutOfRange = "age out of range"
    case noFace = "no face"
    case lowFaceScore = "face score below 1"
    case secondFace = "second face"
    case invalidFaceBox = "invalid face box"
    /// The sample's source ID cannot be stored (`DatasetFormat`: at most 96 UTF-8 bytes, no NUL).
    case invalidSourceID = "invalid source ID"
}

/// One skipped file or row: where it is, why, and the details.
public struct SkippedItem: Codable, Equatable, Sendable {
    /// The file, or `annotation-file:line` for a row.
    public var file: String
    public var reason: SkipReason
    public var detail: String

    public init(file: String, reason: SkipReason, detail: String) {
        self.file = file
        self.reason = reason
        self.detail = detail
    }
}

/// What an import did: `import-report.json` in the destination directory.
public struct ImportReport: Codable, Equatable, Sendable {
    public static let fileName = "import-report.json"

    public var dataset: String
    public var sourceDirectory: String
    public var destination: String
    public var imported: Int
    public var skipped: Int
    public var skippedByReason: [String: Int]
    public var splits: [String: Int]
    /// Remarks about the source as a whole (for example a row count that disagrees with
    /// the count line).
    public var notes: [String]
    public var skippedItems: [SkippedItem]

    /// The report's JSON, keys sorted.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain integers, strings and arrays cannot fail.
        return try! encoder.encode(self)
    }
}

/// A problem that stops an import as a whole (a missing or unparseable annotation file,
/// an unwritable destination). Problems with single files or rows are skips, not errors.
public enum ImportError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingFile(file: String)
    case malformedAnnotations(file: String, line: Int, reason: String)
    case npy(NPYError)
    case dataset(DatasetError)

    public var description: String {
        switch self {
        case let .missingFile(file): "\(file): not found (is the source directory the dataset's root?)"
        case let .malformedAnnotations(file, line, reason): "\(file):\(line): \(reason)"
        case let .npy(error): error.description
        case let .dataset(error): error.description
        }
    }
}
