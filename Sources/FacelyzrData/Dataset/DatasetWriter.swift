import FacelyzrFiles
import Foundation

/// Writes a dataset directory: `samples.fzds` (see `DatasetFormat`) and `manifest.json`.
/// Samples stream to a temporary file; `finish()` writes the header and split table and
/// renames both files into place, so a reader never sees a half-written dataset.
public final class DatasetWriter {
    public static let samplesFileName = "samples.fzds"

    public let directory: String
    public let format: DatasetFormat
    public let source: String
    private let file: AtomicFileWriter
    private var splits: [UInt8] = []
    private var labelCounts = DatasetManifest.LabelCounts()

    /// Starts a dataset in `directory` (created if missing) for images of the given shape.
    public init(directory: String, format: DatasetFormat, source: String) throws(DatasetError) {
        self.directory = directory
        self.format = format
        self.source = source
        let path = directory + "/" + Self.samplesFileName
        if let problem = format.problem { throw .unwritable(file: path, reason: problem) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(file: directory, reason: "cannot create the directory")
        }
        do {
            file = try AtomicFileWriter(path: path)
            // The header is rewritten by finish() once the count is known.
            try file.write(format.encodeHeader(recordCount: 0, splitTableCRC: 0))
        } catch {
            throw .unwritable(file: error.path, reason: error.reason)
        }
    }

    /// How many samples have been appended.
    public var count: Int { splits.count }

    /// Appends one sample; its image must have the dataset's shape.
    public func append(_ sample: FaceSample) throws(DatasetError) {
        if let problem = format.problem(with: sample) {
            throw .invalidSample(sourceID: sample.sourceID, reason: problem)
        }
        do {
            try file.write(format.encodeRecord(sample))
        } catch {
            throw .unwritable(file: error.path, reason: error.reason)
        }
        splits.append(sample.split.rawValue)
        count(sample)
    }

    private func count(_ sample: FaceSample) {
        if let gender = sample.labels.gender {
            labelCounts.gender += 1
            if gender == 1 { labelCounts.male += 1 } else { labelCounts.female += 1 }
        }
        if sample.labels.age != nil { labelCounts.age += 1 }
        if let isFace = sample.isFace {
            if isFace { labelCounts.face += 1 } else { labelCounts.notFace += 1 }
        }
        if sample.labels.attributes.known != 0 { labelCounts.attributes += 1 }
    }

    /// Completes both files and returns the manifest that was written.
    @discardableResult
    public func finish() throws(DatasetError) -> DatasetManifest {
        let manifest = DatasetManifest(
            formatVersion: Int(format.version), samplesFile: Self.samplesFileName, source: source,
            width: format.width, height: format.height, channels: format.channels, count: count,
            splits: Dictionary(uniqueKeysWithValues: Split.allCases.map { split in
                (split.name, splits.lazy.filter { $0 == split.rawValue }.count)
            }),
            labels: labelCounts, attributeNames: DatasetFormat.attributeNames, labelConvention: DatasetManifest.convention)
        do {
            try file.write(splits)
            try file.write(format.encodeHeader(recordCount: count, splitTableCRC: crc32(splits[...])), at: 0)
            try file.commit()
            try AtomicFileWriter.write(Array(manifest.jsonData()), to: directory + "/" + DatasetManifest.fileName)
        } catch {
            throw .unwritable(file: error.path, reason: error.reason)
        }
        return manifest
    }
}
