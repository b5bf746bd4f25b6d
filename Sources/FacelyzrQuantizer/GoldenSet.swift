import FacelyzrData
import FacelyzrFiles
import FacelyzrHost
import Foundation

/// The firmware model's golden set (firmware-model/golden/): held-out faces stored as raw input
/// bytes, their labels, and one blob's exact int32 head outputs on them. The pixels are
/// committed, not regenerated, so a change of the generator or of libm cannot move them
/// silently; `inputsSHA256` pins them. Files:
///
/// - `inputs.raw`: `count` images of `height x width x channels` bytes, back to back;
/// - `labels.tsv`: a header `face male age <CelebA names...>`, then one row per face
///   (`1`/`0`, `-` when unknown);
/// - `outputs.i32`: `count x outputCount` little-endian int32 head outputs of the blob;
/// - `golden.json`: the shape, provenance and SHA-256 of the three files and of the blob.
public struct GoldenSet: Sendable {
    public struct Manifest: Codable, Sendable, Equatable {
        public var count: Int
        public var height: Int
        public var width: Int
        public var channels: Int
        public var outputCount: Int
        /// Where the faces came from (generator, seed, split and indices).
        public var provenance: String
        public var inputsSHA256: String
        public var labelsSHA256: String
        public var outputsSHA256: String
        /// The blob whose outputs `outputs.i32` holds.
        public var blobSHA256: String
    }

    public var manifest: Manifest
    /// `count * height * width * channels` bytes.
    public var inputs: [UInt8]
    public var labels: [FaceLabels]
    /// `count * outputCount` int32 head outputs.
    public var outputs: [Int32]

    public var imageByteCount: Int { manifest.height * manifest.width * manifest.channels }

    /// The pixels of face `index`.
    public func pixels(_ index: Int) -> ArraySlice<UInt8> {
        inputs[index * imageByteCount..<(index + 1) * imageByteCount]
    }

    /// Takes the first `count` faces of the test split of `source` and runs `blob` on them.
    public static func make(blob: LoadedModel, source: any FaceSource, count: Int) throws(GoldenSetError) -> GoldenSet {
        let faces = SplitFaces<TestSplit>(source, limit: count)
        guard faces.count == count else { throw .file(path: faces.description, reason: "the test split holds only \(faces.count) faces, not \(count)") }
        var inputs: [UInt8] = []
        var labels: [FaceLabels] = []
        for i in 0..<count {
            let face: LabelledFace
            do { face = try faces.face(i) } catch { throw .source(.data(error)) }
            inputs += face.pixels
            labels.append(face.labels)
        }
        let input = blob.input
        var set = GoldenSet(
            manifest: Manifest(count: count, height: input.height, width: input.width, channels: input.channels,
                               outputCount: blob.model.outputCount,
                               provenance: "\(faces.description), faces 0..<\(count)",
                               inputsSHA256: sha256Hex(inputs), labelsSHA256: "", outputsSHA256: "",
                               blobSHA256: sha256Hex(Array(blob.bytes))),
            inputs: inputs, labels: labels, outputs: [])
        set.outputs = set.runOutputs(blob)
        set.manifest.labelsSHA256 = sha256Hex(Array(set.labelsText.utf8))
        set.manifest.outputsSHA256 = sha256Hex(set.outputBytes)
        return set
    }

    /// The int32 head outputs of `model` on every golden input, face after face.
    public func runOutputs(_ model: LoadedModel) -> [Int32] {
        var outputs: [Int32] = []
        outputs.reserveCapacity(manifest.count * model.model.outputCount)
        inputs.withUnsafeBufferPointer { pixels in
            for i in 0..<manifest.count {
                model.run(UnsafeBufferPointer(rebasing: pixels[(i * imageByteCount)..<((i + 1) * imageByteCount)]))
                outputs += model.rawOutputs
            }
        }
        return outputs
    }

