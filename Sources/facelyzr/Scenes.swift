import ArgumentParser
import FacelyzrData
import FacelyzrDetection
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
            version. --sheet writes the first --count scenes of --split with their face boxes drawn. \
            --patches DIR writes a Facelyzr dataset of gray PATCH-SIZE patches labelled face / not face \
            (label `face`), cut from --train-scenes train scenes, --calibration-scenes calibration \
            scenes and --test-scenes test scenes, 16 per scene, half faces; --patch-sheet pictures the \
            first 64 training patches. See docs/detection.md.
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

    func validate() throws {
        guard sheet != nil || patches != nil || patchSheet != nil else {
            throw ValidationError("give --sheet FILE, --patches DIR or --patch-sheet FILE")
        }
        try requireOption("--count", count, in: 1...64, "in 1...64 (scenes on one contact sheet)")
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
