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
        var header = HeaderParser(bytes: bytes[headerStart..<headerStart + headerLength], name: name)
        let (descr, fortran, shape) = try header.dictionary()
        guard !fortran else { throw .malformedHeader(file: name, reason: "fortran_order True (only C order is read)") }

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
}

/// The NPY header: a Python dict literal as numpy writes it, `{'descr': '<f8', 'fortran_order':
/// False, 'shape': (200, 25, 25), }`, then spaces and a newline. Exactly these three keys, each
/// once, in any order, quoted with ' or "; a string, True or False, a tuple of non-negative
/// integers (Python 2's `25L` too); commas between entries, an optional one before `}`.
/// Anything else is `NPYError.malformedHeader`, as numpy itself refuses such a header.
private struct HeaderParser {
    let bytes: ArraySlice<UInt8>
    let name: String
    var index: Int

    init(bytes: ArraySlice<UInt8>, name: String) {
        self.bytes = bytes
        self.name = name
        index = bytes.startIndex
    }

    mutating func dictionary() throws(NPYError) -> (descr: String, fortran: Bool, shape: [Int]) {
        var descr: String?, fortran: Bool?, shape: [Int]?
        try expect("{")
        while peek != UInt8(ascii: "}") {
            let key = try string("a key")
            try expect(":")
            switch key {
            case "descr" where descr == nil: descr = try string("'descr'")
            case "fortran_order" where fortran == nil: fortran = try boolean()
            case "shape" where shape == nil: shape = try tuple()
            case "descr", "fortran_order", "shape": throw malformed("'\(key)' given twice")
            default: throw malformed("unexpected key '\(key)'")
            }
            guard peek == UInt8(ascii: ",") else { break }
            index += 1
        }
        try expect("}")
        skipSpaces()
        guard index == bytes.endIndex else { throw malformed("text after the dict") }
        guard let descr else { throw malformed("no 'descr' key") }
        guard let fortran else { throw malformed("no 'fortran_order' key") }
        guard let shape else { throw malformed("no 'shape' key") }
        return (descr, fortran, shape)
    }

    func malformed(_ reason: String) -> NPYError { .malformedHeader(file: name, reason: reason) }

    /// The next byte after spaces, tabs and newlines (0 at the end).
    var peek: UInt8 {
        mutating get {
            skipSpaces()
            return index < bytes.endIndex ? bytes[index] : 0
        }
    }

    mutating func skipSpaces() {
        while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func expect(_ character: Unicode.Scalar) throws(NPYError) {
        guard peek == UInt8(ascii: character) else { throw malformed("expected '\(character)' at byte \(index - bytes.startIndex)") }
        index += 1
    }

    /// A quoted string without escapes.
    mutating func string(_ what: String) throws(NPYError) -> String {
        let quote = peek
        guard quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { throw malformed("\(what) is not a string") }
        let start = index + 1
        guard let end = bytes[start...].firstIndex(of: quote) else { throw malformed("\(what): unclosed string") }
        index = end + 1
        guard let text = String(validating: bytes[start..<end], as: UTF8.self) else { throw malformed("\(what) is not UTF-8") }
        return text
    }

    mutating func boolean() throws(NPYError) -> Bool {
        skipSpaces()
        for (word, value) in [("True", true), ("False", false)] where bytes[index...].starts(with: word.utf8) {
            index += word.utf8.count
            return value
        }
        throw malformed("'fortran_order' is neither True nor False")
    }

    mutating func tuple() throws(NPYError) -> [Int] {
        try expect("(")
        var values: [Int] = []
        while peek != UInt8(ascii: ")") {
            let start = index
            while index < bytes.endIndex, (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard let value = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
                throw malformed("'shape' entry at byte \(start - bytes.startIndex) is not a non-negative integer")
            }
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "L") { index += 1 }
            values.append(value)
            guard peek == UInt8(ascii: ",") else { break }
            index += 1
        }
        try expect(")")
        return values
    }
}

extension Substring {
    func trimmingSuffix(_ character: Character) -> Substring {
        var result = self
        while result.last == character { result.removeLast() }
        return result
    }
}
