import ArgumentParser
import FacelyzrData
import FacelyzrDetection
import FacelyzrFiles
import FacelyzrRunCommands
import Foundation

/// `facelyzr scenes`: synthetic scenes with known face boxes, and the face / not-face patches
/// the localiser's model is trained on.
struct Scenes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate synthetic scenes (faces pasted over clutter at known boxes) and face / not-face patches.",
        discussion: """
            Scene i of a split is scene generator index split-start + i (test from 0, calibration \
            from 1,000,000, train from 2,000,000), deterministic from the seed and the generator \
            version. --sheet writes the first --count scenes of --split with their face boxes (face squares, \
            forehead to chin; docs/detection.md "Framing") drawn. \
            --patches DIR writes a Facelyzr dataset of gray PATCH-SIZE patches labelled face / not face \
            (label `face`), cut from --train-scenes train scenes, --calibration-scenes calibration \
            scenes and --test-scenes test scenes, 16 per scene, half faces; --patch-sheet pictures the \
            first 64 training patches. --frames FILE writes the first --count scenes of --split as \
            raw camera frames of --frame-size in --format, back to back (what `facelyzr-run --detect` \
            reads; docs/boards.md). See docs/detection.md.
            """)

    @Option(help: "Population seed.")
    var seed: UInt64 = 0

    @Option(help: "Write a contact sheet of scenes with their boxes drawn to this PNG file.")
    var sheet: String?

    @Option(help: "Scenes on the sheet.")
    var count = 6

    @Option(help: "Index range of the sheet's scenes: test, calibration or train.")
    var split: Synth.SplitArgument = .test

    @Option(help: "Write a face / not-face patch dataset into this directory.")
    var patches: String?

    @Option(help: "Side of a patch, in pixels (the detector model's input).")
    var patchSize = 24

    @Option(help: "Train scenes the patches are cut from.")
    var trainScenes = 1_500

    @Option(help: "Calibration scenes the patches are cut from.")
    var calibrationScenes = 64

    @Option(help: "Test scenes the patches are cut from.")
    var testScenes = 64

    @Option(help: "Add hard negatives: boxes this face / not-face model finds away from every face (IoU < 0.3) in further train scenes.")
    var hardNegatives: String?

    @Option(help: "Train scenes searched for hard negatives (after the --train-scenes ones; their sampled patches are added too).")
    var hardScenes = 200

    @Option(help: "Write a labelled contact sheet of the first 64 training patches to this PNG file.")
    var patchSheet: String?

    @Option(help: "Write the first --count scenes of --split as raw frames, back to back, to this file.")
    var frames: String?

    @Option(help: "Size of the --frames scenes, WIDTHxHEIGHT.")
    var frameSize = "320x240"

    @Option(help: "Pixel format of the --frames file: gray8, rgb24, yuv420p, nv12 or yuyv (docs/frames.md).")
    var format: RawFrameFormat = .gray8

    func validate() throws {
        guard sheet != nil || patches != nil || patchSheet != nil || frames != nil else {
            throw ValidationError("give --sheet FILE, --patches DIR, --patch-sheet FILE or --frames FILE")
        }
        guard let size = frameDimensions, size.width >= 96, size.height >= 96, size.width <= 8192, size.height <= 8192 else {
            throw ValidationError("--frame-size must be WIDTHxHEIGHT, each side in 96...8192 (the largest scene face is 96 pixels)")
        }
        if sheet != nil {
            try requireOption("--count", count, in: 1...64, "in 1...64 (scenes on one contact sheet)")
        } else {
            try requireOption("--count", count, in: 1...10_000, "in 1...10000 (scenes written as frames, kept in memory)")
        }
        try requireOption("--patch-size", patchSize, in: 8...96, "in 8...96 (pixels; a scene's largest face is 96 pixels, a larger patch only enlarges)")
        // The splits hold 1,000,000 scenes each (train more, bounded alike): 16 patches a scene are written.
        let scenes = OptionBounds.splitCount
        for (option, value) in [("--train-scenes", trainScenes), ("--calibration-scenes", calibrationScenes),
                                ("--test-scenes", testScenes), ("--hard-scenes", hardScenes)] {
            try requireOption(option, value, in: 0...scenes, "in 0...\(scenes) (scenes of a split)")
        }
    }

    func run() throws {
        if let sheet {
            let scenes = SyntheticScenes(seed: seed)
            var images: [Image] = []
            var captions: [[String]] = []
            for i in 0..<count {
                let scene = scenes.scene(index: split.split.syntheticIndex(UInt64(i)))
                var image = scene.image
                for face in scene.faces {
                    let b = face.box
                    image.strokeRectangle(x: b.x, y: b.y, width: b.width, height: b.height, color: [0, 255, 0], thickness: 2)
                }
                images.append(image)
                captions.append(["scene \(i): \(scene.faces.count) faces", scene.faces.map { "\($0.box.width)px" }.joined(separator: " ")])
            }
            try ContactSheet(columns: 3, zoom: 1, captionLines: 2).compose(images, captions: captions).write(png: sheet)
            print("wrote \(count) scenes (generator version \(SyntheticScenes.generatorVersion), seed \(seed)) to \(sheet)")
        }
        if let frames, let size = frameDimensions {
            let scenes = SyntheticScenes(seed: seed, width: size.width, height: size.height)
            var bytes: [UInt8] = []
            for i in 0..<count { bytes += format.frame(of: scenes.scene(index: split.split.syntheticIndex(UInt64(i))).image) }
            try AtomicFileWriter.write(bytes, to: frames)
            print("wrote \(count) \(frameSize) \(format.rawValue) scenes (generator version \(SyntheticScenes.generatorVersion), seed \(seed)) to \(frames)")
        }
        let sampler = ScenePatches(seed: seed, size: patchSize)
        if let patchSheet {
            var shown: [FaceSample] = []
            var scene = 0
            while shown.count < 64 {
                shown += sampler.patches(split: .train, scene: scene)
                scene += 1
            }
            shown = Array(shown.prefix(64))
            try ContactSheet(columns: 8, zoom: max(1, 64 / patchSize), captionLines: 1)
                .compose(shown.map { $0.image }, captions: shown.map { [$0.isFace == true ? "face" : "-"] })
                .write(png: patchSheet)
            print("wrote 64 training patches to \(patchSheet)")
        }
        if let patches {
            let writer = try DatasetWriter(
                directory: patches, format: DatasetFormat(width: patchSize, height: patchSize, channels: 1),
                source: "scene-patches v\(ScenePatches.samplerVersion), scenes v\(SyntheticScenes.generatorVersion), seed \(seed)")
            for (split, scenes) in [(Split.train, trainScenes), (.calibration, calibrationScenes), (.test, testScenes)] {
                for i in 0..<scenes {
                    for sample in sampler.patches(split: split, scene: i) { try writer.append(sample) }
                }
            }
            var hard = 0
            if let hardNegatives {
                // Suppression by IoU only: every false box a containing or contained better box would hide counts.
                let finder = try FaceFinder(path: hardNegatives, configuration: LocaliserConfiguration(containmentThreshold: 1))
                for i in trainScenes..<(trainScenes + hardScenes) {
                    for sample in sampler.patches(split: .train, scene: i) { try writer.append(sample) }
                    let scene = sampler.scene(split: .train, index: i)
                    let gray = scene.image.grayscale()
                    for box in try finder.find(gray: gray.pixels, width: gray.width, height: gray.height).boxes {
                        let b = SceneBox(x: Int(box.x.rounded()), y: Int(box.y.rounded()), width: Int(box.width.rounded()),
                                         height: Int(box.width.rounded()))
                        guard scene.faces.allSatisfy({ $0.box.intersectionOverUnion(b) < 0.3 }) else { continue }
                        try writer.append(FaceSample(image: sampler.patch(gray, box: b), labels: FaceLabels(), isFace: false, split: .train,
                                                     sourceID: sampler.sourceID(split: .train, scene: i, number: hard, kind: "hard")))
                        hard += 1
                    }
                }
            }
            let manifest = try writer.finish()
            print("wrote \(manifest.count) patches (\(manifest.labels.face) faces, \(manifest.labels.notFace) not"
                  + (hardNegatives.map { ", \(hard) of them hard negatives found by \($0)" } ?? "") + ") to \(patches)")
        }
    }
}

