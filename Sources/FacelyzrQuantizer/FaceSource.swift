import FacelyzrData
import FacelyzrSynthetic
import Foundation

/// One labelled face for calibration or evaluation.
public struct LabelledFace: Sendable {
    /// `height * width * channels` bytes, row-major, interleaved.
    public var pixels: [UInt8]
    public var labels: FaceLabels
    /// Skin tone in [0, 1] (light to dark) where the source knows it (the synthetic generator).
    public var skinTone: Float?

    public init(pixels: [UInt8], labels: FaceLabels, skinTone: Float? = nil) {
        self.pixels = pixels
        self.labels = labels
        self.skinTone = skinTone
    }
}

/// Faces addressed by split and position in the split. Implementations must never read a face
/// of a split other than the one asked for.
public protocol FaceSource: Sendable {
    /// What the faces are, for reports and model cards (generator and version, or dataset file).
    var provenance: String { get }
    /// Image shape `[height, width, channels]`.
    var imageShape: [Int] { get }
    /// How many faces `split` holds.
    func count(in split: Split) -> Int
    /// The `index`-th face of `split` (`index < count(in: split)`).
    func face(_ index: Int, in split: Split) throws(QuantizerError) -> LabelledFace
}

/// A split named in a type, so a function that must only see held-out faces says so in its
/// signature (`SplitFaces<CalibrationSplit>`), and passing test faces does not compile.
public protocol SplitTag: Sendable {
    static var split: Split { get }
}

/// The calibration split: held out from training and testing; the quantizer calibrates on it.
public enum CalibrationSplit: SplitTag {
    public static var split: Split { .calibration }
}

/// The test split: the drift report and the model card evaluate on it.
public enum TestSplit: SplitTag {
    public static var split: Split { .test }
}

/// The first `count` faces of one split of a source.
public struct SplitFaces<S: SplitTag>: Sendable {
    public let source: any FaceSource
    public let count: Int

    /// The first `limit` faces (all when nil) of split `S` of `source`.
    public init(_ source: any FaceSource, limit: Int? = nil) {
        self.source = source
        let available = source.count(in: S.split)
        count = max(0, min(available, limit ?? available))
    }

    public func face(_ index: Int) throws(QuantizerError) -> LabelledFace {
        precondition(index >= 0 && index < count)
        return try source.face(index, in: S.split)
    }

    /// `"<provenance>, <split> split, <count> faces"`.
    public var description: String { "\(source.provenance), \(S.split.name) split, \(count) faces" }
}

/// The embedded synthetic generator's splits (`Split.syntheticIndex`): deterministic, nothing stored.
public struct SyntheticFaceSource: FaceSource {
    public let faces: SyntheticFaces

    public init(seed: UInt64 = 0, size: Int) {
        faces = SyntheticFaces(seed: seed, size: size)
    }

    public var provenance: String {
        "synthetic generator v\(SyntheticFaces.generatorVersion), seed \(faces.seed), \(faces.size)x\(faces.size) RGB"
    }
    public var imageShape: [Int] { [faces.size, faces.size, 3] }
    public func count(in split: Split) -> Int { Int(min(split.syntheticCount, UInt64(Int.max))) }

    public func face(_ index: Int, in split: Split) throws(QuantizerError) -> LabelledFace {
        let latents = faces.latents(index: split.syntheticIndex(UInt64(index)))
        var pixels = [UInt8](repeating: 0, count: faces.size * faces.size * 3)
        pixels.withUnsafeMutableBufferPointer { faces.render(latents, into: $0) }
        return LabelledFace(pixels: pixels, labels: latents.labels, skinTone: latents.skinTone)
    }
}

/// A dataset file written by the importers (`DatasetReader`).
public struct DatasetFaceSource: FaceSource {
    public let reader: DatasetReader
    private let indices: [Split: [Int]]

    public init(_ reader: DatasetReader) {
        self.reader = reader
        indices = Dictionary(uniqueKeysWithValues: Split.allCases.map { ($0, reader.indices(in: $0)) })
    }

    /// Opens the dataset file (or the `samples.fzds` of a dataset directory) at `path`.
    public init(path: String) throws(QuantizerError) {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        do {
            self.init(isDirectory.boolValue ? try DatasetReader(directory: path) : try DatasetReader(file: path))
        } catch {
            throw .data(error)
        }
    }

    public var provenance: String {
        "dataset \(reader.path) (format v\(DatasetFormat.version), \(reader.format.width)x\(reader.format.height)x\(reader.format.channels))"
    }
    public var imageShape: [Int] { [reader.format.height, reader.format.width, reader.format.channels] }
    public func count(in split: Split) -> Int { indices[split]?.count ?? 0 }

    public func face(_ index: Int, in split: Split) throws(QuantizerError) -> LabelledFace {
        do {
            let sample = try reader.sample(at: indices[split]![index])
            return LabelledFace(pixels: sample.image.pixels, labels: sample.labels)
        } catch {
            throw .data(error)
        }
    }
}

/// Opens the faces a command line names: `synthetic` (the embedded generator at the network's
/// input size, population `syntheticSeed`) or the path of a dataset file or directory.
public func openFaceSource(_ argument: String, imageSize: Int, syntheticSeed: UInt64) throws(QuantizerError) -> any FaceSource {
    argument == "synthetic" ? SyntheticFaceSource(seed: syntheticSeed, size: imageSize) : try DatasetFaceSource(path: argument)
}
