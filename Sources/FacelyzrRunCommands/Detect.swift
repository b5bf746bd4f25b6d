import ArgumentParser
import FacelyzrData
import FacelyzrDetection
import FacelyzrFiles
import Foundation

/// Options of the localiser, shared by `detect`, `analyze --detect` and the detection evaluation;
/// their defaults are `LocaliserConfiguration`'s, the C API's and the board runner's.
public struct LocaliserOptions: ParsableArguments {
    @Option(help: "The face / not-face model blob (default: the shipped face-detector.blob, found as `facelyzr version` lists).")
    public var detector: String?

    @Option(help: "Smallest face searched, in pixels.")
    var minFace = LocaliserConfiguration().minimumFaceSize

    @Option(help: "Largest face searched, in pixels (default: the picture's shorter side).")
    var maxFace: Int?

    @Option(help: "Each pyramid level searches faces this factor larger.")
    var scaleStep = LocaliserConfiguration().scaleStep

    @Option(help: "Window step in pyramid-level pixels.")
    var stride = LocaliserConfiguration().stride

    @Option(help: "Face probability a window needs.")
    public var threshold = LocaliserConfiguration().scoreThreshold

    @Option(help: "Non-maximum suppression: drop boxes overlapping a better one by more than this IoU.")
    var overlap = LocaliserConfiguration().overlapThreshold

    @Option(help: "... or sharing more than this fraction of the smaller box with it (1: off).")
    var containment: Float = LocaliserConfiguration().containmentThreshold

    @Option(help: "Non-maximum suppression: each kept box becomes the score-weighted average of the boxes it suppressed (on or off).")
    var merge: Switch = LocaliserConfiguration().mergesSuppressed ? .on : .off

    public init() {}

    /// Refuses a setting the localiser would refuse (`LocaliserConfiguration.invalidSetting`)
    /// when parsing, naming the option and its range, before any picture is read.
    public func validate() throws {
        let problem: (option: String, value: String, range: String)
        switch configuration.invalidSetting {
        case nil: return
        case .minimumFaceSize: problem = ("--min-face", "\(minFace)", "at least 1 (pixels)")
        case .maximumFaceSize: problem = ("--max-face", "\(maxFace ?? 0)", "at least --min-face, \(minFace) (pixels)")
        case .scaleStep: problem = ("--scale-step", "\(scaleStep)", "above 1 and at most 4 (the factor between pyramid levels)")
        case .stride: problem = ("--stride", "\(stride)", "in 1...\(LocaliserConfiguration.maximumStride) (pixels of a pyramid level)")
        case .scoreThreshold: problem = ("--threshold", "\(threshold)", "above 0 and below 1 (a face probability)")
        case .overlapThreshold: problem = ("--overlap", "\(overlap)", "in 0...1 (an intersection over union)")
        case .containmentThreshold: problem = ("--containment", "\(containment)", "in 0...1 (a fraction of the smaller box)")
        case .candidateCapacity: return  // not an option
        }
        throw ValidationError("\(problem.option) must be \(problem.range), not \(problem.value)")
    }

    /// The face finder of these options over the --detector model, or the shipped one.
    public func finder() throws(CommandFailure) -> FaceFinder {
        FaceFinder(detector: try openModel(detector, default: .detector).model, configuration: configuration)
    }

    public var configuration: LocaliserConfiguration {
        LocaliserConfiguration(minimumFaceSize: minFace, maximumFaceSize: maxFace, scaleStep: scaleStep, stride: stride,
                               scoreThreshold: threshold, overlapThreshold: overlap, containmentThreshold: containment,
                               mergesSuppressed: merge == .on)
    }
}

/// An option that is on or off.
public enum Switch: String, ExpressibleByArgument, Sendable {
    case on, off
}

