import FacelyzrBlobBuilder
import FacelyzrRuntime
import FacelyzrTrainer

/// What the quantizer did to one layer (one op of the blob), for the report and the model card.
public struct LayerReport: Codable, Sendable, Equatable {
    /// The checkpoint's parameter prefix (`encoder.0`, `heads.age.1`).
    public var name: String
    /// `conv2D`, `maxPool2x2`, `fullyConnected`, `fullyConnectedAccumulators`, ...
    public var op: String
    /// Calibration method that chose the output range (calibrated layers only).
    public var method: String?
    public var range: ActivationRange?
    public var outputScale: Float?
    public var outputZeroPoint: Int32?
    /// Rounding of the requantisation (`double`, `single`), per docs/quantization.md section 7.
    public var rounding: String?
    /// Output channels with weights; channels whose weights are all zero.
    public var channels: Int?
    public var zeroChannels: Int?
    /// `max |w - s_w q| / s_w` over the layer's weights (at most 0.5).
    public var maxWeightErrorInSteps: Float?
    /// Output channels whose int32 bias saturated.
    public var saturatedBiasChannels: [Int]?
    /// SQNR (dB) against float on the calibration images used by `auto`, of this op's int8 output
    /// or of the last pool after it that keeps its quantization.
    public var calibrationSQNR: Double?
}

