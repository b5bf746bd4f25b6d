import FacelyzrFiles

/// Why an NPY file could not be read. Cases name the file.
public enum NPYError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    /// The file does not start with `\x93NUMPY`.
    case notNPY(file: String)
    case unsupportedVersion(file: String, major: UInt8, minor: UInt8)
    case malformedHeader(file: String, reason: String)
    /// A dtype the reader does not convert (it reads u1, f4, f8 in either byte order).
    case unsupportedType(file: String, descr: String)
    /// The data is shorter or longer than the shape and dtype say.
    case wrongDataSize(file: String, expectedBytes: Int, actualBytes: Int)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the NPY file: \(reason)"
        case let .notNPY(file): "\(file): not an NPY file (no \\x93NUMPY magic)"
        case let .unsupportedVersion(file, major, minor): "\(file): NPY format version \(major).\(minor) is not supported"
        case let .malformedHeader(file, reason): "\(file): malformed NPY header: \(reason)"
        case let .unsupportedType(file, descr): "\(file): NPY dtype '\(descr)' is not supported (u1, f4, f8)"
        case let .wrongDataSize(file, expected, actual):
            "\(file): NPY data has \(actual) bytes, shape and dtype need \(expected) (truncated or damaged)"
        }
    }
}

/// A C-ordered array read from a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0),
/// its values converted to Float.
public struct NPYArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]
    /// The file's dtype descriptor, such as `<f8`.
    public var descr: String

    /// Reads an NPY file.
    public static func read(file path: String) throws(NPYError) -> NPYArray {
        let bytes: [UInt8]
        do {
            bytes = try ReadOnlyFile.readAll(path: path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        return try parse(bytes, name: path)
    }

    /// Parses the bytes of an NPY file; `name` is used in errors.
    public static func parse(_ bytes: [UInt8], name: String) throws(NPYError) -> NPYArray {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 8, Array(bytes[0..<6]) == magic else { throw .notNPY(file: name) }
        let major = bytes[6], minor = bytes[7]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            guard bytes.count >= 10 else { throw .malformedHeader(file: name, reason: "file ends in the header length") }
            headerStart = 10
            headerLength = Int(bytes.littleEndian(at: 8) as UInt16)
        case 2, 3:
            guard bytes.count >= 12 else { throw .malformedHeader(file: name, reason: "file ends in the header length") }
            headerStart = 12
            headerLength = Int(bytes.littleEndian(at: 8) as UInt32)
        default:
            throw .unsupportedVersion(file: name, major: major, minor: minor)
        }
        guard minor == 0 else { throw .unsupportedVersion(file: name, major: major, minor: minor) }
        guard headerLength <= bytes.count - headerStart else {
            throw .malformedHeader(file: name, reason: "header length \(headerLength) runs past the end of the file")
        }
        let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
        let descr = try stringValue(of: "descr", in: header, name: name)
        let fortran = try rawValue(of: "fortran_order", in: header, name: name)
        guard fortran == "False" else {
            throw .malformedHeader(file: name, reason: "fortran_order \(fortran) (only C order is read)")
        }
        let shape = try shapeValue(in: header, name: name)

        let elementSize: Int
        switch descr {
        case "|u1", "u1": elementSize = 1
        case "<f4", ">f4": elementSize = 4
        case "<f8", ">f8": elementSize = 8
        default: throw .unsupportedType(file: name, descr: descr)
        }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= 1 << 40 else { throw .malformedHeader(file: name, reason: "shape \(shape) is too large") }
            count = product
        }
        let dataStart = headerStart + headerLength
        let expected = count * elementSize
        guard bytes.count - dataStart == expected else {
            throw .wrongDataSize(file: name, expectedBytes: expected, actualBytes: bytes.count - dataStart)
        }
        let bigEndian = descr.hasPrefix(">")
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let offset = dataStart + i * elementSize
            switch elementSize {
            case 1: values[i] = Float(bytes[offset])
            case 4:
                let bits: UInt32 = bytes.littleEndian(at: offset)
                values[i] = Float(bitPattern: bigEndian ? bits.byteSwapped : bits)
            default:
                let bits: UInt64 = bytes.littleEndian(at: offset)
                values[i] = Float(Double(bitPattern: bigEndian ? bits.byteSwapped : bits))
            }
        }
        return NPYArray(shape: shape, values: values, descr: descr)
    }

    /// The text after `'key':` up to the next comma or closing brace, trimmed.
    private static func rawValue(of key: String, in header: String, name: String) throws(NPYError) -> Substring {
        guard let range = header.range(of: "'\(key)':") else {
            throw .malformedHeader(file: name, reason: "no '\(key)' key")
        }
        let rest = header[range.upperBound...].drop { $0 == " " }
        return rest.prefix { $0 != "," && $0 != "}" }.trimmingSuffix(" ")
    }

    private static func stringValue(of key: String, in header: String, name: String) throws(NPYError) -> String {
        let value = try rawValue(of: key, in: header, name: name)
        guard value.count >= 2, value.first == "'", value.last == "'" else {
            throw .malformedHeader(file: name, reason: "'\(key)' is not a string")
        }
        return String(value.dropFirst().dropLast())
    }

    private static func shapeValue(in header: String, name: String) throws(NPYError) -> [Int] {
        guard let range = header.range(of: "'shape':") else { throw .malformedHeader(file: name, reason: "no 'shape' key") }
        let rest = header[range.upperBound...].drop { $0 == " " }
        guard rest.first == "(", let close = rest.firstIndex(of: ")") else {
            throw .malformedHeader(file: name, reason: "'shape' is not a tuple")
        }
        var shape: [Int] = []
        for part in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
            let text = part.trimmingSuffix(" ").drop { $0 == " " }
            guard let dimension = Int(text), dimension >= 0 else {
                throw .malformedHeader(file: name, reason: "shape entry '\(text)'")
            }
            shape.append(dimension)
        }
        return shape
    }
}

extension Substring {
    func trimmingSuffix(_ character: Character) -> Substring {
        var result = self
        while result.last == character { result.removeLast() }
        return result
    }
}