/// `facelyzr detect IMAGE`: finds faces with the int8 face / not-face model and the localiser.
public struct Detect: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Find faces in a PNG or JPEG picture: boxes with scores, and the picture with the boxes drawn.",
        discussion: """
            The picture is converted to gray; an image pyramid (area resampling) brings faces \
            of --min-face pixels and up, in steps of --scale-step, to the model's window; the \
            window slides by --stride pixels of each level and the int8 runtime scores it (and, \
            with a box head, places the face's box from it); windows reaching --threshold go \
            through greedy non-maximum suppression (--overlap, --containment, --merge). Boxes are \
            in pixels of the picture, best first. The shipped face / not-face model is trained \
            on synthetic scenes (docs/detection.md): on photographs it shows the pipeline.
            """)

    @Argument(help: "PNG or JPEG file.")
    var image: String

    @OptionGroup var localiser: LocaliserOptions

    @Flag(help: "Print one JSON object (boxes, timing).")
    var json = false

    @Option(help: "Write the picture with the boxes drawn to this PNG file.")
    var out: String?

    @Option(help: "Detect this many more times after the first (which warms up) and report their median times (0 to 1000).")
    var timingRuns = 0

    struct Output: Encodable {
        struct Box: Encodable {
            var x: Float
            var y: Float
            var width: Float
            var height: Float
            var score: Float
        }
        var image: String
        var width: Int
        var height: Int
        var boxes: [Box]
        var milliseconds: Double
        var cpuMilliseconds: Double
    }

    public init() {}

    public func validate() throws {
        if let out { try DistinctPaths.requireDistinct(input: image, output: out) }
        guard (0...1000).contains(timingRuns) else { throw ValidationError("--timing-runs must be in 0...1000, not \(timingRuns)") }
    }

    public func run() throws {
        let picture = try Image.decode(file: image)
        let finder = try localiser.finder()
        let gray = picture.grayscale()
        var found: (boxes: [DetectionBox], seconds: Double, cpuSeconds: Double)
        do {
            found = try finder.find(gray: gray.pixels, width: gray.width, height: gray.height)
            if timingRuns > 0 {
                var runs: [(seconds: Double, cpuSeconds: Double)] = []
                for _ in 0..<timingRuns {
                    let again = try finder.find(gray: gray.pixels, width: gray.width, height: gray.height)
                    runs.append((again.seconds, again.cpuSeconds))
                }
                let middle = timingRuns / 2
                found.seconds = runs.map(\.seconds).sorted()[middle]
                found.cpuSeconds = runs.map(\.cpuSeconds).sorted()[middle]
            }
        } catch {
            throw CommandFailure(description: "\(image): \(error)")
        }
        if json {
            let output = Output(image: image, width: picture.width, height: picture.height,
                                boxes: found.boxes.map { .init(x: $0.x, y: $0.y, width: $0.width, height: $0.height, score: $0.score) },
                                milliseconds: found.seconds * 1000, cpuMilliseconds: found.cpuSeconds * 1000)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            print("\(image): \(found.boxes.count) faces (\(String(format: "%.1f ms, %.1f ms of CPU", found.seconds * 1000, found.cpuSeconds * 1000)))")
            for b in found.boxes {
                print(String(format: "  x %.0f  y %.0f  width %.0f  height %.0f  score %.3f", b.x, b.y, b.width, b.height, b.score))
            }
        }
        if let out {
            try annotated(picture.rgb(), found.boxes).write(png: out)
            if !json { print("wrote \(out)") }
        }
    }
}

/// `picture` with each box outlined in green and its label (by default its score) written above it.
func annotated(_ picture: Image, _ boxes: [DetectionBox], labels: [String]? = nil) -> Image {
    var image = picture
    for (i, b) in boxes.enumerated() {
        let x = Int(b.x.rounded()), y = Int(b.y.rounded())
        image.strokeRectangle(x: x, y: y, width: Int(b.width.rounded()), height: Int(b.height.rounded()),
                              color: [0, 255, 0], thickness: 2)
        BitmapFont.draw(labels?[i] ?? String(format: "%.2f", b.score), into: &image, x: x, y: max(0, y - BitmapFont.lineHeight - 1),
                        color: [0, 255, 0])
    }
    return image
}
