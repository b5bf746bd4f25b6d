import FacelyzrData
import FacelyzrFiles
import Foundation

/// Why a safetensors file could not be read, naming the file.
public struct SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Problem: Equatable, Sendable {
        case unreadable(String)
        /// Fewer than the 8 bytes of the header length.
        case tooShort(byteCount: Int)
        /// The header length points past the end of the file.
        case headerLengthOutOfRange(headerLength: UInt64, fileSize: Int)
        case headerNotJSONObject(String)
        /// A tensor entry lacks `dtype`, `shape` or `data_offsets`, or has them in the wrong form.
        case malformedEntry(tensor: String, String)
        case unsupportedDType(tensor: String, dtype: String)
        /// `data_offsets` do not fit the shape, overlap, leave holes or leave the data buffer.
        case badDataOffsets(tensor: String, String)
        case metadataNotStringMap
    }

    public var file: String
    public var problem: Problem

    public var description: String { "\(file): not a valid safetensors file: \(problem)" }
}

/// A safetensors file: named float32 tensors and a string-to-string metadata map.
///
/// Layout (https://github.com/huggingface/safetensors): 8-byte little-endian header length `N`;
/// `N` bytes of JSON, `{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
/// ..., "__metadata__": {"key": "value"}}` padded with spaces to a multiple of 8; then the data
/// buffer, in which each tensor occupies `[begin, end)` as little-endian values, with no holes.
public struct SafetensorsFile: Sendable, Equatable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The file's bytes; tensors are laid out in name order.
    public func serialized() -> [UInt8] {
        var header: [String: Any] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
            offset += 4 * t.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = [UInt8](try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        while json.count % 8 != 0 { json.append(0x20) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: json)
        for name in names {
            for v in tensors[name]!.values {
                withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        return bytes
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    public func write(to path: String) throws(FileError) {
        try AtomicFileWriter.write(serialized(), to: path)
    }

    /// Reads and validates a file.
    public static func read(from path: String) throws(SafetensorsError) -> SafetensorsFile {
        let bytes: [UInt8]
        do { bytes = try ReadOnlyFile.readAll(path: path) } catch {
            throw SafetensorsError(file: path, problem: .unreadable(error.reason))
        }
        return try SafetensorsFile(bytes: bytes, file: path)
    }

    /// Parses and validates `bytes`; `file` names the source in errors.
    public init(bytes: [UInt8], file: String) throws(SafetensorsError) {
        func fail(_ p: SafetensorsError.Problem) -> SafetensorsError { SafetensorsError(file: file, problem: p) }
        guard bytes.count >= 8 else { throw fail(.tooShort(byteCount: bytes.count)) }
        var headerLength: UInt64 = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(bytes[i]) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail(.headerLengthOutOfRange(headerLength: headerLength, fileSize: bytes.count))
        }
        let dataStart = 8 + Int(headerLength)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
        } catch {
            throw fail(.headerNotJSONObject("\(error.localizedDescription)"))
        }
        guard let header = object as? [String: Any] else { throw fail(.headerNotJSONObject("the header is not an object")) }
        let bufferSize = bytes.count - dataStart

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let map = raw as? [String: Any] else { throw fail(.metadataNotStringMap) }
            for (k, v) in map {
                guard let s = v as? String else { throw fail(.metadataNotStringMap) }
                metadata[k] = s
            }
        }

        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, raw) in header where name != "__metadata__" {
            guard let entry = raw as? [String: Any] else { throw fail(.malformedEntry(tensor: name, "not an object")) }
            guard let dtype = entry["dtype"] as? String else { throw fail(.malformedEntry(tensor: name, "no dtype string")) }
            guard dtype == "F32" else { throw fail(.unsupportedDType(tensor: name, dtype: dtype)) }
            guard let shape = Self.integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail(.malformedEntry(tensor: name, "shape is not a list of non-negative integers"))
            }
            guard let offsets = Self.integers(entry["data_offsets"]), offsets.count == 2 else {
                throw fail(.malformedEntry(tensor: name, "data_offsets is not two integers"))
            }
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= bufferSize else {
                    throw fail(.badDataOffsets(tensor: name, "shape \(shape) is larger than the data buffer"))
                }
                count = product
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end - begin == 4 * count else {
                throw fail(.badDataOffsets(tensor: name, "[\(begin), \(end)) does not hold \(count) F32 values"))
            }
            guard end <= bufferSize else {
                throw fail(.badDataOffsets(tensor: name, "[\(begin), \(end)) ends past the data buffer of \(bufferSize) bytes"))
            }
            entries.append((name, shape, begin, end))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for e in entries {
            guard e.begin == expected else {
                throw fail(.badDataOffsets(tensor: e.name, e.begin < expected ? "overlaps the previous tensor" : "leaves a hole before it"))
            }
            expected = e.end
        }
        guard expected == bufferSize else {
            throw fail(.badDataOffsets(tensor: entries.last?.name ?? "", "the data buffer has \(bufferSize - expected) bytes after the last tensor"))
        }

        var tensors: [String: Tensor] = [:]
        for e in entries {
            var values = [Float](repeating: 0, count: (e.end - e.begin) / 4)
            for i in values.indices {
                let p = dataStart + e.begin + 4 * i
                let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
                values[i] = Float(bitPattern: bits)
            }
            tensors[e.name] = Tensor(shape: e.shape, values: values)
        }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// A JSON array of integers (not floats, not booleans) as `[Int]`.
    private static func integers(_ raw: Any?) -> [Int]? {
        guard let array = raw as? [Any] else { return nil }
        var result: [Int] = []
        for element in array {
            // objCType: "d"/"f" for JSON numbers with a fraction or exponent, "c" for booleans.
            guard let n = element as? NSNumber, !["d", "f", "c", "B"].contains(String(cString: n.objCType)),
                  let i = Int(exactly: n.int64Value)
            else { return nil }
            result.append(i)
        }
        return result
    }
}
