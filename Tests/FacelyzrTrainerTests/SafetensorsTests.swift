import FacelyzrData
import FacelyzrFiles
import FacelyzrRandom
import Foundation
import Testing
@testable import FacelyzrTrainer

/// A fresh empty folder for one test.
func temporaryFolder() -> String {
    let path = NSTemporaryDirectory() + "facelyzr-test-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A file made of a header length, a header text and a data buffer, as a writer would lay it out.
func safetensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
    var json = Array(header.utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    var bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(json.count) >> (8 * $0)) }
    bytes += json
    bytes += data
    return bytes
}

func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
}

@Suite struct SafetensorsTests {
    static let sample = SafetensorsFile(
        tensors: [
            "encoder.0.weight": Tensor(shape: [2, 1, 1, 3], values: [1, -2, 3.5, 0, .pi, -0.25]),
            "encoder.0.bias": Tensor(shape: [2], values: [0.5, -1e-7]),
            "empty": Tensor(shape: [0, 4], values: []),
        ],
        metadata: ["format": "test", "note": "a \"quoted\" / slashed value"])

    @Test func writtenFileFollowsTheSafetensorsLayout() throws {
        let bytes = Self.sample.serialized()
        // Read it back by the format's rules alone, without SafetensorsFile.
        var n = 0
        for i in 0..<8 { n |= Int(bytes[i]) << (8 * i) }
        #expect(n % 8 == 0)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        #expect(header["__metadata__"] as? [String: String] == Self.sample.metadata)
        var covered = 0
        for (name, tensor) in Self.sample.tensors {
            let entry = try #require(header[name] as? [String: Any])
            #expect(entry["dtype"] as? String == "F32")
            #expect(entry["shape"] as? [Int] == tensor.shape)
            let offsets = try #require(entry["data_offsets"] as? [Int])
            let raw = Array(bytes[(8 + n + offsets[0])..<(8 + n + offsets[1])])
            #expect(raw == littleEndianBytes(tensor.values))
            covered += offsets[1] - offsets[0]
        }
        #expect(8 + n + covered == bytes.count)
    }

    @Test func aFileAsPythonWritesItIsRead() throws {
        // The header `safetensors.numpy.save({"b": np.float32([[1, 2]]), "a": np.float32([3])},
        // metadata={"k": "v"})` wrote (safetensors 0.8.0, checked by hand), padded with spaces to 8 bytes.
        let header = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}}"#
        let file = try SafetensorsFile(bytes: safetensorsBytes(header: header, data: littleEndianBytes([3, 1, 2])), file: "py.safetensors")
        #expect(file.tensors == ["a": Tensor(shape: [1], values: [3]), "b": Tensor(shape: [1, 2], values: [1, 2])])
        #expect(file.metadata == ["k": "v"])
    }

    @Test func roundTripsThroughAnAtomicWrite() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.safetensors"
        try Self.sample.write(to: path)
        try SafetensorsFile(tensors: ["x": Tensor(shape: [1], values: [7])]).write(to: path)  // replaces
        try Self.sample.write(to: path)
        #expect(try SafetensorsFile.read(from: path) == Self.sample)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.safetensors"])
    }

    @Test func writingIntoAMissingFolderIsATypedError() {
        #expect(throws: FileError.self) { try Self.sample.write(to: "/nonexistent-folder/x.safetensors") }
    }

    static let badFiles: [(String, [UInt8], String)] = [
        ("short", [1, 2, 3], "tooShort"),
        ("length past end", [200, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0x7D], "headerLengthOutOfRange"),
        ("not json", safetensorsBytes(header: "{nope", data: []), "headerNotJSONObject"),
        ("array", safetensorsBytes(header: "[]", data: []), "headerNotJSONObject"),
        ("f16", safetensorsBytes(header: #"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "unsupportedDType"),
        ("no shape", safetensorsBytes(header: #"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "malformedEntry"),
        ("float shape", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "malformedEntry"),
        ("size mismatch", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "badDataOffsets"),
        ("past buffer", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [0, 0, 0, 0]), "badDataOffsets"),
        ("overlap", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "badDataOffsets"),
        ("trailing bytes", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0, 9]), "badDataOffsets"),
        ("huge shape", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#, data: []), "badDataOffsets"),
        ("metadata not strings", safetensorsBytes(header: #"{"__metadata__":{"k":1}}"#, data: []), "metadataNotStringMap"),
    ]

    @Test(arguments: badFiles.indices)
    func invalidFilesGiveATypedErrorNamingTheFile(_ index: Int) {
        let (what, bytes, expected) = Self.badFiles[index]
        do {
            _ = try SafetensorsFile(bytes: bytes, file: "bad.safetensors")
            Issue.record("\(what): accepted")
        } catch {
            #expect(error.file == "bad.safetensors")
            #expect("\(error.problem)".hasPrefix(expected), "\(what): \(error.problem)")
            #expect("\(error)".hasPrefix("bad.safetensors: "))
        }
    }

    @Test func aMissingFileIsATypedErrorNamingIt() {
        #expect(throws: SafetensorsError(file: "/no/such.safetensors", problem: .unreadable("cannot open: No such file or directory"))) {
            try SafetensorsFile.read(from: "/no/such.safetensors")
        }
    }

    /// Every truncation and many single-byte corruptions of a valid file are read or rejected with
    /// a typed error, never a crash.
    @Test func corruptedFilesNeverCrashTheReader() {
        let bytes = Self.sample.serialized()
        for length in 0..<bytes.count {
            #expect(throws: SafetensorsError.self) { try SafetensorsFile(bytes: Array(bytes[..<length]), file: "t") }
        }
        var gen = SplitMix64(state: 40)
        for _ in 0..<2000 {
            var corrupted = bytes
            corrupted[Int(gen.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: gen.next())
            _ = try? SafetensorsFile(bytes: corrupted, file: "t")
        }
    }
}
