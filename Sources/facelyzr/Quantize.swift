import ArgumentParser
import FacelyzrData
import FacelyzrFiles
import FacelyzrQuantizer
import FacelyzrRunCommands
import Foundation

/// `facelyzr quantize CKPT --calibration DATA --out MODEL`: float checkpoint to int8 blob.
struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quantize a float checkpoint to an int8 model blob with its model card.",
        discussion: """
            Per-output-channel symmetric int8 weights, int32 biases (saturation reported), \
            asymmetric int8 activations calibrated on the CALIBRATION split of DATA only \
            (docs/quantization.md "Quantizer"). DATA is `synthetic` (the generator's \
            calibration split, at the network's input size) or a dataset file or directory \
            written by `facelyzr import` / `facelyzr synth --dataset`. Then float and int8 are \
            evaluated on the TEST split of DATA, and MODEL is written atomically with \
            MODEL-without-extension.card.json and .card.md beside it. Nothing is written when \
            anything fails.
            """)

    @Argument(help: "Float checkpoint (safetensors, written by the trainer).")
    var checkpoint: String

    @Option(help: "Calibration faces: `synthetic` or a dataset file/directory.")
    var calibration: String

    @Option(help: "The model blob to write.")
    var out: String

    @OptionGroup var settings: QuantizationSettings

    @OptionGroup var progressOption: QuietOption

    func validate() throws {
        try DistinctPaths.requireDistinct(input: checkpoint, output: out)
    }

    func run() throws {
        let progress = progressOption.progress()
        let outcome = Result { () throws(QuantizerError) -> ModelCard in
            let (graph, _) = try ModelExport.loadGraph(checkpoint)
            return try ModelExport.run(
                checkpointPath: checkpoint, source: try settings.faces(calibration, imageSize: graph.inputShape[0]),
                calibrationCount: settings.calibrationCount, evaluationCount: settings.evaluationCount, options: settings.options,
                outPath: out, progress: progress.line)
        }
        progress.finish()
        switch outcome {
        case .failure(let error): throw CommandFailure(description: error.description)
        case .success(let card): QuantizationSettings.printSummary(card, out: out)
        }
    }
}

/// The quantizer's settings, shared by `quantize` and `import-model --blob`.
struct QuantizationSettings: ParsableArguments {
    @Option(help: "Calibration method: auto, minmax, mse, entropy, percentile, percentile:P.")
    var method = "auto"

    @Option(help: "Calibration faces to use (the first N of the calibration split).")
    var calibrationCount = 1000

    @Option(help: "Test faces the model card evaluates on (0 skips the evaluation).")
    var evaluationCount = 2000

    @Option(help: ArgumentHelp(
        "Bias correction: off, on, or auto.",
        discussion: "on adds back each layer's expected weight-rounding error to its bias; auto builds the model both ways and keeps the one whose head outputs are closer to float on the calibration faces."))
    var biasCorrection: String = "auto"

    @Option(help: ArgumentHelp(
        "Weight rounding: nearest or gptq.",
        discussion: "gptq rounds each layer's weights one input at a time, compensating each rounding error with the weights not yet rounded so that the layer's output on the calibration faces moves least (docs/quantization.md \"Weight rounding\"); the scales are the same."))
    var weightRounding: String = "nearest"

    @Flag(help: ArgumentHelp(
        "Cross-layer equalisation before calibrating.",
        discussion: "Rescales each ReLU layer's output channels into the weights of the layer that reads them (through pools and pads), so that the channels' ranges on the calibration faces and the weights that read them are balanced; the float network computes the same function (docs/quantization.md \"Cross-layer equalisation\")."))
    var equalization = false

    @Option(help: ArgumentHelp(
        "Activation bits: 8, or 16 (int16 activations with int8 weights, TFLite's 16x8 mode).",
        discussion: "16 quantizes every activation after the input symmetric to int16 (zero point 0), biases to int64, and runs the 16x8 ops (docs/quantization.md \"16-bit activations\"; blob format version 5)."))
    var activationBits = 8

    @OptionGroup var population: SyntheticSeedOption

    func validate() throws {
        guard CalibrationMethod(name: method) != nil else { throw ValidationError("unknown --method \(method)") }
        guard BiasCorrection(rawValue: biasCorrection) != nil else {
            throw ValidationError("unknown --bias-correction \(biasCorrection) (off, on or auto)")
        }
        guard WeightRounding(rawValue: weightRounding) != nil else {
            throw ValidationError("unknown --weight-rounding \(weightRounding) (nearest or gptq)")
        }
        guard activationBits == 8 || activationBits == 16 else { throw ValidationError("--activation-bits must be 8 or 16") }
        // The calibration faces stay in memory (12 KiB each at 64x64x3) and go through the float
        // network several times (histograms, bias correction, the `auto` comparison).
        try requireOption("--calibration-count", calibrationCount, in: 1...10_000,
                          "in 1...10000 (the faces are kept in memory and run several times: 117 MiB of pixels at 10000)")
        try requireOption("--evaluation-count", evaluationCount, in: 0...OptionBounds.heldFaces,
                          "in 0...\(OptionBounds.heldFaces) (the test faces are kept in memory: 234 MiB of pixels at \(OptionBounds.heldFaces))")
    }

    var options: QuantizationOptions {
        QuantizationOptions(method: CalibrationMethod(name: method)!, biasCorrection: BiasCorrection(rawValue: biasCorrection)!,
                            weightRounding: WeightRounding(rawValue: weightRounding)!, equalization: equalization,
                            activationBits: activationBits)
    }

    /// The faces of `calibration` (`synthetic` or a dataset) at the network's input size.
    func faces(_ calibration: String, imageSize: Int) throws(QuantizerError) -> any FaceSource {
        do throws(DatasetError) {
            return try openFaceSource(calibration, imageSize: imageSize, syntheticSeed: population.syntheticSeed)
        } catch { throw .data(error) }
    }

    /// What `quantize` prints about a written blob.
    static func printSummary(_ card: ModelCard, out: String) {
        let cards = ModelExport.cardPaths(for: out)
        print("wrote \(out) (\(card.blob.byteCount) bytes, SHA-256 \(card.blob.sha256))")
        print("model card: \(cards.markdown), \(cards.json)")
        for layer in card.layers where layer.method != nil {
            print("  \(layer.name): \(layer.method!)" + (layer.calibrationSQNR.map { String(format: ", calibration SQNR %.1f dB", $0) } ?? ""))
        }
        for layer in card.layers where !(layer.saturatedBiasChannels ?? []).isEmpty {
            print("  warning: \(layer.name) saturated the bias (int32, or int64 at 16-bit activations) of channels \(layer.saturatedBiasChannels!)")
        }
        if let evaluation = card.evaluation { print(evaluation.text) }
    }
}

/// Progress lines on standard error, overwriting each other on a terminal.
final class Progress {
    let quiet: Bool
    let terminal = isatty(2) != 0
    init(quiet: Bool) { self.quiet = quiet }

    func line(_ text: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data(((terminal ? "\r\u{1B}[K" : "") + text + (terminal ? "" : "\n")).utf8))
    }

    func finish() {
        if !quiet && terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
