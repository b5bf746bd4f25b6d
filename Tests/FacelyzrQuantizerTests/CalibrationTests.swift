import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRandom
import FacelyzrTestSupport
import FacelyzrTrainer
import Testing
import Foundation

@Suite struct CalibrationTests {
    /// Gaussian values plus a few far outliers.
    func sample(relu: Bool) -> (values: [Float], histogram: ActivationHistogram) {
        var g = SplitMix64(state: 9)
        var values = (0..<20_000).map { _ in g.boxMullerNormal() }
        values += [40, 39, -35]
        if relu { values = values.map { max($0, 0) } }
        var h = ActivationHistogram(minimum: values.min()!, maximum: values.max()!)
        values.withUnsafeBufferPointer { h.add($0) }
        return (values, h)
    }

    /// Mean squared error of quantizing `values` with `range`.
    func error(_ values: [Float], _ range: ActivationRange) -> Double {
        let q = range.quantization
        return values.reduce(0.0) { $0 + pow(Double($1 - q.dequantize(q.quantize($1))), 2) } / Double(values.count)
    }

    @Test func minMaxCoversEverythingPercentileAndEntropyClipOutliers() {
        for relu in [false, true] {
            let (_, h) = sample(relu: relu)
            let full = CalibrationMethod.minMax.range(h)
            #expect(full.high == 40)
            #expect(full.low == (relu ? 0 : -35))
            for method in [CalibrationMethod.percentile(99.9), .entropy] {
                let r = method.range(h)
                #expect(r.high < 20 && r.high > 2, "\(method.name) relu \(relu): \(r)")
                if relu { #expect(r.low == 0, "ReLU outputs keep 0 as their lower end") } else { #expect(r.low < -2) }
            }
        }
    }

    @Test func mseRangeHasTheLowestQuantizationError() {
        for relu in [false, true] {
            let (values, h) = sample(relu: relu)
            let best = error(values, CalibrationMethod.mse.range(h))
            for method in [CalibrationMethod.minMax, .percentile(99.9), .percentile(99), .entropy] {
                #expect(best <= error(values, method.range(h)) * 1.02, "\(method.name) relu \(relu)")
            }
            if relu { #expect(CalibrationMethod.mse.range(h).low == 0) }
        }
    }

    @Test func methodNamesParse() {
        #expect(CalibrationMethod(name: "auto") == .auto)
        #expect(CalibrationMethod(name: "percentile:99.9") == .percentile(99.9))
        #expect(CalibrationMethod(name: "KL") == .entropy)
        #expect(CalibrationMethod(name: "median") == nil)
    }

    @Test func calibrationReadsOnlyTheCalibrationSplit() throws {
        let source = RecordingSource(tinyFaces)
        let model = try Quantizer.quantize(tinyGraph(), name: "tiny", calibration: SplitFaces(source, limit: 24),
                                           options: QuantizationOptions(method: .auto, biasCorrection: .auto, autoImageCount: 8))
        #expect(source.readSplits == [.calibration])
        #expect(source.reads == 24)
        #expect(model.layers.compactMap(\.method).count == 6, "three convolutions and three hidden dense layers")
    }

    @Test func autoBiasCorrectionKeepsTheModelCloserToFloat() throws {
        let graph = tinyGraph(), calibration = SplitFaces<CalibrationSplit>(tinyFaces, limit: 24)
        func quantized(_ b: BiasCorrection) throws -> QuantizedModel {
            try Quantizer.quantize(graph, name: "tiny", calibration: calibration, options: QuantizationOptions(method: .mse, biasCorrection: b))
        }
        let off = try quantized(.off), on = try quantized(.on), auto = try quantized(.auto)
        #expect(off.bytes != on.bytes, "the correction changes some bias")
        let faces = try (0..<calibration.count).map { try calibration.face($0) }
        let reference = graph.predict(faces, progress: { _ in })
        func closeness(_ m: QuantizedModel) throws -> Double {
            SQNR.meanOverOutputs(reference: reference, approximation: try LoadedModel(bytes: m.bytes).predict(faces, progress: { _ in }))
        }
        let onIsCloser = try closeness(on) > closeness(off)
        #expect(auto.bytes == (onIsCloser ? on.bytes : off.bytes))
        #expect(auto.options.contains("bias correction auto: \(onIsCloser ? "on" : "off")"))
    }

    @Test func emptyCalibrationSetIsATypedError() {
        #expect(throws: QuantizerError.emptyCalibrationSet(source: tinyFaces.provenance)) {
            try Quantizer.quantize(tinyGraph(), name: "tiny", calibration: SplitFaces(tinyFaces, limit: 0))
        }
    }

    @Test func facesOfTheWrongSizeAreATypedError() {
        let big = SyntheticFaceSource(seed: 0, size: 32)
        #expect(throws: QuantizerError.inputShapeMismatch(source: big.provenance, expected: [16, 16, 3], found: [32, 32, 3])) {
            try Quantizer.quantize(tinyGraph(), name: "tiny", calibration: SplitFaces(big, limit: 4))
        }
    }
}
