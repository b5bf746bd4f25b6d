import FacelyzrBlobBuilder
import FacelyzrData
import FacelyzrHost
import FacelyzrRuntime
import FacelyzrTrainer
import Foundation

/// Whether the quantizer adds back each layer's expected weight-rounding error to its bias
/// (docs/quantization.md "Bias correction").
public enum BiasCorrection: String, CaseIterable, Sendable {
    case off, on
    /// Both ways; keeps the one whose head outputs are closer to float on the calibration faces.
    case auto
}

/// Settings of a quantization run.
public struct QuantizationOptions: Sendable {
    public var method: CalibrationMethod
    /// Empirical bias correction (add back `E[(w - w_q) x]` per output channel).
    public var biasCorrection: BiasCorrection
    /// How weights are rounded to int8 (scales are the same either way).
    public var weightRounding: WeightRounding
    /// Cross-layer equalisation on the calibration faces before calibrating
    /// (`FloatGraph.equalized(on:)`, docs/quantization.md "Cross-layer equalisation").
    public var equalization: Bool
    /// 8, or 16: every activation after the input int16, symmetric, with int8 weights and int64
    /// biases (TFLite's 16x8 mode, docs/quantization.md "16-bit activations").
    public var activationBits: Int
    /// Calibration images `auto` runs through the runtime to pick each layer's method.
    public var autoImageCount: Int
    public var batchSize: Int
    public var binsPerSide: Int

    public init(method: CalibrationMethod = .auto, biasCorrection: BiasCorrection = .off, weightRounding: WeightRounding = .nearest,
                equalization: Bool = false, activationBits: Int = 8, autoImageCount: Int = 32, batchSize: Int = 32, binsPerSide: Int = ActivationHistogram.defaultBinsPerSide) {
        self.method = method
        self.biasCorrection = biasCorrection
        self.weightRounding = weightRounding
        self.equalization = equalization
        self.activationBits = activationBits
        self.autoImageCount = autoImageCount
        self.batchSize = batchSize
        self.binsPerSide = binsPerSide
    }
}

/// An int8 model made from a float network: the blob's bytes and what was done per layer.
public struct QuantizedModel: Sendable {
    public var bytes: [UInt8]
    public var layers: [LayerReport]
    /// `SplitFaces.description` of the calibration set.
    public var calibration: String
    public var calibrationCount: Int
    public var options: String
}

