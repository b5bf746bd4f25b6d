import ArgumentParser
import FacelyzrFiles
import FacelyzrModelImport
import FacelyzrQuantizer
import FacelyzrRunCommands
import Foundation

/// `facelyzr import-model MODEL.onnx`: a float model from ONNX, shown and (when the quantizer can
/// take it) written as the float checkpoint `facelyzr quantize` reads, or quantized straight to
/// an int8 blob (`--blob`).
struct ImportModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-model",
        abstract: "Import a float ONNX or TFLite model: show its graph and write the float checkpoint the quantizer reads, or an int8 blob.",
        discussion: """
            Reads MODEL (untrusted: every problem is an error naming the node and the reason, and \
            nothing is written), orders its nodes, requires static shapes, folds \
            BatchNormalization, constant Mul/Add/Sub/Div and ReLU into the layers around them, and \
            prints each remaining node with its shape and parameters, and which nodes the \
            quantizer cannot take yet. When the whole graph maps to the quantizer's float graph, \
            the input preprocessing (--mean, --scale, --channel-order: how the model's producer \
            turned pixels into its input) is folded into the first layer and the float checkpoint \
            is written to --out, for `facelyzr quantize`; graphs a checkpoint cannot hold (adds, \
            pads, other pools) have none. With --blob, the float graph is quantized in the same \
            run (calibration on --calibration, the options of `facelyzr quantize`) and the blob \
            and its model card are written instead. docs/model-import.md.
            """)

    @Argument(help: "The ONNX model, or the TFLite model (MODEL.tflite).")
    var model: String

    @Flag(help: "Only show the imported graph; write nothing.")
    var inspect = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "The float checkpoint to write (default: MODEL with the extension .safetensors).")
    var out: String?

    @Option(help: "The model's input mean per channel in pixel units, comma-separated (one value for all channels).")
    var mean = "128"

    @Option(help: "The model's input scale: x = (pixel - mean) * scale.")
    var scale: Float = 1.0 / 128

    @Option(help: "The model's input channel order: rgb or bgr.")
    var channelOrder = "rgb"

    @Option(help: "The head's name in the checkpoint and blob.")
    var head = "output"

    @Option(help: "One label per output class, comma-separated (default class0, class1, ...).")
    var labels: String?

    @Option(help: ArgumentHelp(
        "With a final softmax: the value of each bin, comma-separated, FROM:TO for the integers FROM...TO (age bins: 0.25,1:80); the head gives their expected value.",
        valueName: "values"))
    var binValues: String?

    @Option(help: "Quantize the imported graph and write this int8 blob and its model card (no checkpoint).")
    var blob: String?

    @Option(help: "With --blob, the calibration faces: `synthetic`, `scenes` (whole synthetic scenes at the input size, for a detector) or a dataset file/directory.")
    var calibration = "synthetic"

    @Flag(help: ArgumentHelp(
        "With --blob, fold each k x k/k average pool into the convolution or dense layer that reads it.",
        discussion: "A 2x2/2 pool and a 3x3 convolution become one 6x6/2 convolution (4 times its multiply-accumulates), with no second rounding of the pool's output (docs/quantization.md \"Folding an average pool\")."))
    var foldAveragePools = false

    @OptionGroup var settings: QuantizationSettings

    @OptionGroup var progressOption: QuietOption

    func validate() throws {
        guard channelOrder == "rgb" || channelOrder == "bgr" else { throw ValidationError("--channel-order must be rgb or bgr") }
        guard parsedMean != nil else { throw ValidationError("--mean must be comma-separated finite numbers") }
        guard scale > 0, scale.isFinite else { throw ValidationError("--scale must be positive") }
        if binValues != nil && parsedBinValues == nil {
            throw ValidationError("--bin-values must be comma-separated finite numbers or integer ranges FROM:TO (FROM <= TO)")
        }
        if let out { try DistinctPaths.requireDistinct(input: model, output: out) }
        if let blob { try DistinctPaths.requireDistinct(input: model, output: blob) }
        if blob != nil && (inspect || out != nil) { throw ValidationError("--blob writes a blob; it goes without --inspect and --out") }
    }

    var parsedMean: [Float]? {
        let values = mean.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0?.isFinite == true }) else { return nil }
        return values.map { $0! }
    }

    /// `--bin-values`: numbers, and `FROM:TO` for the integers from FROM to TO.
    var parsedBinValues: [Float]? {
        guard let binValues else { return nil }
        var values: [Float] = []
        for item in binValues.split(separator: ",", omittingEmptySubsequences: false) {
            let range = item.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if range.count == 2, let from = Int(range[0]), let to = Int(range[1]), from <= to, to - from < 100_000 {
                values += (from...to).map(Float.init)
            } else if range.count == 1, let value = Float(range[0]), value.isFinite {
                values.append(value)
            } else {
                return nil
            }
        }
        return values
    }

    var outPath: String { out ?? ((model as NSString).deletingPathExtension + ".safetensors") }

    func run() throws {
        let graph: ImportedGraph
        do { graph = try model.hasSuffix(".tflite") ? TFLiteImport.read(path: model) : ONNXImport.read(path: model) } catch {
            throw CommandFailure(description: error.description)
        }
        let mapping = graph.quantizerMapping(
            preprocessing: InputPreprocessing(mean: parsedMean!, scale: scale, bgr: channelOrder == "bgr"),
            head: HeadDescription(name: head, labels: labels.map { $0.split(separator: ",").map(String.init) },
                                  binValues: parsedBinValues))
        var written: String?, card: ModelCard?
        if !inspect, let blob, let mapped = mapping.graph {
            let floatGraph: FloatGraph
            do { floatGraph = try foldAveragePools ? mapped.foldingAveragePools() : mapped } catch {
                throw CommandFailure(description: "\(model): no blob written: \(error.description)")
            }
            let progress = progressOption.progress()
            let bytes: [UInt8]
            do { bytes = try ReadOnlyFile.readAll(path: model) } catch { throw CommandFailure(description: error.description) }
            let outcome = Result { () throws(QuantizerError) -> ModelCard in
                try ModelExport.run(
                    graph: floatGraph, origin: ModelCard.Source(checkpoint: model, sha256: sha256Hex(bytes), trainingData: graph.provenance),
                    source: try settings.faces(calibration, imageSize: floatGraph.inputShape[0]), calibrationCount: settings.calibrationCount,
                    evaluationCount: settings.evaluationCount, options: settings.options, outPath: blob, progress: progress.line)
            }
            progress.finish()
            switch outcome {
            case .failure(let error): throw CommandFailure(description: "\(model): no blob written: \(error.description)")
            case .success(let c): card = c
            }
        } else if !inspect, blob == nil, let checkpoint = mapping.checkpoint {
            do { try checkpoint.write(to: outPath) } catch { throw CommandFailure(description: error.description) }
            written = outPath
        }
        let report = ImportReport(graph, mapping: mapping, checkpoint: written, blob: card == nil ? nil : blob)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
            if let card, let blob { QuantizationSettings.printSummary(card, out: blob) }
        }
        if !inspect && written == nil && card == nil {
            let why = mapping.graph != nil ? "a checkpoint's architecture cannot hold this graph (--blob quantizes it)" : "the quantizer cannot take this graph yet"
            throw CommandFailure(description: "\(model): nothing written: \(why) (see above; --inspect only shows it)")
        }
    }
}
