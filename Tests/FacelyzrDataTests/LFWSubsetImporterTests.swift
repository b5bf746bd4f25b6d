import Foundation
import Testing
@testable import FacelyzrData

/// The LFW subset (an NPY array of gray faces, then non-faces) and the NPY reader.
@Suite struct LFWSubsetImporterTests {
    /// An NPY file: `\x93NUMPY`, version, header length, a padded dict header, then the data.
    static func npy(descr: String, shape: [Int], data: [UInt8], major: UInt8 = 1, fortran: Bool = false) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        return npy(header: "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }",
                   data: data, major: major)
    }

    /// An NPY file with the header dict `header` (padded and ended as numpy does).
    static func npy(header dict: String, data: [UInt8], major: UInt8 = 1) -> [UInt8] {
        var header = dict
        let prefix = major == 1 ? 10 : 12
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        if major == 1 {
            bytes.appendLittleEndian(UInt16(header.utf8.count))
        } else {
            bytes.appendLittleEndian(UInt32(header.utf8.count))
        }
        return bytes + Array(header.utf8) + data
    }

    static func float64(_ values: [Double]) -> [UInt8] {
        var bytes: [UInt8] = []
        for value in values { bytes.appendLittleEndian(value.bitPattern) }
        return bytes
    }

    @Test func importsFacesThenNonFaces() throws {
        let source = try TemporaryDirectory(), destination = try TemporaryDirectory()
        // 4 images of 5x5: two faces (values 0.2, 0.4), two non-faces (0.6, 1.0).
        let levels = [0.2, 0.4, 0.6, 1.0]
        let values = levels.flatMap { [Double](repeating: $0, count: 25) }
        try Data(Self.npy(descr: "<f8", shape: [4, 5, 5], data: Self.float64(values)))
            .write(to: URL(fileURLWithPath: source.path + "/lfw_subset.npy"))
        var options = ImportOptions()
        options.size = 10
        let report = try DatasetImporter.run(.lfwSubset, source: source.path, destination: destination.path, options: options)
        #expect(report.imported == 4 && report.skipped == 0)
        let samples = try DatasetReader(directory: destination.path).samples(at: [0, 1, 2, 3])
        #expect(samples.map(\.isFace) == [true, true, false, false])
        #expect(samples.map { $0.image.pixels[0] } == [51, 102, 153, 255])
        #expect(samples.allSatisfy { $0.image.width == 10 && $0.image.channels == 3 && $0.labels.gender == nil })
    }

    @Test func readerHandlesVersionsTypesAndByteOrder() throws {
        let v2 = Self.npy(descr: "|u1", shape: [2, 3], data: [1, 2, 3, 4, 5, 6], major: 2)
        #expect(try NPYArray.parse(v2, name: "a.npy") == NPYArray(shape: [2, 3], values: [1, 2, 3, 4, 5, 6], descr: "|u1"))
        var big: [UInt8] = []
        for value: Float in [1.5, -2] { big += withUnsafeBytes(of: value.bitPattern.bigEndian, Array.init) }
        #expect(try NPYArray.parse(Self.npy(descr: ">f4", shape: [2], data: big), name: "b.npy").values == [1.5, -2])
    }

    @Test func damagedNPYFilesAreTypedErrors() throws {
        let good = Self.npy(descr: "<f8", shape: [2, 2], data: Self.float64([0, 0.5, 1, 0.25]))
        #expect(throws: NPYError.notNPY(file: "x")) { try NPYArray.parse(Array("PK\u{3}\u{4}nope".utf8), name: "x") }
        #expect(throws: NPYError.wrongDataSize(file: "x", expectedBytes: 32, actualBytes: 31)) {
            try NPYArray.parse(Array(good.dropLast()), name: "x")
        }
        #expect(throws: NPYError.unsupportedType(file: "x", descr: "<c16")) {
            try NPYArray.parse(Self.npy(descr: "<c16", shape: [1], data: []), name: "x")
        }
        #expect(throws: NPYError.self) { try NPYArray.parse(Self.npy(descr: "<f8", shape: [1], data: [], fortran: true), name: "x") }
        var version9 = good
        version9[6] = 9
        #expect(throws: NPYError.unsupportedVersion(file: "x", major: 9, minor: 0)) { try NPYArray.parse(version9, name: "x") }
        // Every cut of the file is a typed error, never a crash.
        for cut in 0..<good.count {
            #expect(throws: NPYError.self, "cut at \(cut)") { try NPYArray.parse(Array(good[..<cut]), name: "x") }
        }
        #expect(throws: NPYError.self) { try NPYArray.read(file: "/nonexistent.npy") }
    }

    @Test(arguments: [
        "{'descr': '<f8' 'fortran_order': False, 'shape': (2,), }",  // a comma missing
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), ",  // no closing brace
        "'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",  // no opening brace
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}",  // a key numpy does not write
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'shape': (2,)}",  // a key twice
        "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,)}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} trailing",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2 2)}",
        "{'descr': '<f8, 'fortran_order': False, 'shape': (2,)}",  // an unclosed string
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,),, }",
    ])
    func aMalformedHeaderDictIsRejected(header: String) {
        let bytes = Self.npy(header: header, data: Self.float64([1, 2]))
        #expect {
            try NPYArray.parse(bytes, name: "bad.npy")
        } throws: { error in
            guard case .malformedHeader(file: "bad.npy", _) = error as? NPYError else { return false }
            return true
        }
    }

    @Test func wellFormedHeaderVariantsAreRead() throws {
        // numpy's own spellings: no trailing comma, double quotes, empty shape (a scalar).
        for header in ["{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}",
                       "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f8\"}"] {
            #expect(try NPYArray.parse(Self.npy(header: header, data: Self.float64([1, 2])), name: "a.npy").values == [1, 2])
        }
        let scalar = Self.npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", data: Self.float64([3]))
        #expect(try NPYArray.parse(scalar, name: "s.npy") == NPYArray(shape: [], values: [3], descr: "<f8"))
    }
}