/// Calibrates and converts a float network to an int8 blob (docs/quantization.md "Quantizer").
public enum Quantizer {
    /// Quantizes `graph`, calibrating activation ranges on `calibration` only (the type admits
    /// no other split). `progress` receives short lines about long work.
    public static func quantize(
        _ original: FloatGraph, name: String, calibration: SplitFaces<CalibrationSplit>,
        options: QuantizationOptions = QuantizationOptions(), progress: (String) -> Void = { _ in }
    ) throws(QuantizerError) -> QuantizedModel {
        guard calibration.count > 0 else { throw .emptyCalibrationSet(source: calibration.source.provenance) }
        guard calibration.source.imageShape == original.inputShape else {
            throw .inputShapeMismatch(source: calibration.source.provenance, expected: original.inputShape,
                                      found: calibration.source.imageShape)
        }
        progress("calibration: \(calibration.description)")
        var faces: [LabelledFace] = []
        for i in 0..<calibration.count {
            let face: LabelledFace
            do { face = try calibration.face(i) } catch { throw .data(error) }
            guard face.pixels.count == original.inputShape.reduce(1, *) else {
                throw .inputShapeMismatch(source: calibration.source.provenance, expected: original.inputShape,
                                          found: [face.pixels.count])
            }
            faces.append(face)
        }
        let images = faces.map(\.pixels)
        let graph = options.equalization ? original.equalized(on: images, batchSize: options.batchSize) : original
        if options.equalization { progress("cross-layer equalisation: \(graph.equalizationPairs.count) pairs") }
        let calibrated = graph.nodes.indices.filter { graph.nodes[$0].isCalibrated }

        // Pass 1: ranges and means; pass 2: histograms.
        var minimum = [Int: Float](), maximum = [Int: Float]()
        var sums = [Int: [Double]]()  // per element of each node's output; -1 the input
        let batches = stride(from: 0, to: images.count, by: options.batchSize).map { start in
            start..<min(start + options.batchSize, images.count)
        }
        // GPTQ fits the layers whose output channels all read the same rows; a depthwise
        // convolution's channels each read their own, so it keeps nearest rounding.
        let gptqLayers = graph.nodes.indices.filter {
            if case .depthwiseConv2D = graph.nodes[$0].kind { false } else { graph.nodes[$0].weight != nil }
        }
        var moments = [Int: InputMoments]()  // GPTQ's, per layer it fits
        if options.weightRounding == .gptq {
            for i in gptqLayers { moments[i] = InputMoments(length: graph.nodes[i].weight!.count / graph.nodes[i].weight!.shape[0]) }
        }
        var columns: [Float] = []
        for (b, batch) in batches.enumerated() {
            let input = graph.normalize(Array(images[batch].joined()), count: batch.count)
            let outputs = graph.forward(input)
            accumulate(input, into: &sums, key: -1)
            for i in gptqLayers where options.weightRounding == .gptq {
                moments[i]!.add(graph.nodes[i].input.map { outputs[$0] } ?? input, of: graph.nodes[i], columns: &columns)
            }
            for i in graph.nodes.indices {
                accumulate(outputs[i], into: &sums, key: i)
                guard graph.nodes[i].isCalibrated else { continue }
                let v = outputs[i].values
                minimum[i] = min(minimum[i] ?? .infinity, v.min() ?? 0)
                maximum[i] = max(maximum[i] ?? -.infinity, v.max() ?? 0)
            }
            progress("ranges: batch \(b + 1)/\(batches.count)")
        }
        var histograms = [Int: ActivationHistogram]()
        for i in calibrated {
            histograms[i] = ActivationHistogram(minimum: minimum[i]!, maximum: maximum[i]!, binsPerSide: options.binsPerSide)
        }
        for (b, batch) in batches.enumerated() {
            let outputs = graph.forward(graph.normalize(Array(images[batch].joined()), count: batch.count))
            for i in calibrated { outputs[i].values.withUnsafeBufferPointer { histograms[i]!.add($0) } }
            progress("histograms: batch \(b + 1)/\(batches.count)")
        }

        var roundedWeights: [Int: ChannelQuantizedWeights]?
        if options.weightRounding == .gptq {
            var rounded = [Int: ChannelQuantizedWeights]()
            for (n, i) in gptqLayers.enumerated() {
                let w = graph.nodes[i].weight!
                rounded[i] = quantizeWeightsGPTQ(w.values, channels: w.shape[0], moments: moments[i]!)
                progress("gptq: layer \(n + 1)/\(gptqLayers.count) \(graph.nodes[i].name)")
            }
            roundedWeights = rounded
        }
        let means = options.biasCorrection == .off ? nil : biasCorrectionMeans(graph, sums: sums, count: images.count)
        // `auto` picks the layers' ranges without correction, then compares the two finished models.
        let rangeChoiceMeans = options.biasCorrection == .on ? means : nil
        let methods = options.method == .auto ? CalibrationMethod.candidates : [options.method]
        var choices = [Int: [(CalibrationMethod, ActivationRange)]]()
        for i in calibrated {
            choices[i] = methods.map { ($0, $0.range(histograms[i]!)) }
        }
        var chosen = [Int: Int]()  // node -> index in choices
        for i in calibrated {
            chosen[i] = methods.firstIndex(of: .mse) ?? 0
        }
        var sqnr = [Int: Double]()

        func quantizations() -> [Int: BlobBuilder.Quantization] {
            var q = [Int: BlobBuilder.Quantization]()
            for i in calibrated {
                let range = choices[i]![chosen[i]!].1
                q[i] = options.activationBits == 16 ? range.quantization16 : range.quantization
            }
            return q
        }

        if options.method == .auto {
            // Greedy, in execution order: earlier layers keep their choice, so each layer is judged
            // with the error it really receives. Later layers cannot affect this layer's output.
            let probe = Array(images.prefix(max(1, options.autoImageCount)))
            let reference = graph.forward(graph.normalize(Array(probe.joined()), count: probe.count))
            for (n, i) in calibrated.enumerated() {
                // Judge the range where it is last used: after the pools that keep its scale
                // (a global average pool after a convolution is all the heads see of it).
                let judged = lastUser(of: i, in: graph)
                let floatValues = reference[judged].values
                var best: (sqnr: Double, choice: Int)?
                var seen: [ActivationRange: Double] = [:]
                for c in choices[i]!.indices {
                    let range = choices[i]![c].1
                    let score: Double
                    if let s = seen[range] {
                        score = s
                    } else {
                        chosen[i] = c
                        let model = try LoadedModel(quantized: exportBlob(graph, name: name, outputs: quantizations(), inputMeans: rangeChoiceMeans, weights: roundedWeights).bytes)
                        var int8Values: [Float] = []
                        int8Values.reserveCapacity(floatValues.count)
                        for image in probe { int8Values += model.predictLayers(image).layers[judged] }
                        score = SQNR.decibels(signal: floatValues, approximation: int8Values)
                        seen[range] = score
                    }
                    if best == nil || score > best!.sqnr { best = (score, c) }
                }
                chosen[i] = best!.choice
                sqnr[i] = best!.sqnr
                let at = judged == i ? "" : " at \(graph.nodes[judged].name)"
                progress("auto: layer \(n + 1)/\(calibrated.count) \(graph.nodes[i].name): \(choices[i]![best!.choice].0.name), SQNR \(formatDecibels(best!.sqnr))\(at)")
            }
        }

        var biasCorrectionText = options.biasCorrection.rawValue
        let (bytes, reports): (bytes: [UInt8], layers: [LayerReport])
        if options.biasCorrection == .auto {
            let floatOutputs = graph.predict(faces, progress: progress)
            func candidate(_ meansOrNil: [Int: [Float]]?) throws(QuantizerError) -> (blob: (bytes: [UInt8], layers: [LayerReport]), sqnr: Double) {
                let blob = try exportBlob(graph, name: name, outputs: quantizations(), inputMeans: meansOrNil, weights: roundedWeights)
                let model = try LoadedModel(quantized: blob.bytes)
                return (blob, SQNR.meanOverOutputs(reference: floatOutputs, approximation: model.predict(faces, progress: progress)))
            }
            let without = try candidate(nil), with = try candidate(means)
            (bytes, reports) = with.sqnr > without.sqnr ? with.blob : without.blob
            biasCorrectionText = "auto: \(with.sqnr > without.sqnr ? "on" : "off") (head outputs' mean SQNR on the \(faces.count) calibration faces "
                + "\(formatDecibels(with.sqnr)) with, \(formatDecibels(without.sqnr)) without)"
            progress("bias correction \(biasCorrectionText)")
        } else {
            (bytes, reports) = try exportBlob(graph, name: name, outputs: quantizations(), inputMeans: rangeChoiceMeans, weights: roundedWeights)
            _ = try LoadedModel(quantized: bytes)  // never hand out a blob the runtime would refuse
        }
        var layers = reports
        for i in calibrated {
            layers[i].method = choices[i]![chosen[i]!].0.name
            layers[i].range = choices[i]![chosen[i]!].1
            layers[i].calibrationSQNR = sqnr[i]
        }
        let optionText = "method \(options.method.name), bias correction \(biasCorrectionText), "
            + (options.weightRounding == .nearest ? "" : "weight rounding \(options.weightRounding.rawValue), ")
            + (options.equalization ? "cross-layer equalisation, " : "")
            + (options.activationBits == 16 ? "16-bit activations, " : "")
            + "\(options.binsPerSide * 2) histogram bins" + (options.method == .auto ? ", auto on \(min(options.autoImageCount, images.count)) images" : "")
        return QuantizedModel(bytes: bytes, layers: layers, calibration: calibration.description,
                              calibrationCount: calibration.count, options: optionText)
    }

