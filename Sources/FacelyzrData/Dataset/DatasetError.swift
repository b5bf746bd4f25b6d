/// Why a dataset file could not be read or written. Cases name the file and, for records,
/// the record index.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    /// The file does not start with the dataset magic `FZDS`.
    case notADataset(file: String)
    case unsupportedVersion(file: String, version: UInt32)
    case corruptHeader(file: String, reason: String)
    /// The file is shorter (or longer) than its header says.
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    case corruptRecord(file: String, index: Int, reason: String)
    case indexOutOfRange(file: String, index: Int, count: Int)
    /// The writer was given a sample that does not fit the dataset.
    case invalidSample(sourceID: String, reason: String)
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the dataset: \(reason)"
        case let .notADataset(file): "\(file): not a Facelyzr dataset (no FZDS magic)"
        case let .unsupportedVersion(file, version): "\(file): dataset format version \(version) is not supported"
        case let .corruptHeader(file, reason): "\(file): corrupt dataset header: \(reason)"
        case let .truncated(file, expected, actual):
            "\(file): dataset file has \(actual) bytes, its header says \(expected) (truncated or damaged)"
        case let .corruptRecord(file, index, reason): "\(file): record \(index) is corrupt: \(reason)"
        case let .indexOutOfRange(file, index, count): "\(file): record \(index) requested, the dataset has \(count)"
        case let .invalidSample(sourceID, reason): "sample \(sourceID): \(reason)"
        case let .unwritable(file, reason): "\(file): cannot write the dataset: \(reason)"
        }
    }
}