extension Scenes {
    /// --frame-size as numbers, nil when it is not WIDTHxHEIGHT.
    var frameDimensions: (width: Int, height: Int)? {
        let parts = frameSize.split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]) else { return nil }
        return (width, height)
    }

    /// The camera formats of docs/frames.md, written as a camera would deliver them.
    enum RawFrameFormat: String, ExpressibleByArgument, CaseIterable {
        case gray8, rgb24, yuv420p, nv12, yuyv

        /// `image` (RGB) as one frame with packed rows: gray8 is its BT.601 luma (`grayscale()`);
        /// the YUV formats are BT.601 limited range, the inverse of docs/frames.md "Colour"
        /// (`Y = 16 + (66 R + 129 G + 25 B + 128) >> 8`, `U = 128 + (-38 R - 74 G + 112 B + 128) >> 8`,
        /// `V = 128 + (112 R - 94 G - 18 B + 128) >> 8`), each chroma sample from the rounded mean
        /// RGB of the pixels it covers (2x2 for yuv420p and nv12, 2x1 for yuyv).
        func frame(of image: Image) -> [UInt8] {
            let (w, h) = (image.width, image.height)
            if self == .gray8 { return image.grayscale().pixels }
            if self == .rgb24 { return image.pixels }
            let p = image.pixels
            func luma(_ x: Int, _ y: Int) -> UInt8 {
                let i = 3 * (y * w + x), (r, g, b) = (Int(p[i]), Int(p[i + 1]), Int(p[i + 2]))
                return UInt8(16 + ((66 * r + 129 * g + 25 * b + 128) >> 8))
            }
            // U and V of the block of `rows` rows from pixel pair (2 cx, y), cut at the image's edge.
            func chroma(_ cx: Int, _ y: Int, rows: Int) -> (u: UInt8, v: UInt8) {
                var sum = (0, 0, 0), n = 0
                for yy in y..<min(h, y + rows) {
                    for xx in 2 * cx..<min(w, 2 * cx + 2) {
                        let i = 3 * (yy * w + xx)
                        sum = (sum.0 + Int(p[i]), sum.1 + Int(p[i + 1]), sum.2 + Int(p[i + 2]))
                        n += 1
                    }
                }
                let (r, g, b) = ((sum.0 + n / 2) / n, (sum.1 + n / 2) / n, (sum.2 + n / 2) / n)
                return (UInt8(128 + ((-38 * r - 74 * g + 112 * b + 128) >> 8)), UInt8(128 + ((112 * r - 94 * g - 18 * b + 128) >> 8)))
            }
            let cw = (w + 1) / 2, ch = (h + 1) / 2
            var bytes: [UInt8] = []
            if self == .yuyv {
                for y in 0..<h {
                    for cx in 0..<cw {
                        let (u, v) = chroma(cx, y, rows: 1)
                        bytes += [luma(2 * cx, y), u, luma(min(2 * cx + 1, w - 1), y), v]
                    }
                }
                return bytes
            }
            for y in 0..<h { for x in 0..<w { bytes.append(luma(x, y)) } }
            let samples = (0..<ch).flatMap { cy in (0..<cw).map { cx in chroma(cx, 2 * cy, rows: 2) } }
            if self == .nv12 { return bytes + samples.flatMap { [$0.u, $0.v] } }
            return bytes + samples.map(\.u) + samples.map(\.v)
        }
    }
}