    /// `outputs` as little-endian bytes (the `outputs.i32` file).
    public var outputBytes: [UInt8] {
        outputs.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: value) >> (8 * $0)) } }
    }

    /// The `labels.tsv` file.
    public var labelsText: String {
        var lines = [(["face", "male", "age"] + CelebAAttribute.allCases.map(\.name)).joined(separator: "\t")]
        for (i, l) in labels.enumerated() {
            var fields = [String(i), l.gender.map(String.init) ?? "-", l.age.map { String($0) } ?? "-"]
            fields += CelebAAttribute.allCases.map { l.attributes[$0].map { $0 ? "1" : "0" } ?? "-" }
            lines.append(fields.joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the four files into `directory` as one `AtomicFileSet`: the manifest, which holds
    /// the others' sizes and SHA-256, appears last, so a failed or killed write never leaves a
    /// manifest beside files it does not describe.
    public func write(to directory: String) throws(GoldenSetError) {
        let manifestJSON: Data
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            manifestJSON = try encoder.encode(manifest) + Data("\n".utf8)
        } catch {
            throw .file(path: directory, reason: "\(error)")
        }
        let files = AtomicFileSet()
        for (name, bytes) in [("inputs.raw", inputs), ("labels.tsv", Array(labelsText.utf8)),
                              ("outputs.i32", outputBytes), ("golden.json", Array(manifestJSON))] {
            do { try files.add(bytes, to: directory + "/" + name) } catch { throw .file(path: directory + "/" + name, reason: "\(error)") }
        }
        do { try files.commit() } catch { throw .file(path: directory, reason: "\(error)") }
    }

    /// Reads a golden set, checking every file against the manifest's size and SHA-256.
    public static func read(from directory: String) throws(GoldenSetError) -> GoldenSet {
        func load(_ name: String) throws(GoldenSetError) -> [UInt8] {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw .file(path: path, reason: "cannot read") }
            return [UInt8](data)
        }
        let manifest: Manifest
        let manifestBytes = try load("golden.json")
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(manifestBytes))
        } catch {
            throw .file(path: directory + "/golden.json", reason: "not a golden manifest: \(DecodingProblem.describe(error))")
        }
        let inputs = try load("inputs.raw")
        let labelBytes = try load("labels.tsv")
        let outputBytes = try load("outputs.i32")
        for (name, bytes, hash) in [("inputs.raw", inputs, manifest.inputsSHA256), ("labels.tsv", labelBytes, manifest.labelsSHA256),
                                    ("outputs.i32", outputBytes, manifest.outputsSHA256)] where sha256Hex(bytes) != hash {
            throw .file(path: directory + "/" + name, reason: "SHA-256 \(sha256Hex(bytes)) differs from golden.json's \(hash)")
        }
        guard inputs.count == manifest.count * manifest.height * manifest.width * manifest.channels,
              outputBytes.count == manifest.count * manifest.outputCount * 4
        else { throw .file(path: directory, reason: "file sizes do not match golden.json") }
        let outputs = stride(from: 0, to: outputBytes.count, by: 4).map { i in
            Int32(bitPattern: UInt32(outputBytes[i]) | UInt32(outputBytes[i + 1]) << 8 | UInt32(outputBytes[i + 2]) << 16 | UInt32(outputBytes[i + 3]) << 24)
        }
        let labels = try parseLabels(String(decoding: labelBytes, as: UTF8.self), path: directory + "/labels.tsv")
        guard labels.count == manifest.count else { throw .file(path: directory + "/labels.tsv", reason: "\(labels.count) rows, not \(manifest.count)") }
        return GoldenSet(manifest: manifest, inputs: inputs, labels: labels, outputs: outputs)
    }

    static func parseLabels(_ text: String, path: String) throws(GoldenSetError) -> [FaceLabels] {
        let rows = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        let attributes = CelebAAttribute.allCases
        guard let header = rows.first, header.count == 3 + attributes.count else { throw .file(path: path, reason: "bad header") }
        var labels: [FaceLabels] = []
        for (line, row) in rows.dropFirst().enumerated() {
            guard row.count == header.count else { throw .file(path: path, reason: "row \(line + 2): \(row.count) fields") }
            var l = FaceLabels(gender: row[1] == "-" ? nil : UInt8(row[1]), age: row[2] == "-" ? nil : Float(row[2]))
            for (a, field) in zip(attributes, row.dropFirst(3)) where field != "-" { l.attributes[a] = field == "1" }
            labels.append(l)
        }
        return labels
    }

    /// The golden faces as a `FaceSource` whose test split is the golden set (the other splits
    /// are empty), so the quantizer's evaluation and drift run on exactly these bytes.
    public var faceSource: any FaceSource {
        InMemoryFaceSource(provenance: "golden set: \(manifest.provenance)", imageShape: [manifest.height, manifest.width, manifest.channels],
                           test: (0..<manifest.count).map { LabelledFace(pixels: Array(pixels($0)), labels: labels[$0]) })
    }
}

/// Why a golden set cannot be made or read; names the file.
public enum GoldenSetError: Error, Equatable, CustomStringConvertible {
    case file(path: String, reason: String)
    case source(QuantizerError)

    public var description: String {
        switch self {
        case .file(let path, let reason): "\(path): \(reason)"
        case .source(let error): "\(error)"
        }
    }
}
