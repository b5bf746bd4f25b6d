import ArgumentParser
import FacelyzrData
import Foundation

/// `facelyzr analyze IMAGE...`: gender, age and attributes of pictures of centered faces.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict gender, age and attributes of PNG or JPEG pictures of centered faces.",
        discussion: """
            Each picture is prepared as the importers prepare a dataset image: the centred square \
            crop, resized to the model's input (area resampling when shrinking, bilinear when \
            enlarging) and converted to its channels; then the int8 blob runs on it. The shipped \
            model was trained on synthetic faces only (README): on photographs it shows the \
            pipeline, not accurate predictions.
            """)

    @Argument(help: "PNG or JPEG files.")
    var images: [String]

    @Option(help: "The int8 model blob.")
    var model = defaultModelPath

    @Flag(help: "One JSON object per picture, one per line (with the raw int32 head outputs).")
    var json = false

    struct Line: Encodable {
        var image: String
        var predictions: [String: Float]
        var raw: [Int32]
    }

    func run() throws {
        let predictor = try ModelPredictor(path: model)
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
            let prepared = DatasetImporter.prepareCenterSquare(image, size: input.width, channels: input.channels)
            let prediction = predictor.predict(prepared.pixels)
            if json {
                let line = Line(image: path, predictions: Dictionary(uniqueKeysWithValues: prediction.values.map { ($0.label, $0.value) }),
                                raw: prediction.raw)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(line), as: UTF8.self))
            } else {
                print("\(path): \(prediction.text)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
