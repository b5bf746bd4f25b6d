import FacelyzrFiles
import FacelyzrRandom

/// Reads a dataset file written by `DatasetWriter` without loading it: the header and the
/// split table are read and validated when it is opened, records on demand (random access
/// by index). Safe to share across threads.
public final class DatasetReader: Sendable {
    public let path: String
    public let format: DatasetFormat
    public let count: Int
    /// The split of every record, in record order.
    public let splits: [Split]
    private let file: ReadOnlyFile

    /// Opens `samples.fzds` in a dataset directory.
    public convenience init(directory: String) throws(DatasetError) {
        try self.init(file: directory + "/" + DatasetWriter.samplesFileName)
    }

    /// Opens a dataset file and validates its header, size and split table.
    public init(file path: String) throws(DatasetError) {
        self.path = path
        do {
            file = try ReadOnlyFile(path: path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        let prefix = try Self.read(file, count: min(file.byteCount, 1 << 20), at: 0)
        let header = try DatasetFormat.decodeHeader(prefix, file: path)
        format = header.format
        count = header.recordCount
        let (recordBytes, overflow) = count.multipliedReportingOverflow(by: format.recordByteCount + 1)
        guard !overflow else { throw .corruptHeader(file: path, reason: "record count \(count) is impossible") }
        let expected = format.headerByteCount + recordBytes
        guard file.byteCount == expected else {
            throw .truncated(file: path, expectedBytes: expected, actualBytes: file.byteCount)
        }
        let table = try Self.read(file, count: count, at: format.recordOffset(count))
        guard crc32(table[...]) == header.splitTableCRC else {
            throw .corruptHeader(file: path, reason: "split table checksum mismatch")
        }
        var splits: [Split] = []
        splits.reserveCapacity(count)
        for (index, byte) in table.enumerated() {
            guard let split = Split(rawValue: byte) else {
                throw .corruptRecord(file: path, index: index, reason: "split table entry \(byte)")
            }
            splits.append(split)
        }
        self.splits = splits
    }

    /// The indices of the records in `split`, ascending.
    public func indices(in split: Split) -> [Int] {
        splits.indices.filter { splits[$0] == split }
    }

    /// Record `index`, validated (checksum, label ranges, split matches the table).
    public func sample(at index: Int) throws(DatasetError) -> FaceSample {
        guard index >= 0 && index < count else { throw .indexOutOfRange(file: path, index: index, count: count) }
        let bytes = try Self.read(file, count: format.recordByteCount, at: format.recordOffset(index))
        guard bytes.count == format.recordByteCount else {
            throw .corruptRecord(file: path, index: index, reason: "file ends inside the record")
        }
        let sample = try format.decodeRecord(bytes[...], index: index, file: path)
        guard sample.split == splits[index] else {
            throw .corruptRecord(file: path, index: index, reason: "split differs from the split table")
        }
        return sample
    }

    /// The records at `indices`, in that order.
    public func samples(at indices: [Int]) throws(DatasetError) -> [FaceSample] {
        var result: [FaceSample] = []
        result.reserveCapacity(indices.count)
        for index in indices { result.append(try sample(at: index)) }
        return result
    }

    /// Batches of the records in `split`, in record order, or shuffled by `seed`
    /// (the same seed gives the same order on every machine). Records are read one batch
    /// at a time.
    public func batches(in split: Split, size: Int, shuffleSeed seed: UInt64? = nil) -> DatasetBatches {
        precondition(size > 0, "batch size must be positive")
        var order = indices(in: split)
        if let seed { Self.shuffle(&order, seed: seed) }
        return DatasetBatches(reader: self, order: order, size: size)
    }

    /// Fisher-Yates with SplitMix64 (index `next() % (i + 1)`), spelled out so the order does
    /// not depend on the standard library's shuffle.
    static func shuffle(_ order: inout [Int], seed: UInt64) {
        var rng = SplitMix64(state: seed)
        guard order.count > 1 else { return }
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
    }

    private static func read(_ file: ReadOnlyFile, count: Int, at offset: Int) throws(DatasetError) -> [UInt8] {
        do {
            return try file.read(count: count, at: offset)
        } catch {
            throw .unreadable(file: error.path, reason: error.reason)
        }
    }
}

/// Batches of samples read on demand from a `DatasetReader`.
public struct DatasetBatches: Sendable {
    public let reader: DatasetReader
    /// The record indices in the order they are served.
    public let order: [Int]
    public let size: Int
    private var position = 0

    init(reader: DatasetReader, order: [Int], size: Int) {
        self.reader = reader
        self.order = order
        self.size = size
    }

    /// The next batch (the last one may be smaller), or nil after the last.
    public mutating func next() throws(DatasetError) -> [FaceSample]? {
        guard position < order.count else { return nil }
        let end = min(position + size, order.count)
        let batch = try reader.samples(at: Array(order[position..<end]))
        position = end
        return batch
    }
}