/// Builds the blob of `graph` with the given output quantization of every calibrated node,
/// through `BlobBuilder` (docs/quantization.md "Quantizer: conversion").
///
/// - Parameters:
///   - outputs: quantization of each calibrated node's output, by node index.
///   - inputMeans: for bias correction, the float mean of each node's input per element of its
///     input tensor (flattened NHWC); nil leaves biases as trained.
///   - weights: int8 weights rounded beforehand (GPTQ), by node index; nil rounds each weight to
///     its nearest step.
func exportBlob(
    _ graph: FloatGraph, name: String, outputs: [Int: BlobBuilder.Quantization], inputMeans: [Int: [Float]]?,
    weights rounded: [Int: ChannelQuantizedWeights]? = nil
) throws(QuantizerError) -> (bytes: [UInt8], layers: [LayerReport]) {
    let pixelFormat: PixelFormat = graph.inputShape[2] == 1 ? .gray8 : .rgb8
    var builder = BlobBuilder(name: name, height: graph.inputShape[0], width: graph.inputShape[1],
                              pixelFormat: pixelFormat, inputScale: graph.inputScale)
    var tensors: [BlobBuilder.Tensor] = []
    var reports: [LayerReport] = []

    for (index, node) in graph.nodes.enumerated() {
        let x = node.input.map { tensors[$0] } ?? builder.input
        let inQ = builder.quantization(x)
        var report = LayerReport(name: node.name, op: "")
        let isDepthwise = if case .depthwiseConv2D = node.kind { true } else { false }

        /// Weights, biases and requantisation of a conv or dense node whose output has `outQ`
        /// (nil for a head's accumulators).
        func quantizeParameters(_ outQ: BlobBuilder.Quantization?) throws(QuantizerError)
            -> (weights: [Int8], bias: [Int64], requantization: [BlobBuilder.Requantization], scales: [Float])
        {
            let w = node.weight!, channels = w.shape[0]
            var q = rounded?[index] ?? quantizeWeightsPerChannel(w.values, channels: channels)
            var bias = node.bias!.values
            if let means = inputMeans?[index] {
                // Empirical bias correction: add back the expected error E[(w - w_q) x] per channel.
                let deq = q.dequantized()
                let per = q.perChannel
                for c in 0..<channels {
                    var correction = 0.0
                    for j in 0..<per {
                        // A depthwise channel reads its own input channel; a convolution's weights (and a
                        // per-place head's) run over the input channels fastest (OHWI), a dense layer's
                        // over the input elements.
                        let mean = means[isDepthwise ? c : j % means.count]
                        correction += Double(w.values[c * per + j] - deq[c * per + j]) * Double(mean)
                    }
                    bias[c] += Float(correction)
                }
            }
            var zeroChannels = 0
            var maxError: Float = 0
            for c in 0..<channels {
                let s = q.scales[c]
                if s == 0 {
                    zeroChannels += 1
                    q.scales[c] = zeroChannelScale(bias: bias[c], inputScale: inQ.scale)
                    if q.scales[c] == 0 && outQ == nil { q.scales[c] = 1 }  // head outputs need a positive scale
                    continue
                }
                for j in 0..<q.perChannel {
                    let i = c * q.perChannel + j
                    maxError = max(maxError, abs(w.values[i] - s * Float(q.values[i])) / s)
                }
            }
            // A 16x8 op (an int16 input or output) has int64 bias (docs/quantization.md "16-bit activations").
            let wide = inQ.element == .nhwcInt16 || outQ?.element == .nhwcInt16
            let b = quantizeBias(bias, inputScale: inQ.scale, weightScales: q.scales,
                                 range: wide ? -BlobFormat.maximumWideBias...BlobFormat.maximumWideBias : Int64(Int32.min)...Int64(Int32.max))
            var requantization: [BlobBuilder.Requantization] = []
            if let outQ {
                for c in 0..<channels {
                    guard q.scales[c] > 0 else {
                        requantization.append(BlobBuilder.Requantization(multiplier: 0, shift: 0))
                        continue
                    }
                    let real = effectiveScale(inputScale: inQ.scale, weightScale: q.scales[c], outputScale: outQ.scale)
                    // A 16x8 op's shift is at most 7 (TFLite's int64 MultiplyByQuantizedMultiplier).
                    guard real < (wide ? 128 : 1_073_741_824) else { throw .effectiveScaleTooLarge(layer: node.name, channel: c, scale: real) }
                    requantization.append(BlobBuilder.Requantization(real: real))
                }
            }
            report.channels = channels
            report.zeroChannels = zeroChannels
            report.maxWeightErrorInSteps = maxError
            report.saturatedBiasChannels = b.saturatedChannels
            return (q.values, b.values, requantization, q.scales.map { headOutputScale(inputScale: inQ.scale, weightScale: $0) })
        }

        func activation(_ a: Activation) -> BlobBuilder.Activation {
            switch a {
            case .none: .none
            case .relu: .relu
            case .relu6: .relu6
            }
        }

        var y = x
        switch node.kind {
        case .conv2D(let g):
            let outQ = outputs[index]!
            let p = try quantizeParameters(outQ)
            y = builder.conv2D(
                x, filters: g.outputChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
                strideHeight: g.stride, strideWidth: g.stride, padding: g.padding, weights: p.weights, bias: p.bias,
                requantization: p.requantization, output: outQ, activation: activation(node.activation), rounding: .double)
            report.op = "conv2D"
            report.rounding = "double"
        case .depthwiseConv2D(let g):
            let outQ = outputs[index]!
            let p = try quantizeParameters(outQ)
            // Per channel [C, 3, 3] to the runtime's HWC layout [3, 3, C].
            let c = g.outputChannels, taps = g.kernelHeight * g.kernelWidth
            let hwc = (0..<(taps * c)).map { p.weights[($0 % c) * taps + $0 / c] }
            y = builder.depthwiseConv2D(
                x, strideHeight: g.stride, strideWidth: g.stride, padding: g.padding, weights: hwc, bias: p.bias,
                requantization: p.requantization, output: outQ, activation: activation(node.activation), rounding: .double)
            report.op = "depthwiseConv2D"
            report.rounding = "double"
        case .dense:
            let outQ = outputs[index]!
            let p = try quantizeParameters(outQ)
            y = builder.fullyConnected(
                x, outputs: node.weight!.shape[0], weights: p.weights, bias: p.bias, requantization: p.requantization,
                output: outQ, activation: activation(node.activation), rounding: .single)
            report.op = "fullyConnected"
            report.rounding = "single"
        case .headOutput(let h):
            let p = try quantizeParameters(nil)
            let head = graph.heads[h]
            // A per-place head's labels and values repeat at every place: the builder takes one place's.
            let perPlace = p.bias.count
            builder.head(head.name, kind: head.kind, input: x, weights: p.weights, bias: p.bias, scales: p.scales,
                         labels: Array(head.labels.prefix(perPlace)), values: Array(head.values.prefix(perPlace)),
                         perPlace: node.isPerPlaceHead)
            report.op = "fullyConnectedAccumulators"
        case .maxPool(2, 2):
            y = builder.maxPool2x2(x)
            report.op = "maxPool2x2"
        case .averagePool(2, 2):
            y = builder.averagePool2x2(x)
            report.op = "averagePool2x2"
        case .maxPool(let size, let stride) where size <= BlobFormat.maximumKernel && stride <= BlobFormat.maximumKernel:
            // The runtime's max pool k x k / stride s (format v3) with valid windows, as the node's.
            let s = builder.shape(x)
            guard [(s.height - size) / stride + 1, (s.width - size) / stride + 1, s.channels] == node.outputShape, s.height >= size, s.width >= size else {
                throw .unsupportedLayer(layer: node.name, reason: "a \(size)x\(size)/\(stride) max pool whose windows are not the valid ones")
            }
            y = builder.maxPool(x, kernelHeight: size, kernelWidth: size, strideHeight: stride, strideWidth: stride, padding: .valid)
            report.op = "maxPool"
        case .maxPool(let size, let stride), .averagePool(let size, let stride):
            throw .unsupportedLayer(layer: node.name, reason: "a \(size)x\(size)/\(stride) pool: the runtime's pools are 2x2/2 and max pools up to 7x7/7")
        case .globalAveragePool:
            y = builder.globalAveragePool(x)
            report.op = "globalAveragePool"
        case .pad(let top, let left, let channelsBefore):
            let s = builder.shape(x), out = node.outputShape
            y = builder.pad(x, top: top, bottom: out[0] - s.height - top, left: left, right: out[1] - s.width - left,
                            channelsBefore: channelsBefore, channelsAfter: out[2] - s.channels - channelsBefore)
            report.op = "pad"
        case .add:
            let outQ = outputs[index]!
            let second = node.secondInput.map { tensors[$0] } ?? builder.input
            let secondScale = builder.quantization(second).scale
            let int16 = outQ.element == .nhwcInt16
            guard let r = BlobBuilder.addRequantization(input1: inQ.scale, input2: secondScale, output: outQ.scale, int16: int16) else {
                throw .effectiveScaleTooLarge(layer: node.name, channel: 0, scale: 2 * Double(max(inQ.scale, secondScale)) / (Double(int16 ? 32_768 : 1_048_576) * Double(outQ.scale)))
            }
            y = builder.add(x, second, requantization: r, output: outQ, activation: activation(node.activation))
            report.op = "add"
            report.rounding = "double"
        }
        // A 16x8 op has one rounding, TFLite's int64 rescale (docs/quantization.md section 11); an add keeps double.
        if report.rounding != nil, report.op != "add", inQ.element == .nhwcInt16 || builder.quantization(y).element == .nhwcInt16 {
            report.rounding = "16x8"
        }
        if node.isCalibrated {
            let q = builder.quantization(y)
            report.outputScale = q.scale
            report.outputZeroPoint = q.zeroPoint
        }
        tensors.append(y)  // a head op's entry is never read: heads end the graph
        reports.append(report)
    }
    return (builder.build().bytes, reports)
}
