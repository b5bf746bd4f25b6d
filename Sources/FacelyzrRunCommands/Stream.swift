import ArgumentParser
import FacelyzrCAPI
import FacelyzrData
import FacelyzrDetection
import FacelyzrHost
import FacelyzrImaging
import FacelyzrRuntime
import Foundation

/// `facelyzr stream [FILE]`: the board runner's detection mode (`facelyzr-run MODEL --detect
/// DETECTOR`) on the development machine: raw camera frames in, one JSON line per frame out,
/// the same bytes as the runner prints (docs/boards.md "2b"; tools/cross-isa/camera.sh compares).
public struct Stream: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Find and describe the faces of raw camera frames: one JSON line per frame, as the board runner prints them.",
        discussion: """
            Frames of --frame-size in --format (gray8, rgb24, yuv420p, nv12, yuyv; rows packed, \
            docs/frames.md) come back to back from FILE or standard input, e.g. from \
            `ffmpeg -i video.mp4 -pix_fmt yuv420p -f rawvideo -`. Each frame goes through the code \
            of the C API's fz_detect_describe (the face / not-face model with the localiser's \
            default settings finds up to --max-faces faces; each face's square is resampled into \
            the model's input and described), with the host's runtime; faces are tracked from \
            frame to frame (a "track" id, predictions smoothed over the track; --no-track turns it \
            off; docs/detection.md "Tracking"). The lines are those of \
            `facelyzr-run MODEL --detect DETECTOR` byte for byte, bad input is reported the same \
            way and the exit status is the same (docs/boards.md "2b").
            """)

    @Argument(help: "Raw frames file (default, or -: standard input).")
    var input: String?

    @Option(help: "The int8 model describing each face (default: the shipped facelyzr.blob).")
    var model: String?

    @Option(help: "The face / not-face model (default: the shipped face-detector.blob).")
    var detector: String?

    @Option(help: "Frame size, WIDTHxHEIGHT.")
    var frameSize: String

    @Option(help: "Pixel format: gray8, rgb24, yuv420p, nv12 or yuyv.")
    var format: String

    @Option(help: "Faces described per frame, best first.")
    var maxFaces = 16

    @Flag(help: "Add each face's int32 head outputs (\"raw\").")
    var raw = false

    @Flag(help: "Do not track faces from frame to frame (no \"track\" ids, no smoothing of the predictions).")
    var noTrack = false

    @Option(help: "Also write each frame as DIR/frame-NNNNNN.png with its boxes, track ids and one-output heads drawn.")
    var draw: String?

    public init() {}

    /// The runner's names of the formats, in FZ_FORMAT_* order.
    static let formatNames = ["gray8", "rgb24", "yuv420p", "nv12", "yuyv"]

    var dimensions: (width: Int, height: Int)? {
        let parts = frameSize.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
              (1...8192).contains(width), (1...8192).contains(height) else { return nil }
        return (width, height)
    }

    var pixelFormat: FacelyzrImaging.PixelFormat? { Self.formatNames.firstIndex(of: format).flatMap { FacelyzrImaging.PixelFormat(rawValue: Int32($0)) } }

    public func validate() throws {
        guard dimensions != nil else { throw ValidationError("--frame-size must be WIDTHxHEIGHT, each side in 1...8192") }
        guard pixelFormat != nil else { throw ValidationError("--format must be one of \(Self.formatNames.joined(separator: ", "))") }
        try requireOption("--max-faces", maxFaces, in: 1...1024, "in 1...1024 (faces described per frame)")
    }

    public func run() throws {
        let (width, height) = dimensions!, pixelFormat = pixelFormat!
        let describer = try openModel(model).model
        let (faceModel, detectorPath) = try openModel(detector, default: .detector)
        let localiser: Localiser
        do {
            localiser = try Localiser(model: faceModel.model, frameWidth: width, frameHeight: height)
        } catch {
            FileHandle.standardError.write(Data("\(detectorPath): \(error)\n".utf8))
            throw ExitCode(2)
        }
        let input = describer.model.input
        guard input.width == input.height, input.channels == 1 || input.channels == 3 else {
            FileHandle.standardError.write(Data("the model reads \(input.width)x\(input.height)x\(input.channels) inputs; describing faces needs a square gray or RGB input\n".utf8))
            throw ExitCode(2)
        }
        let layout = FrameLayout(format: pixelFormat, width: width, height: height)
        let pixels = UnsafeMutablePointer<UInt8>.allocate(capacity: layout.byteCount)
        let workspace = UnsafeMutableRawPointer.allocate(
            byteCount: describeWorkspaceByteCount(localiser, describer.model, format: pixelFormat), alignment: 16)
        let boxes = UnsafeMutableBufferPointer<DetectionBox>.allocate(capacity: maxFaces)
        let outputCount = describer.model.outputCount
        let outputs = UnsafeMutablePointer<Int32>.allocate(capacity: maxFaces * outputCount)
        let predictions = UnsafeMutablePointer<Float>.allocate(capacity: maxFaces * outputCount)
        let tracks = UnsafeMutablePointer<Int32>.allocate(capacity: maxFaces)
        // The runner's tracker: twice --max-faces tracks, IoU 0.3, smoothing 0.3, 5 frames unseen.
        let trackerStorage = UnsafeMutableRawPointer.allocate(
            byteCount: FaceTracker.storageByteCount(capacity: 2 * maxFaces, valueCount: outputCount), alignment: 16)
        let tracker = noTrack ? nil : FaceTracker(initializing: trackerStorage, capacity: 2 * maxFaces, valueCount: outputCount)
        defer {
            pixels.deallocate()
            workspace.deallocate()
            boxes.deallocate()
            outputs.deallocate()
            predictions.deallocate()
            tracks.deallocate()
            trackerStorage.deallocate()
        }
        let frame = Frame(width: width, height: height, format: pixelFormat,
                          planes: (UnsafePointer(pixels + layout.offsets.0), layout.strides.1 > 0 ? UnsafePointer(pixels + layout.offsets.1) : nil,
                                   layout.strides.2 > 0 ? UnsafePointer(pixels + layout.offsets.2) : nil),
                          strides: layout.strides)

        var fd: Int32 = 0
        if let path = self.input, path != "-" {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else { throw CommandFailure(description: "\(path): \(String(cString: strerror(errno)))") }
        }
        defer { if fd > 0 { close(fd) } }
        if let draw {
            do {
                try FileManager.default.createDirectory(atPath: draw, withIntermediateDirectories: true)
            } catch {
                throw CommandFailure(description: "\(draw): \(error.localizedDescription)")
            }
        }
        signal(SIGPIPE, SIG_IGN)  // a closed pipe shows as EPIPE on the write: end quietly
        var index = 0
        while true {
            let got = try readFully(fd, pixels, layout.byteCount)
            if got == 0 { break }
            if got < layout.byteCount {
                report("frame \(index): short final frame (\(got) of \(layout.byteCount) bytes) ignored")
                break
            }
            if (1..<layout.byteCount).allSatisfy({ pixels[$0] == pixels[0] }) { report("frame \(index): blank (every byte \(pixels[0]))") }
            let count = detectDescribe(localiser, detectorPacked: faceModel.packedWeights, describer.model, modelPacked: describer.packedWeights,
                                       frame, workspace: workspace, boxes: boxes, outputs: outputs) ?? 0
            for face in 0..<count {
                for o in 0..<outputCount {
                    predictions[face * outputCount + o] = describer.model.prediction(output: o, outputs: outputs + face * outputCount)
                }
            }
            tracker?.update(boxes: boxes.baseAddress!, count: count, values: predictions, ids: tracks)
            var line = "{\"frame\":\(index),\"faces\":["
            for face in 0..<count {
                let b = boxes[face]
                line += (face > 0 ? "," : "") + String(format: "{\"box\":[%.3f,%.3f,%.3f,%.3f],\"score\":%.6f",
                                                       Double(b.x), Double(b.y), Double(b.width), Double(b.height), Double(b.score))
                if tracker != nil { line += ",\"track\":\(tracks[face])" }
                line += Self.heads(describer.model, outputs + face * outputCount, predictions + face * outputCount, raw: raw) + "}"
            }
            line += "]}\n"
            if let draw {
                try drawn(frame, Array(boxes[0..<count]), describer.model, predictions, tracks: tracker == nil ? nil : tracks)
                    .write(png: draw + "/" + String(format: "frame-%06d.png", index))
            }
            if !writeFully(line) {
                if errno == EPIPE { return }
                throw CommandFailure(description: "standard output: \(String(cString: strerror(errno)))")
            }
            index += 1
        }
    }

    /// The frame in RGB with each face's box and label: `#TRACK` (when tracking), then each one-output
    /// head's label and prediction (`MALE 0.97 AGE 34`).
    func drawn(_ frame: Frame, _ boxes: [DetectionBox], _ model: Model, _ predictions: UnsafePointer<Float>,
               tracks: UnsafePointer<Int32>?) -> Image {
        var image = Image(width: frame.width, height: frame.height, channels: 3)
        for y in 0..<frame.height {
            for x in 0..<frame.width {
                let (r, g, b) = frame.rgb(x: x, y: y), i = 3 * (y * frame.width + x)
                (image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]) = (r, g, b)
            }
        }
        let labels = boxes.indices.map { face in
            var words = tracks.map { ["#\($0[face])"] } ?? []
            for h in 0..<model.headCount where model.head(h).outputCount == 1 {
                let head = model.head(h), value = predictions[face * model.outputCount + head.firstOutput]
                words.append(String(decoding: model.outputLabel(head.firstOutput), as: UTF8.self).uppercased() + " "
                             + String(format: head.kind == .regression ? "%.0f" : "%.2f", value))
            }
            return words.joined(separator: " ")
        }
        return annotated(image, boxes, labels: labels)
    }

    /// `,"HEAD":value...` of every head (and `,"raw":[...]`), as the runner's put_heads prints them.
    static func heads(_ model: Model, _ outputs: UnsafePointer<Int32>, _ predictions: UnsafePointer<Float>, raw: Bool) -> String {
        var text = ""
        func prediction(_ kind: HeadKind, _ output: Int) -> String {
            String(format: kind == .regression ? "%.3f" : "%.6f", Double(predictions[output]))
        }
        for h in 0..<model.headCount {
            let head = model.head(h)
            text += "," + jsonString(head.name) + ":"
            if head.outputCount == 1 {
                text += prediction(head.kind, head.firstOutput)
                continue
            }
            text += "{" + (head.firstOutput..<head.firstOutput + head.outputCount)
                .map { jsonString(model.outputLabel($0)) + ":" + prediction(head.kind, $0) }.joined(separator: ",") + "}"
        }
        if raw { text += ",\"raw\":[" + (0..<model.outputCount).map { String(outputs[$0]) }.joined(separator: ",") + "]" }
        return text
    }

    /// A JSON string of UTF-8 bytes: quotes, backslashes and control bytes escaped, as the runner does.
    static func jsonString(_ bytes: UnsafeRawBufferPointer) -> String {
        var escaped: [UInt8] = [UInt8(ascii: "\"")]
        for c in bytes {
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { escaped += [UInt8(ascii: "\\"), c] }
            else if c < 0x20 { escaped += Array(String(format: "\\u%04x", c).utf8) }
            else { escaped.append(c) }
        }
        escaped.append(UInt8(ascii: "\""))
        return String(decoding: escaped, as: UTF8.self)
    }

    func report(_ message: String) {
        FileHandle.standardError.write(Data("facelyzr-run: \(message)\n".utf8))
    }

    /// Reads up to `count` bytes; fewer only at the end of the input.
    func readFully(_ fd: Int32, _ bytes: UnsafeMutablePointer<UInt8>, _ count: Int) throws(CommandFailure) -> Int {
        var got = 0
        while got < count {
            let n = read(fd, bytes + got, count - got)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandFailure(description: "input: \(String(cString: strerror(errno)))")
            }
            got += n
        }
        return got
    }

    /// Writes the whole line to standard output; false (errno set) on failure.
    func writeFully(_ line: String) -> Bool {
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            bytes = bytes.dropFirst(n)
        }
        return true
    }
}

