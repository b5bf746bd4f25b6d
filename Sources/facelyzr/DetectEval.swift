import ArgumentParser
import FacelyzrData
import FacelyzrDetection
import FacelyzrDetectionEvaluation
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRunCommands
import FacelyzrTrainer
import Foundation

/// `facelyzr detect-eval`: the figures of docs/detection.md.
struct DetectEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect-eval",
        abstract: "Evaluate face presence and localisation: LFW-subset cross-validation, average precision on synthetic scenes, latency.",
        subcommands: [Scenes.self, LFW.self])

    /// Average precision at IoU 0.5 and latency of the localiser on held-out synthetic scenes.
    struct Scenes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Average precision at IoU 0.5 on held-out synthetic scenes, and the localiser's latency per frame.",
            discussion: """
                Scenes 0..<--count of the scene generator's test split (320x240, 0 to 3 faces whose \
                boxes, face squares from forehead to chin, are 28 to 96 pixels; the detector's patches come from train-split scenes) are converted to gray and run \
                through the localiser on this thread. A box matches an unmatched face of its scene when \
                their IoU is at least 0.5 (best score first); AP is the area under the precision-recall \
                curve with precision made monotone (all-point interpolation, PASCAL VOC 2010+). Lower \
                --threshold to see more of the curve. Latency: wall time of `Localiser.detect` per frame \
                (build with -c release), as this thread's CPU time (what one unshared core gives) and wall time.
                """)

        @OptionGroup var localiser: LocaliserOptions

        @Option(help: "Test scenes to evaluate.")
        var count = 200

        @Option(help: "Population seed of the scenes.")
        var seed: UInt64 = 0

        func validate() throws {
            try requireOption("--count", count, in: 1...OptionBounds.splitCount, "in 1...\(OptionBounds.splitCount) (scenes of the test split)")
        }

        func run() throws {
            let finder = try localiser.finder()
            let scenes = SyntheticScenes(seed: seed)
            var detections: [(score: Float, truePositive: Bool)] = []
            var faces = 0
            var times: [Double] = [], cpuTimes: [Double] = []
            for i in 0..<count {
                let scene = scenes.scene(index: Split.test.syntheticIndex(UInt64(i)))
                let gray = scene.image.grayscale()
                let found = try finder.find(gray: gray.pixels, width: gray.width, height: gray.height)
                times.append(found.seconds)
                cpuTimes.append(found.cpuSeconds)
                faces += scene.faces.count
                var matched = [Bool](repeating: false, count: scene.faces.count)
                for box in found.boxes {  // best first
                    var best: (iou: Float, face: Int)?
                    for (f, face) in scene.faces.enumerated() where !matched[f] {
                        let b = face.box
                        let iou = box.intersectionOverUnion(DetectionBox(x: Float(b.x), y: Float(b.y), width: Float(b.width),
                                                                         height: Float(b.height), score: 0))
                        if iou >= 0.5 && iou > (best?.iou ?? 0) { best = (iou, f) }
                    }
                    if let best { matched[best.face] = true }
                    detections.append((box.score, best != nil))
                }
            }
            let ap = averagePrecision(detections, positives: faces)
            let hits = detections.filter(\.truePositive).count
            times.sort()
            cpuTimes.sort()
            print("scenes: \(count) of the test split (seed \(seed), generator v\(SyntheticScenes.generatorVersion)), \(faces) faces, "
                  + "\(detections.count) boxes at threshold \(localiser.threshold)")
            print(String(format: "average precision at IoU 0.5: %.3f; recall %.3f, precision %.3f",
                         ap, Double(hits) / Double(max(faces, 1)), Double(hits) / Double(max(detections.count, 1))))
            let localiser = finder.localiser!
            print(String(format: "latency per %dx%d frame (%d pyramid levels, %d windows), one thread, %d frames: "
                         + "CPU time median %.1f ms (max %.1f ms); wall time median %.1f ms (max %.1f ms)",
                         localiser.frameWidth, localiser.frameHeight, localiser.levelCount, localiser.windowCount,
                         times.count, cpuTimes[cpuTimes.count / 2] * 1000,
                         cpuTimes.last! * 1000, times[times.count / 2] * 1000, times.last! * 1000))
        }
    }

    /// k-fold cross-validation of the face / not-face model on the LFW subset.
    struct LFW: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Face / not-face ROC AUC and accuracy on the LFW subset by k-fold cross-validation.",
            discussion: """
                DATASET is the LFW subset imported at the model's input size (`facelyzr import lfw-subset \
                SRC --size 24 --channels 1 --out DATASET`). Its images are dealt into --folds folds by \
                position (image i in fold i mod k, so each fold holds faces and non-faces alike); for each \
                fold a fresh model with the architecture of tools/detection/face-24.json is trained on the \
                other folds (repeated --lfw-repeats times) plus, with --patches, the synthetic patches' train \
                split, then scored on the held-out fold only: float, and int8 after quantization calibrated \
                on the patches' calibration split. ROC AUC (Mann-Whitney, ties count half) and accuracy \
                (logit > 0) are over the pooled held-out scores.
                """)

        @Argument(help: "The imported LFW subset (a Facelyzr dataset directory).")
        var dataset: String

        @Option(help: "Synthetic patch dataset (`facelyzr scenes --patches`) to train on as well and to calibrate with.")
        var patches: String?

        @Option(help: "Architecture JSON of the face / not-face model.")
        var architecture = "tools/detection/face-24.json"

        @Option(help: "Folds.")
        var folds = 5

        @Option(help: "Supervised steps per fold.")
        var steps = 1_500

        @Option(help: "How many times the training folds' LFW images appear in the training set (0: synthetic patches only).")
        var lfwRepeats = 20

        @Option(help: "Seed of the weights and batches.")
        var seed: UInt64 = 1

        func validate() throws {
            try requireOption("--folds", folds, in: 2...100, "in 2...100 (folds of the LFW images; each trains a model)")
            try requireOption("--steps", steps, in: 1...OptionBounds.steps, "in 1...\(OptionBounds.steps) (supervised steps per fold)")
            try requireOption("--lfw-repeats", lfwRepeats, in: 0...1_000, "in 0...1000 (copies of the training folds' images kept in memory)")
            guard lfwRepeats > 0 || patches != nil else { throw ValidationError("--lfw-repeats 0 trains on nothing without --patches") }
        }

        func run() throws {
            ComputeThreads.set(1)
            let a = try TrainingLoop.architecture(path: architecture, attributes: "")
            let lfw = try DatasetReader(directory: dataset)
            let all = try lfw.samples(at: Array(0..<lfw.count)).filter { $0.isFace != nil }
            guard lfw.format.width == a.inputWidth, lfw.format.height == a.inputHeight, lfw.format.channels == a.inputChannels else {
                throw CommandFailure(description: "\(dataset) holds \(lfw.format.width)x\(lfw.format.height)x\(lfw.format.channels) images; "
                    + "the model reads \(a.inputWidth)x\(a.inputHeight)x\(a.inputChannels) (import with --size \(a.inputWidth) --channels \(a.inputChannels))")
            }
            var synthetic: [FaceSample] = []
            var calibration: DatasetFaceSource?
            if let patches {
                let reader = try DatasetReader(directory: patches)
                synthetic = try reader.samples(at: reader.indices(in: .train))
                calibration = DatasetFaceSource(reader)
            }
            var floatScores: [(score: Float, face: Bool)] = [], int8Scores: [(score: Float, face: Bool)] = []
            for fold in 0..<folds {
                let held = all.indices.filter { $0 % folds == fold }
                let training = all.indices.filter { $0 % folds != fold }
                var train = synthetic
                for _ in 0..<lfwRepeats { train += training.map { all[$0] } }
                // Face / not-face images in memory for the one binary head labelled `face` (a
                // sample without the label counts as not a face).
                let faces = InMemoryFaceSource(
                    provenance: "", imageShape: [a.inputHeight, a.inputWidth, a.inputChannels],
                    train: train.map { LabelledFace(pixels: $0.image.pixels, labels: $0.labels, isFace: $0.isFace == true) })
                let data = try TrainingFaces(SplitFaces<TrainSplit>(faces), architecture: a)
                let plan = TrainingPlan(
                    seed: seed &+ UInt64(fold), batchSize: 32, pretraining: nil,
                    supervised: .init(steps: steps, optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(
                        baseRate: 0.005, warmupSteps: steps / 10, totalSteps: steps), weightDecay: 1e-4), fineTuneEncoder: true))
                var trainer = try Trainer(architecture: a, plan: plan, dataProvenance: "")
                try trainer.run(data)
                let graph = try FloatGraph(trainer.network, normalization: .standard)
                let images = held.map { all[$0] }
                let outputs = graph.headOutputs(graph.forward(graph.normalize(images.flatMap(\.image.pixels), count: images.count)),
                                                batch: images.count)
                for (image, output) in zip(images, outputs) { floatScores.append((output[0], image.isFace!)) }
                if let calibration {
                    let model = try Quantizer.quantize(graph, name: "fold\(fold)", calibration: SplitFaces(calibration, limit: 500))
                    let int8 = try LoadedModel(bytes: model.bytes)
                    for image in images { int8Scores.append((int8.headOutputs(image.image.pixels)[0], image.isFace!)) }
                }
                FileHandle.standardError.write(Data("fold \(fold + 1)/\(folds): trained on \(train.count) images (\(training.count) LFW), scored \(held.count)\n".utf8))
            }
            print("LFW subset \(dataset): \(all.count) images (\(all.filter { $0.isFace! }.count) faces), \(folds)-fold cross-validation, "
                  + "\(steps) steps per fold" + (patches.map { ", plus \(synthetic.count) synthetic patches from \($0)" } ?? ""))
            for (name, scores) in [("float", floatScores), ("int8", int8Scores)] where !scores.isEmpty {
                let accuracy = Double(scores.filter { ($0.score > 0) == $0.face }.count) / Double(scores.count)
                print(String(format: "%@: ROC AUC %.3f, accuracy %.3f (%d held-out images)", name, rocAUC(scores), accuracy, scores.count))
            }
        }
    }
}
