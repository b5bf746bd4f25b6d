import FacelyzrData
import FacelyzrHost
import FacelyzrModelImport
import FacelyzrQuantizer
import FacelyzrRandom
import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// BlazeFace in small (blazeface-blocks.tflite, tools/model-import/make_tflite_fixtures.py): its
/// four heads are 1x1 convolutions, the scores and boxes of a 4x4 and a 2x2 map, read by no node.
/// They map to per-place raw heads in the graph's output order, each named after its output, so
/// a host reads the blob's heads by name; the float graph equals the imported graph on pixels
/// (the input `(pixel - 127.5) / 127.5`, as BlazeFace's), and the int8 blob follows it.
@Suite struct DetectorImportTests {
    static let preprocessing = InputPreprocessing(mean: [127.5], scale: 1 / 127.5, bgr: false)
    static let headNames = ["Identity[0..<32]", "Identity[32..<56]", "Identity_1[0..<32]", "Identity_1[32..<56]"]

    static func graph() throws -> (imported: ImportedGraph, graph: FloatGraph) {
        let imported = try TFLiteImport.read(path: TFLiteImportTests.blocks)
        let mapping = imported.quantizerMapping(preprocessing: preprocessing, head: FacelyzrModelImport.HeadDescription(name: "unused", labels: nil))
        #expect(mapping.blockers.isEmpty, "\(mapping.blockers)")
        return (imported, try #require(mapping.graph))
    }

    /// Random 16x16 RGB pictures.
    static func pictures(_ count: Int) -> [[UInt8]] {
        var random = SplitMix64(seed: 16, index: 1)
        return (0..<count).map { _ in (0..<(16 * 16 * 3)).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
    }

    @Test func theConvolutionHeadsBecomePerPlaceRawHeadsInOutputOrderAndEqualTheImportedGraph() throws {
        let (imported, graph) = try Self.graph()
        #expect(graph.heads.map(\.name) == Self.headNames)
        #expect(graph.heads.allSatisfy { $0.kind == .raw })
        // One label per output, the channel at each place: 4x4 places of 2 scores, 2x2 of 6, ...
        #expect(graph.heads.map(\.labels.count) == [32, 24, 128, 96])
        #expect(graph.heads[1].labels.prefix(7) == ["0", "1", "2", "3", "4", "5", "0"])
        // The heads are the last nodes, in output order, whichever order the file computes them in.
        let heads = Array(graph.nodes.suffix(4))
        #expect(heads.map(\.kind) == (0..<4).map { FloatGraph.Kind.headOutput(head: $0) })
        #expect(heads.allSatisfy { $0.isPerPlaceHead })
        #expect(heads.map(\.name) == imported.outputs.map { imported.nodes[$0.node].name })

        for pixels in Self.pictures(3) {
            let values = imported.forward(pixels.map { (Float($0) - 127.5) / 127.5 })
            let expected = imported.outputs.flatMap { values[$0.node] }
            let float = graph.headOutputs(graph.forward(graph.normalize(pixels, count: 1)), batch: 1)[0]
            #expect(float.count == expected.count)
            let error = zip(float, expected).map { abs($0 - $1) }.max()!
            #expect(error < 1e-4, "float graph against the imported graph: \(error)")
        }
    }

    /// Each depthwise convolution (no activation) and the pointwise one that reads it are a pair of
    /// cross-layer equalisation (`--equalization`, docs/quantization.md "Cross-layer
    /// equalisation"), the input's mean channel (no activation either) is not, and equalising the
    /// mapped graph keeps its function.
    @Test func depthwiseAndPointwiseConvolutionsArePairsOfEqualisation() throws {
        let (imported, graph) = try Self.graph()
        let pairs = graph.equalizationPairs.map { "\(graph.nodes[$0.first].name)>\(graph.nodes[$0.second].name)" }
        for (d, p) in [(1, 2), (6, 7)] {
            #expect(pairs.contains("\(imported.nodes[d].name)>\(imported.nodes[p].name)"), "\(pairs)")
        }
        #expect(graph.nodes[0].name == "\(imported.input.name).mean" && graph.nodes[0].activation == .none)
        #expect(!graph.equalizationPairs.contains { $0.first == 0 }, "\(pairs)")
        let pixels = Self.pictures(8)
        let equalized = graph.equalized(on: pixels)
        for picture in pixels {
            let x = graph.normalize(picture, count: 1)
            let (a, b) = (graph.headOutputs(graph.forward(x), batch: 1)[0], equalized.headOutputs(equalized.forward(x), batch: 1)[0])
            let error = zip(a, b).map { abs($0 - $1) }.max()!, size = a.map(\.magnitude).max()!
            #expect(error <= 1e-5 * max(size, 1), "equalised against the mapped graph: \(error)")
        }
    }

    @Test func theInt8BlobsPerPlaceHeadsFollowFloat() throws {
        let (_, graph) = try Self.graph()
        let model = try Quantizer.quantize(graph, name: "blazeface-blocks", calibration: SplitFaces(tinyFaces, limit: 64),
                                           options: QuantizationOptions(method: .auto, biasCorrection: .auto))
        try withModel(model.bytes) { blob in
            #expect(blob.formatVersion == 4 && blob.outputCount == 56 * 5)
            let names = (0..<blob.headCount).map { String(decoding: blob.head($0).name, as: UTF8.self) }
            #expect(names == Self.headNames)
            #expect((0..<blob.headCount).map { blob.head($0).outputCount } == [32, 24, 128, 96])
            #expect((0..<blob.opCount).filter { blob.op($0).isPerPlace }.count == 4)
        }
        // Faces and random pictures the calibration did not see: int8 against float.
        let loaded = try LoadedModel(bytes: model.bytes)
        let test = SplitFaces<TestSplit>(tinyFaces, limit: 16)
        var floatValues: [Float] = [], int8Values: [Float] = []
        for pixels in try (0..<test.count).map({ try test.face($0).pixels }) + Self.pictures(4) {
            floatValues += graph.headOutputs(graph.forward(graph.normalize(pixels, count: 1)), batch: 1)[0]
            int8Values += loaded.headOutputs(pixels)
        }
        // A head in the wrong order or place, or a wrong weight layout, would be near 0 dB.
        let sqnr = SQNR.decibels(signal: floatValues, approximation: int8Values)
        #expect(sqnr > 25, "per-place heads: SQNR \(sqnr) dB against float")
        // Score decisions (logit > 0) of the two score heads, the first 56 outputs of each picture.
        let scores = stride(from: 0, to: floatValues.count, by: 280).flatMap { ($0..<($0 + 56)) }
        let agree = scores.filter { (floatValues[$0] > 0) == (int8Values[$0] > 0) }.count
        #expect(Double(agree) >= 0.95 * Double(scores.count), "score decisions: \(agree) of \(scores.count) agree")
    }
}
