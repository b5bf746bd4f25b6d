import ArgumentParser
import FacelyzrData
import FacelyzrDetection
import FacelyzrHost
import FacelyzrImaging
import Foundation

/// A failure reported as one line, exit status 1.
public struct CommandFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}

/// `facelyzr analyze IMAGE...`: gender, age and attributes of pictures of centered faces.
public struct Analyze: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Predict gender, age and attributes of PNG or JPEG pictures of centered faces.",
        discussion: """
            Each picture is prepared as the importers prepare a dataset image: the centred square \
            crop, resized to the model's input (area resampling when shrinking, bilinear when \
            enlarging) and converted to its channels; then the int8 blob runs on it. With --detect, \
            the face / not-face model finds the faces first (`facelyzr detect`, same options) and \
            each face box, enlarged to the attribute model's framing (the face with hair and \
            shoulders, docs/detection.md "Framing"), is prepared and described the same way, \
            best box first; the JSON keeps the face box. The shipped \
            model was trained on synthetic faces only (README): on photographs it shows the \
            pipeline, not accurate predictions.
            """)

    @Argument(help: "PNG or JPEG files.")
    var images: [String]

    @Option(help: "The int8 model blob (default: the shipped facelyzr.blob, found as `facelyzr version` lists).")
    var model: String?

    @Flag(help: "One JSON object per picture (per face with --detect), one per line (with the raw int32 head outputs).")
    var json = false

    @Flag(help: "Find the faces first and describe each one (a picture need not be a centred face).")
    var detect = false

    @OptionGroup(title: "Localiser (with --detect)") var localiser: LocaliserOptions

    struct Line: Encodable {
        var image: String
        /// With --detect: the face's box `[x, y, width, height]` in pixels of the picture, and its score.
        var box: [Float]?
        var score: Float?
        /// The outputs of the heads that are not raw, by label.
        var predictions: [String: Float]
        /// Each raw head's values (a detector's tensors), by head name (absent when the model has none).
        var rawHeads: [String: [Float]]?
        /// What each softmax or expected-value head decides (absent when the model has none).
        var heads: [FacePrediction.HeadValue]?
        var raw: [Int32]
    }

    public init() {}

    public func run() throws {
        let predictor = try openModel(model).model
        let finder = detect ? try localiser.finder() : nil
        let input = predictor.input
        var failed = false
        for path in images {
            let image: Image
            do {
                image = try Image.decode(file: path)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                failed = true
                continue
            }
            var crops: [(box: DetectionBox?, image: Image)] = [(nil, image)]
            if detect {
                let gray = image.grayscale()
                let found: [DetectionBox]
                do {
                    found = try finder!.find(gray: gray.pixels, width: gray.width, height: gray.height).boxes
                } catch {
                    FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                    failed = true
                    continue
                }
                crops = found.map { b in  // the face box's picture, as the attribute model is framed
                    let s = FaceFraming.describeSquare(faceX: b.x, faceY: b.y, faceSide: b.width,
                                                       frameWidth: image.width, frameHeight: image.height)
                    return (b, image.cropped(x: s.x, y: s.y, width: s.width, height: s.height))
                }
                if !json { print("\(path): \(found.count) faces") }
            }
            for (box, crop) in crops {
                let prepared = DatasetImporter.prepareCenterSquare(crop, size: input.width, channels: input.channels)
                let prediction = predictor.predict(prepared.pixels)
                if json {
                    let line = Line(image: path, box: box.map { [$0.x, $0.y, $0.width, $0.height] }, score: box?.score,
                                    predictions: prediction.labelled,
                                    rawHeads: prediction.rawHeads.isEmpty ? nil
                                        : Dictionary(prediction.rawHeads.map { ($0.head, $0.values) }, uniquingKeysWith: { first, _ in first }),
                                    heads: prediction.heads.isEmpty ? nil : prediction.heads, raw: prediction.raw)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(line), as: UTF8.self))
                } else if let box {
                    print(String(format: "  face at x %.0f y %.0f, %.0f px (score %.2f): ", box.x, box.y, box.width, box.score) + prediction.text)
                } else {
                    print("\(path): \(prediction.text)")
                }
            }
        }
        if failed { throw ExitCode(1) }
    }
}