/// One frame with packed rows (docs/frames.md): its bytes, and each plane's offset and stride
/// (0 for a plane the format does not use).
struct FrameLayout {
    var byteCount: Int
    var offsets: (Int, Int, Int)
    var strides: (Int, Int, Int)

    init(format: FacelyzrImaging.PixelFormat, width: Int, height: Int) {
        let chromaWidth = (width + 1) / 2, chromaHeight = (height + 1) / 2, luma = width * height
        switch format {
        case .gray8: (byteCount, offsets, strides) = (luma, (0, 0, 0), (width, 0, 0))
        case .rgb24: (byteCount, offsets, strides) = (3 * luma, (0, 0, 0), (3 * width, 0, 0))
        case .yuyv: (byteCount, offsets, strides) = (4 * chromaWidth * height, (0, 0, 0), (4 * chromaWidth, 0, 0))
        case .nv12: (byteCount, offsets, strides) = (luma + 2 * chromaWidth * chromaHeight, (0, luma, 0), (width, 2 * chromaWidth, 0))
        case .yuv420p:
            (byteCount, offsets, strides) = (luma + 2 * chromaWidth * chromaHeight, (0, luma, luma + chromaWidth * chromaHeight),
                                             (width, chromaWidth, chromaWidth))
        }
    }
}
