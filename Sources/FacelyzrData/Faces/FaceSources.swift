import FacelyzrSynthetic
import Foundation

/// The embedded synthetic generator's splits (`Split.syntheticIndex`): deterministic, nothing stored.
public struct SyntheticFaceSource: FaceSource {
    public let faces: SyntheticFaces

    /// The generator's faces (any configuration, seed and size).
    public init(_ faces: SyntheticFaces) {
        self.faces = faces
    }

    /// The default population `seed` at `size` x `size`.
    public init(seed: UInt64 = 0, size: Int) {
        self.init(SyntheticFaces(seed: seed, size: size))
    }

    public var provenance: String {
        "synthetic generator v\(SyntheticFaces.generatorVersion), seed \(faces.seed), \(faces.size)x\(faces.size) RGB"
    }
    public var imageShape: [Int] { [faces.size, faces.size, 3] }
    public func count(in split: Split) -> Int { Int(min(split.syntheticCount, UInt64(Int.max))) }

    public func face(_ index: Int, in split: Split) -> LabelledFace {
        let latents = faces.latents(index: split.syntheticIndex(UInt64(index)))
        var pixels = [UInt8](repeating: 0, count: faces.size * faces.size * 3)
        pixels.withUnsafeMutableBufferPointer { faces.render(latents, into: $0) }
        return LabelledFace(pixels: pixels, labels: latents.labels, isFace: true, skinTone: latents.skinTone)
    }

    public func trainingProvenance(split: Split, count: Int) -> String {
        "synthetic faces (generator version \(SyntheticFaces.generatorVersion), seed \(faces.seed), \(faces.size)x\(faces.size)), "
            + "\(split.name) split, faces 0..<\(count)"
    }
}

/// A dataset file written by the importers (`DatasetReader`): the `i`-th face of a split is the
/// split's `i`-th record.
public struct DatasetFaceSource: FaceSource {
    public let reader: DatasetReader
    private let indices: [Split: [Int]]

    public init(_ reader: DatasetReader) {
        self.reader = reader
        indices = Dictionary(uniqueKeysWithValues: Split.allCases.map { ($0, reader.indices(in: $0)) })
    }

    /// Opens the dataset file (or the `samples.fzds` of a dataset directory) at `path`.
    public init(path: String) throws(DatasetError) {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        self.init(isDirectory.boolValue ? try DatasetReader(directory: path) : try DatasetReader(file: path))
    }

    public var provenance: String {
        "dataset \(reader.path) (format v\(reader.format.version), \(reader.format.width)x\(reader.format.height)x\(reader.format.channels))"
    }
    public var imageShape: [Int] { [reader.format.height, reader.format.width, reader.format.channels] }
    public func count(in split: Split) -> Int { indices[split]?.count ?? 0 }

    public func face(_ index: Int, in split: Split) throws(DatasetError) -> LabelledFace {
        Self.face(try reader.sample(at: indices[split]![index]))
    }

    public func faces(_ indices: [Int], in split: Split) throws(DatasetError) -> [LabelledFace] {
        let records = self.indices[split]!
        return try reader.samples(at: indices.map { records[$0] }).map(Self.face)
    }

    /// `"dataset <path>, <split> split, <count> records"`.
    public func trainingProvenance(split: Split, count: Int) -> String {
        "dataset \(reader.path), \(split.name) split, \(count) records"
    }

    private static func face(_ sample: FaceSample) -> LabelledFace {
        LabelledFace(pixels: sample.image.pixels, labels: sample.labels, isFace: sample.isFace)
    }
}

/// Faces held in memory, per split: faces read once and revisited (cross-validation folds,
/// golden sets, tests).
public struct InMemoryFaceSource: FaceSource {
    public let provenance: String
    public let imageShape: [Int]
    private let splits: [Split: [LabelledFace]]

    /// `faces` of each split, all of `imageShape` (`[height, width, channels]`).
    public init(provenance: String, imageShape: [Int], train: [LabelledFace] = [], calibration: [LabelledFace] = [],
                test: [LabelledFace] = []) {
        let bytes = imageShape.reduce(1, *)
        precondition([train, calibration, test].allSatisfy { $0.allSatisfy { $0.pixels.count == bytes } },
                     "faces must be of the image shape")
        self.provenance = provenance
        self.imageShape = imageShape
        splits = [.train: train, .calibration: calibration, .test: test]
    }

    public func count(in split: Split) -> Int { splits[split]!.count }
    public func face(_ index: Int, in split: Split) -> LabelledFace { splits[split]![index] }
}

/// Opens the faces a command line names: `synthetic` (the embedded generator at the network's
/// input size, population `syntheticSeed`), `scenes` (`SceneFrameSource`: whole synthetic scenes at
/// that size, population `syntheticSeed`) or the path of a dataset file or directory.
public func openFaceSource(_ argument: String, imageSize: Int, syntheticSeed: UInt64) throws(DatasetError) -> any FaceSource {
    switch argument {
    case "synthetic": SyntheticFaceSource(seed: syntheticSeed, size: imageSize)
    case "scenes" where imageSize >= 8: SceneFrameSource(seed: syntheticSeed, size: imageSize)
    case "scenes": throw .unreadable(file: argument, reason: "synthetic scenes are at least 8x8 pixels, not \(imageSize)x\(imageSize)")
    default: try DatasetFaceSource(path: argument)
    }
}
