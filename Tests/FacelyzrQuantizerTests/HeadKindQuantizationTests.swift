import FacelyzrData
import FacelyzrQuantizer
import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// The quantizer told a head's kind (`FloatGraph.Head`): a softmax or expected-value head (with
/// its bin values) goes into the blob as such (format v3), and a head that cannot be one is
/// refused before anything is built.
@Suite struct HeadKindQuantizationTests {
    @Test func softmaxAndExpectedValueHeadsReachTheBlob() throws {
        let tiny = tinyGraph()
        let multi = tiny.heads.firstIndex { $0.kind == .multiLabel }!
        let n = tiny.heads[multi].labels.count
        var heads = tiny.heads
        heads[multi] = FloatGraph.Head(name: "bins", kind: .expectedValue, labels: (0..<n).map { "bin\($0)" },
                                       values: (0..<n).map { Float($0) * 2.5 })
        let graph = try FloatGraph(inputShape: tiny.inputShape, inputScale: tiny.inputScale, nodes: tiny.nodes, heads: heads)
        let model = try Quantizer.quantize(graph, name: "tiny-bins", calibration: SplitFaces(tinyFaces, limit: 32),
                                           options: QuantizationOptions(method: .mse))
        try withModel(model.bytes) { blob in
            #expect(blob.formatVersion == 3)
            let head = blob.head(multi)
            #expect(head.kind == .expectedValue && head.outputCount == n)
            #expect((0..<n).map { blob.outputValue(head.firstOutput + $0) } == (0..<n).map { Float($0) * 2.5 })
            // The expected value lies between the smallest and the largest bin.
            let outputs = run(blob, TestModels.pixels(blob.input.byteCount), layerOutputs: false).outputs
            let result = outputs.withUnsafeBufferPointer { blob.headResult(multi, outputs: $0.baseAddress!) }
            #expect(result.value >= 0 && result.value <= Float(n - 1) * 2.5)
        }
    }

    @Test func headsThatCannotBeTheirKindAreRefused() {
        let tiny = tinyGraph()
        let multi = tiny.heads.firstIndex { $0.kind == .multiLabel }!
        let labels = tiny.heads[multi].labels
        for head in [
            FloatGraph.Head(name: "bins", kind: .expectedValue, labels: labels),  // no bin values
            FloatGraph.Head(name: "bins", kind: .expectedValue, labels: labels, values: labels.map { _ in .infinity }),
            FloatGraph.Head(name: "bins", kind: .softmax, labels: labels, values: labels.map { _ in 1 }),
            FloatGraph.Head(name: "bins", kind: .binary, labels: labels),
        ] {
            var heads = tiny.heads
            heads[multi] = head
            #expect(throws: QuantizerError.self) {
                try FloatGraph(inputShape: tiny.inputShape, inputScale: tiny.inputScale, nodes: tiny.nodes, heads: heads)
            }
        }
        var softmax = tiny.heads
        softmax[multi] = FloatGraph.Head(name: "classes", kind: .softmax, labels: labels)
        #expect(throws: Never.self) {
            try FloatGraph(inputShape: tiny.inputShape, inputScale: tiny.inputScale, nodes: tiny.nodes, heads: softmax)
        }
    }
}
