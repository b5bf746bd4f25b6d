import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr import-model` as a user runs it, on the ONNX fixtures of FacelyzrModelImportTests.
@Suite struct ImportModelCommandTests {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FacelyzrModelImportTests/Fixtures").path

    func facelyzr(_ arguments: [String]) throws -> BuiltExecutable.Run { try BuiltExecutable.facelyzr.run(arguments) }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func aChainModelBecomesACheckpointThatQuantizeTakes() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let imported = try facelyzr(["import-model", fixtures + "/chain.onnx", "--mean", "120,110,100", "--scale", "0.00392156862745098",
                                     "--channel-order", "bgr", "--head", "gender", "--labels", "female,male", "--out", dir + "/chain.safetensors"])
        #expect(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("quantizer: the whole graph maps to the quantizer's float graph"))
        #expect(imported.output.contains("folded: bn1, relu1"))
        let quantized = try facelyzr(["quantize", dir + "/chain.safetensors", "--calibration", "synthetic", "--calibration-count", "16",
                                      "--evaluation-count", "0", "--out", dir + "/chain.blob", "--quiet"])
        #expect(quantized.status == 0, "\(quantized.output)")
        #expect(FileManager.default.fileExists(atPath: dir + "/chain.blob"))
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func aGraphTheQuantizerCannotTakeIsShownAndNothingIsWritten() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/residual.safetensors"
        let refused = try facelyzr(["import-model", fixtures + "/residual.onnx", "--out", out])
        #expect(refused.status == 1)
        #expect(refused.output.contains("node 1 prelu1: prelu is not yet supported by the quantizer"))
        #expect(refused.error.contains("nothing written: the quantizer cannot take this graph yet"))
        #expect(!FileManager.default.fileExists(atPath: out))

        let inspected = try facelyzr(["import-model", fixtures + "/residual.onnx", "--inspect", "--json"])
        #expect(inspected.status == 0, "\(inspected.output)")
        let json = try JSONSerialization.jsonObject(with: Data(inspected.output.utf8)) as? [String: Any]
        #expect(json?["quantizerReady"] as? Bool == false)
        #expect((json?["nodes"] as? [[String: Any]])?.compactMap { $0["notYetSupported"] as? String }.count == 2)
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func aGraphNoCheckpointCanHoldIsQuantizedStraightToABlob() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let refused = try facelyzr(["import-model", fixtures + "/residual-add.onnx", "--out", dir + "/r.safetensors"])
        #expect(refused.status == 1)
        #expect(refused.error.contains("a checkpoint's architecture cannot hold this graph (--blob quantizes it)"))
        let quantized = try facelyzr(["import-model", fixtures + "/residual-add.onnx", "--head", "gender", "--labels", "female,male",
                                      "--blob", dir + "/r.blob", "--calibration-count", "16", "--evaluation-count", "16", "--quiet"])
        #expect(quantized.status == 0, "\(quantized.output)\(quantized.error)")
        #expect(quantized.output.contains("wrote \(dir)/r.blob"))
        #expect(try Set(FileManager.default.contentsOfDirectory(atPath: dir)) == ["r.blob", "r.card.json", "r.card.md"])
        let card = try String(contentsOfFile: dir + "/r.card.md", encoding: .utf8)
        #expect(card.contains("imported from \(fixtures)/residual-add.onnx"))

        // The branching graph (7x7 convolution, 3x3/2 max pool: format v3) goes to a blob too.
        let branching = try facelyzr(["import-model", fixtures + "/branching.onnx", "--blob", dir + "/b.blob", "--calibration-count", "16",
                                      "--evaluation-count", "0", "--quiet"])
        #expect(branching.status == 0, "\(branching.output)\(branching.error)")
        let blob = try Data(contentsOf: URL(fileURLWithPath: dir + "/b.blob"))
        #expect(blob.count > 12 && Array(blob[8..<12]) == [3, 0, 0, 0])  // the header's format version
        // Its softmax over 3 is a softmax head, or with --bin-values an expected-value head.
        let classes = try facelyzr(["inspect", dir + "/b.blob"])
        #expect(classes.output.contains("output softmax, outputs 0..<3: class0"), "\(classes.output)")
        let bins = try facelyzr(["import-model", fixtures + "/branching.onnx", "--head", "age", "--bin-values", "0.25,1:2", "--blob", dir + "/e.blob",
                                 "--calibration-count", "16", "--evaluation-count", "0", "--quiet"])
        #expect(bins.status == 0, "\(bins.output)\(bins.error)")
        let inspected = try facelyzr(["inspect", dir + "/e.blob"])
        #expect(inspected.output.contains("age expectedValue, outputs 0..<3: 0.25 ") && inspected.output.contains("value 2.0)"), "\(inspected.output)")
        let badBins = try facelyzr(["import-model", fixtures + "/branching.onnx", "--bin-values", "1:x", "--blob", dir + "/x.blob"])
        #expect(badBins.status == 2 && badBins.error.contains("--bin-values"))
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func aMalformedFileIsAnErrorNamingIt() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try facelyzr(["import-model", fixtures + "/garbage.onnx", "--out", dir + "/x.safetensors"])
        #expect(run.status == 1)
        #expect(run.error.contains("garbage.onnx: malformed ONNX model: not an ONNX protobuf"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// Each bad fixture, and a graph the quantizer cannot take, asked for a blob: the error names
    /// the file, the node and the reason, and no blob, card or temporary file is left behind.
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt), arguments: [
        ("garbage.onnx", ": malformed ONNX model: not an ONNX protobuf"),
        ("unsupported-op.onnx", ": node squash: unsupported Tanh: no import for this op"),
        ("dynamic-shape.onnx", ": tensor images has a dynamic dimension 2"),
        ("opset-out-of-range.onnx", ": opset 9 is outside the supported range 11...25"),
        ("cycle.onnx", ": node loop_add: the graph has a cycle through loop_add, loop_relu, loop_back"),
        ("missing-initializer.onnx", ": node conv: input conv_bias is neither a graph input, an initializer nor the output of a node"),
        ("external-data.onnx", ": tensor w: stored as external data"),
        ("residual.onnx", ": nothing written: the quantizer cannot take this graph yet"),
    ])
    func aBadModelLeavesNoPartialBlob(file: String, message: String) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try facelyzr(["import-model", fixtures + "/" + file, "--blob", dir + "/x.blob", "--calibration-count", "16",
                                "--evaluation-count", "0", "--quiet"])
        #expect(run.status == 1, "\(run.output)\(run.error)")
        #expect(run.error.contains(file + message), "\(run.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt), arguments: [["--mean", "nan"], ["--mean", "128,inf,128"], ["--scale", "inf"], ["--scale=-1"]])
    func aNonFiniteOrNegativePreprocessingValueIsRefusedWhenParsing(option: [String]) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try facelyzr(["import-model", fixtures + "/chain.onnx", "--out", dir + "/chain.safetensors"] + option)
        #expect(run.status == 2, "\(run.output)")
        #expect(run.error.contains(option[0].split(separator: "=")[0]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
