/// One labelled face, as every face source yields it: for training, calibration and evaluation.
public struct LabelledFace: Sendable {
    /// `height * width * channels` bytes, row-major, interleaved.
    public var pixels: [UInt8]
    public var labels: FaceLabels
    /// Whether the picture shows a face (face / not-face data, `FaceSample.isFace`); nil when unknown.
    public var isFace: Bool?
    /// Skin tone in [0, 1] (light to dark) where the source knows it (the synthetic generator).
    public var skinTone: Float?

    public init(pixels: [UInt8], labels: FaceLabels, isFace: Bool? = nil, skinTone: Float? = nil) {
        self.pixels = pixels
        self.labels = labels
        self.isFace = isFace
        self.skinTone = skinTone
    }
}

/// Labelled faces addressed by split and position in the split: what the trainer, the quantizer
/// and the command line read (docs/data.md "Face sources"). Implementations: the synthetic
/// generator (`SyntheticFaceSource`), a dataset file (`DatasetFaceSource`), faces in memory
/// (`InMemoryFaceSource`). They must never return a face of a split other than the one asked
/// for; `SplitFaces` then names the split in a type.
public protocol FaceSource: Sendable {
    /// What the faces are, for reports and model cards (generator and version, or dataset file).
    var provenance: String { get }
    /// Image shape `[height, width, channels]`.
    var imageShape: [Int] { get }
    /// How many faces `split` holds.
    func count(in split: Split) -> Int
    /// The `index`-th face of `split` (`index < count(in: split)`).
    func face(_ index: Int, in split: Split) throws(DatasetError) -> LabelledFace
    /// The faces at `indices` of `split`, in order (a batch; a dataset file reads it in one
    /// pass). By default one `face` each.
    func faces(_ indices: [Int], in split: Split) throws(DatasetError) -> [LabelledFace]
    /// How a training checkpoint names the first `count` faces of `split` (its data provenance,
    /// compared when a run resumes, so a source keeps the words its checkpoints recorded). By
    /// default `"<provenance>, <split> split, faces 0..<<count>"`.
    func trainingProvenance(split: Split, count: Int) -> String
}

extension FaceSource {
    public func faces(_ indices: [Int], in split: Split) throws(DatasetError) -> [LabelledFace] {
        var faces: [LabelledFace] = []
        faces.reserveCapacity(indices.count)
        for index in indices { faces.append(try face(index, in: split)) }
        return faces
    }

    public func trainingProvenance(split: Split, count: Int) -> String {
        "\(provenance), \(split.name) split, faces 0..<\(count)"
    }
}

/// A split named in a type, so a function that must only see some faces says so in its
/// signature (`SplitFaces<CalibrationSplit>`, `SplitFaces<TrainSplit>`), and passing test faces
/// does not compile.
public protocol SplitTag: Sendable {
    static var split: Split { get }
}

/// The training split: the trainer learns from it.
public enum TrainSplit: SplitTag {
    public static var split: Split { .train }
}

/// The calibration split: held out from training and testing; the quantizer calibrates on it.
public enum CalibrationSplit: SplitTag {
    public static var split: Split { .calibration }
}

/// The test split: evaluations, the drift report and the model card score on it.
public enum TestSplit: SplitTag {
    public static var split: Split { .test }
}

/// The first `count` faces of split `S` of a source.
public struct SplitFaces<S: SplitTag>: Sendable {
    public let source: any FaceSource
    public let count: Int

    /// The first `limit` faces (all when nil) of split `S` of `source`.
    public init(_ source: any FaceSource, limit: Int? = nil) {
        self.source = source
        let available = source.count(in: S.split)
        count = max(0, min(available, limit ?? available))
    }

    /// Face `index` (`index < count`).
    public func face(_ index: Int) throws(DatasetError) -> LabelledFace {
        precondition(index >= 0 && index < count)
        return try source.face(index, in: S.split)
    }

    /// The faces at `indices` (each below `count`), in order.
    public func faces(_ indices: [Int]) throws(DatasetError) -> [LabelledFace] {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < count })
        return try source.faces(indices, in: S.split)
    }

    /// `"<provenance>, <split> split, <count> faces"`.
    public var description: String { "\(source.provenance), \(S.split.name) split, \(count) faces" }

    /// The source's `trainingProvenance` of these faces.
    public var trainingProvenance: String { source.trainingProvenance(split: S.split, count: count) }
}