    /// The last node of the chain of pools that read node `i`'s output alone and keep its
    /// quantization (`i` itself when none does).
    static func lastUser(of i: Int, in graph: FloatGraph) -> Int {
        var current = i
        while true {
            let readers = graph.nodes.indices.filter { graph.nodes[$0].input == current || graph.nodes[$0].secondInput == current }
            guard readers.count == 1, !graph.nodes[readers[0]].isCalibrated, graph.nodes[readers[0]].weight == nil else { return current }
            current = readers[0]
        }
    }

    /// Adds each batch item's values element-wise into `sums[key]`.
    static func accumulate(_ t: Tensor, into sums: inout [Int: [Double]], key: Int) {
        let per = t.itemCount
        var s = sums[key] ?? [Double](repeating: 0, count: per)
        t.values.withUnsafeBufferPointer { v in
            for n in 0..<t.batch {
                for j in 0..<per { s[j] += Double(v[n * per + j]) }
            }
        }
        sums[key] = s
    }

    /// Per node with weights: the float mean of its input, per input channel for convolutions
    /// and per-place heads, per element for dense layers (what `exportBlob` multiplies the weight
    /// error by).
    static func biasCorrectionMeans(_ graph: FloatGraph, sums: [Int: [Double]], count: Int) -> [Int: [Float]] {
        var means = [Int: [Float]]()
        for (i, node) in graph.nodes.enumerated() where node.weight != nil {
            let s = sums[node.input ?? -1]!
            let channels: Int? = switch node.kind {
            case .conv2D(let g), .depthwiseConv2D(let g): g.inputChannels
            default: node.isPerPlaceHead ? node.weight!.shape[1] : nil
            }
            if let c = channels {
                means[i] = (0..<c).map { ch in
                    Float(stride(from: ch, to: s.count, by: c).reduce(0.0) { $0 + s[$1] } / Double(count * (s.count / c)))
                }
            } else {
                means[i] = s.map { Float($0 / Double(count)) }
            }
        }
        return means
    }
}

/// `12.3 dB`, or `exact`.
func formatDecibels(_ d: Double) -> String {
    d >= SQNR.exact ? "exact" : String(format: "%.1f dB", d)
}
