import ArgumentParser
import FacelyzrFiles
import FacelyzrModelImport
import FacelyzrRunCommands
import Foundation

/// `facelyzr import-model MODEL.onnx`: a float model from ONNX, shown and (when the quantizer can
/// take it) written as the float checkpoint `facelyzr quantize` reads.
struct ImportModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-model",
        abstract: "Import a float ONNX model: show its graph and write the float checkpoint the quantizer reads.",
        discussion: """
            Reads MODEL (untrusted: every problem is an error naming the node and the reason, and \
            nothing is written), orders its nodes, requires static shapes, folds \
            BatchNormalization, constant Mul/Add/Sub/Div and ReLU into the layers around them, and \
            prints each remaining node with its shape and parameters, and which nodes the \
            quantizer cannot take yet. When the whole graph maps to the quantizer's float graph, \
            the input preprocessing (--mean, --scale, --channel-order: how the model's producer \
            turned pixels into its input) is folded into the first layer and the float checkpoint \
            is written to --out, for `facelyzr quantize`. docs/model-import.md.
            """)

    @Argument(help: "The ONNX model.")
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

    func validate() throws {
        guard channelOrder == "rgb" || channelOrder == "bgr" else { throw ValidationError("--channel-order must be rgb or bgr") }
        guard parsedMean != nil else { throw ValidationError("--mean must be comma-separated finite numbers") }
        guard scale > 0, scale.isFinite else { throw ValidationError("--scale must be positive") }
        if let out { try DistinctPaths.requireDistinct(input: model, output: out) }
    }

    var parsedMean: [Float]? {
        let values = mean.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0?.isFinite == true }) else { return nil }
        return values.map { $0! }
    }

    var outPath: String { out ?? ((model as NSString).deletingPathExtension + ".safetensors") }

    func run() throws {
        let graph: ImportedGraph
        do { graph = try ONNXImport.read(path: model) } catch { throw CommandFailure(description: error.description) }
        let mapping = graph.quantizerMapping(
            preprocessing: InputPreprocessing(mean: parsedMean!, scale: scale, bgr: channelOrder == "bgr"),
            head: HeadDescription(name: head, labels: labels.map { $0.split(separator: ",").map(String.init) }))
        var written: String?
        if !inspect, let checkpoint = mapping.checkpoint {
            do { try checkpoint.write(to: outPath) } catch { throw CommandFailure(description: error.description) }
            written = outPath
        }
        let report = ImportReport(graph, mapping: mapping, checkpoint: written)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if !inspect && mapping.checkpoint == nil {
            let why = mapping.chain != nil ? "a checkpoint's architecture cannot hold residual adds yet" : "the quantizer cannot take this graph yet"
            throw CommandFailure(description: "\(model): no checkpoint written: \(why) (see above; --inspect only shows it)")
        }
    }
}
