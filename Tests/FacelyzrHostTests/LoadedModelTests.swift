import FacelyzrBlobBuilder
import FacelyzrFiles
import FacelyzrHost
import FacelyzrRuntime
import FacelyzrTestSupport
import Foundation
import Testing

/// The host's loaded model: the runtime's exact integers through packed weights and reused
/// buffers, the labelled predictions built from them, and errors that name the file.
@Suite struct LoadedModelTests {
    @Test(arguments: ["every-op", "conv-pools"])
    func runGivesTheReferenceKernelsOutputsInReusedBuffers(name: String) throws {
        let builder = name == "every-op" ? TestModels.everyOp() : TestModels.convolutionsAndPools()
        let loaded = try LoadedModel(bytes: builder.build().bytes)
        #expect((loaded.packedWeights != nil) == (loaded.model.packedWeightsByteCount(for: DefaultKernels.self) > 0))
        let outputs = loaded.rawOutputs.baseAddress
        #expect(loaded.layerOutputs.isEmpty, "the debug buffer is made only when asked for")
        for seed: UInt64 in 1...3 {
            let pixels = TestModels.pixels(loaded.input.byteCount, seed: seed)
            let reference = run(loaded.model, pixels, Reference.self)
            pixels.withUnsafeBufferPointer { loaded.run($0) }
            #expect(Array(loaded.rawOutputs) == reference.outputs)
            pixels.withUnsafeBufferPointer { loaded.run($0, layerOutputs: true) }
            #expect(Array(loaded.rawOutputs) == reference.outputs)
            #expect(Array(loaded.layerOutputs) == reference.layers)
        }
        #expect(loaded.rawOutputs.baseAddress == outputs, "the outputs live in one buffer for every call")
    }

    @Test func predictionsNameAndDequantizeTheHeadOutputs() throws {
        let loaded = try LoadedModel(bytes: TestModels.everyOp().build().bytes)
        let model = loaded.model
        let pixels = TestModels.pixels(loaded.input.byteCount, seed: 9)
        let prediction = loaded.predict(pixels)
        #expect(prediction.values.map(\.head) == ["gender", "age", "attributes", "attributes"])
        #expect(prediction.values.map(\.label) == ["male", "years", "smiling", "eyeglasses"])
        #expect(prediction.values.map(\.kind) == ["binary", "regression", "multi-label", "multi-label"])
        #expect(prediction.raw == run(model, pixels, Reference.self).outputs)
        #expect(prediction.seconds > 0)

        // Real outputs: scale * accumulator; probabilities the sigmoid of the logits, years as they are.
        let real = loaded.headOutputs(pixels)
        #expect(real == prediction.raw.indices.map { Float(prediction.raw[$0]) * model.outputScale($0) })
        #expect(prediction.values[1].value == real[1])
        for i in [0, 2, 3] {
            #expect(abs(prediction.values[i].value - 1 / (1 + exp(-real[i]))) < 1e-6)
        }
        #expect(prediction.value("Smiling") == prediction.values[2].value)
        #expect(prediction.value("beard") == nil)
        #expect(prediction.text.hasPrefix("male \(String(format: "%.2f", prediction.values[0].value))  years "))

        // The debug path: the same head outputs, and each int8 op output dequantized.
        let layers = loaded.predictLayers(pixels)
        #expect(layers.outputs == real)
        #expect(layers.layers.count == model.opCount)
        let raw = run(model, pixels, Reference.self).layers
        for op in 0..<model.opCount {
            let (offset, count) = loaded.layerRanges[op]
            #expect(layers.layers[op].count == count)
            let t = model.tensor(model.op(op).output)
            #expect(layers.layers[op] == raw[offset..<(offset + count)].map { t.scale * Float(Int32($0) - t.zeroPoint) })
        }
        #expect(layers.layers.filter(\.isEmpty).count == model.headCount, "head ops write no int8 output")
    }

    @Test func aDetectorsPerPlaceHeadsAreListedByHeadNotByTheirRepeatedLabels() throws {
        // Two per-place raw heads over a 2x3 map (labels repeat at each of the 6 places), as an
        // imported detector's score and box tensors: `labelled` must not trap on the repeats.
        var b = BlobBuilder(name: "detector", height: 2, width: 3, pixelFormat: .gray8)
        b.head("scores", kind: .raw, input: b.input, weights: [3], bias: [1], scales: [0.5], labels: ["s"], perPlace: true)
        b.head("boxes", kind: .raw, input: b.input, weights: [1, -1], bias: [0, 0], scales: [1, 1], labels: ["x", "y"], perPlace: true)
        let loaded = try LoadedModel(bytes: b.build().bytes)
        let pixels: [UInt8] = [0, 10, 20, 30, 40, 50]
        let prediction = loaded.predict(pixels)
        #expect(prediction.rawHeads.map(\.head) == ["scores", "boxes"])
        #expect(prediction.rawHeads[0].values == pixels.map { 0.5 * Float(3 * (Int32($0) - 128) + 1) })
        #expect(prediction.rawHeads[1].values.count == 12)
        #expect(prediction.labelled.isEmpty, "raw tensors are not labelled predictions")
        #expect(prediction.text == "scores 6 raw values  boxes 12 raw values")
    }

    @Test func openingAFileNamesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loaded-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bytes = TestModels.everyOp().build().bytes
        try AtomicFileWriter.write(bytes, to: folder + "/good.blob")
        let good = try LoadedModel(path: folder + "/good.blob")  // held: `bytes` points into it
        #expect(Array(good.bytes) == bytes)

        let missing = folder + "/missing.blob"
        #expect(throws: ModelFileError.unreadable(FileError(path: missing, reason: "cannot open: No such file or directory"))) {
            try LoadedModel(path: missing)
        }
        var badMagic = bytes
        badMagic[0] = UInt8(ascii: "X")
        try AtomicFileWriter.write(badMagic, to: folder + "/bad.blob")
        #expect(throws: ModelFileError.invalidBlob(path: folder + "/bad.blob", .badMagic)) { try LoadedModel(path: folder + "/bad.blob") }
        #expect(ModelFileError.invalidBlob(path: "x.blob", .badMagic).description == "x.blob: not a valid model blob: the file does not start with FACELYZR (not a model blob)")
        try AtomicFileWriter.write([], to: folder + "/empty.blob")
        do {
            _ = try LoadedModel(path: folder + "/empty.blob")
            Issue.record("an empty file opened")
        } catch {
            guard case .invalidBlob(folder + "/empty.blob", .truncated) = error else { Issue.record("\(error)"); return }
        }
    }
}
