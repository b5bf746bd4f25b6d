import FacelyzrBlobBuilder
import FacelyzrDetection
import FacelyzrImaging
import FacelyzrRuntime
import Foundation
import Testing

/// The localiser's pass per pyramid level (the model's valid convolutions once per level and
/// phase, the rest per window) against the model run window by window through `Model.predict`:
/// the same boxes and scores, bit for bit, over random frames, sizes, steps and levels, for the
/// shipped detector, random models of other shapes, and each feature set's kernel plan.
@Suite struct OnePassTests {
    /// A seeded generator (SplitMix64).
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func weights(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8(int(-127...127)) } }
        mutating func biases(_ n: Int, _ range: ClosedRange<Int>) -> [Int32] { (0..<n).map { _ in Int32(int(range)) } }
        mutating func requantization(_ n: Int, _ real: ClosedRange<Double>) -> [BlobBuilder.Requantization] {
            (0..<n).map { _ in .init(real: real.lowerBound + (real.upperBound - real.lowerBound) * Double(next() % 1000) / 1000) }
        }
    }

    static let shippedPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model/face-detector.blob").standardizedFileURL.path

    /// Random models the localiser takes, with `levelOpCount` 3, 2 and 1: the shipped detector's
    /// shape (3x3 stride 2 valid, 8, 24, 32 filters, dense 16, one logit); a 3x3 stride 1 then
    /// 5x5 stride 2 single rounding then 2x1-stride convolution; a 20x20 window under a 5x5
    /// stride 2 convolution of 20 filters (a partial second block) and a same-padded one (not a
    /// level op: it runs per window).
    static func randomModels(seed: UInt64) -> [[UInt8]] {
        var g = Generator(state: seed)
        let q = { (zp: Int32) in BlobBuilder.Quantization(scale: 0.05, zeroPoint: zp) }
        var models: [[UInt8]] = []
        do {
            var b = BlobBuilder(name: "shipped-shape", height: 24, width: 24, pixelFormat: .gray8)
            var x = b.input
            var inChannels = 1
            for filters in [8, 24, 32] {
                x = b.conv2D(x, filters: filters, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .valid,
                             weights: g.weights(filters * 9 * inChannels), bias: g.biases(filters, -3000...3000),
                             requantization: g.requantization(filters, 0.0005...0.004), output: q(-128), activation: .relu)
                inChannels = filters
            }
            x = b.fullyConnected(x, outputs: 16, weights: g.weights(16 * 128), bias: g.biases(16, -3000...3000),
                                 requantization: g.requantization(16, 0.0005...0.004), output: q(-128), activation: .relu)
            b.head("face", kind: .binary, input: x, weights: g.weights(16), bias: g.biases(1, -2000...2000), scales: [0.002], labels: ["face"])
            models.append(b.build().bytes)
        }
        do {
            var b = BlobBuilder(name: "mixed", height: 16, width: 16, pixelFormat: .gray8)
            var x = b.conv2D(b.input, filters: 4, kernelHeight: 3, kernelWidth: 3, padding: .valid,
                             weights: g.weights(4 * 9), bias: g.biases(4, -3000...3000),
                             requantization: g.requantization(4, 0.0005...0.004), output: q(-20), activation: .relu)
            x = b.conv2D(x, filters: 6, kernelHeight: 5, kernelWidth: 5, strideHeight: 2, strideWidth: 2, padding: .valid,
                         weights: g.weights(6 * 25 * 4), bias: g.biases(6, -3000...3000),
                         requantization: g.requantization(6, 0.0005...0.004), output: q(3), rounding: .single)
            x = b.conv2D(x, filters: 5, kernelHeight: 2, kernelWidth: 1, strideHeight: 2, strideWidth: 1, padding: .valid,
                         weights: g.weights(5 * 2 * 6), bias: g.biases(5, -3000...3000),
                         requantization: g.requantization(5, 0.0005...0.004), output: q(-7), activation: .relu6)
            b.head("face", kind: .binary, input: x, weights: g.weights(5 * 2 * 5), bias: g.biases(1, -2000...2000),
                   scales: [0.001], labels: ["face"])
            models.append(b.build().bytes)
        }
        do {
            var b = BlobBuilder(name: "wide", height: 20, width: 20, pixelFormat: .gray8)
            var x = b.conv2D(b.input, filters: 20, kernelHeight: 5, kernelWidth: 5, strideHeight: 2, strideWidth: 2, padding: .valid,
                             weights: g.weights(20 * 25), bias: g.biases(20, -3000...3000),
                             requantization: g.requantization(20, 0.0005...0.004), output: q(-128), activation: .relu)
            x = b.conv2D(x, filters: 3, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .same,
                         weights: g.weights(3 * 9 * 20), bias: g.biases(3, -3000...3000),
                         requantization: g.requantization(3, 0.0005...0.004), output: q(0))
            b.head("face", kind: .binary, input: x, weights: g.weights(3 * 4 * 4), bias: g.biases(1, -2000...2000),
                   scales: [0.002], labels: ["face"])
            models.append(b.build().bytes)
        }
        do {
            // A skip connection out of the first valid convolution: an add reads it as its
            // second input beside a 1x1 valid convolution of it, so only the first is a level op.
            var b = BlobBuilder(name: "skip", height: 16, width: 16, pixelFormat: .gray8)
            let skip = b.conv2D(b.input, filters: 4, kernelHeight: 3, kernelWidth: 3, padding: .valid,
                                weights: g.weights(4 * 9), bias: g.biases(4, -3000...3000),
                                requantization: g.requantization(4, 0.0005...0.004), output: q(-128), activation: .relu)
            let branch = b.conv2D(skip, filters: 4, kernelHeight: 1, kernelWidth: 1, padding: .valid,
                                  weights: g.weights(4 * 4), bias: g.biases(4, -3000...3000),
                                  requantization: g.requantization(4, 0.002...0.02), output: q(5))
            let x = b.add(branch, skip, requantization: BlobBuilder.addRequantization(input1: 0.05, input2: 0.05, output: 0.08)!,
                          output: BlobBuilder.Quantization(scale: 0.08, zeroPoint: -128), activation: .relu)
            b.head("face", kind: .binary, input: x, weights: g.weights(14 * 14 * 4), bias: g.biases(1, -2000...2000),
                   scales: [0.0005], labels: ["face"])
            models.append(b.build().bytes)
        }
        return models
    }

    /// Random models whose ops after the level ops are fully connected, which the localiser runs
    /// over the maps (`tailOnMaps`): a chain of two dense layers (double, then single rounding)
    /// after two valid convolutions; a dense layer over the pixels themselves (no level op, a
    /// field of 1,024 bytes, too large to pack: the canonical weights); a head reading the one
    /// pixel of the last map's cell directly.
    static func tailModels(seed: UInt64) -> [[UInt8]] {
        var g = Generator(state: seed)
        let q = { (zp: Int32) in BlobBuilder.Quantization(scale: 0.05, zeroPoint: zp) }
        var models: [[UInt8]] = []
        do {
            var b = BlobBuilder(name: "chain", height: 16, width: 16, pixelFormat: .gray8)
            var x = b.conv2D(b.input, filters: 6, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .valid,
                             weights: g.weights(6 * 9), bias: g.biases(6, -3000...3000),
                             requantization: g.requantization(6, 0.0005...0.004), output: q(-128), activation: .relu)
            x = b.conv2D(x, filters: 10, kernelHeight: 3, kernelWidth: 2, strideHeight: 1, strideWidth: 2, padding: .valid,
                         weights: g.weights(10 * 6 * 6), bias: g.biases(10, -3000...3000),
                         requantization: g.requantization(10, 0.0005...0.004), output: q(-3), activation: .relu6)
            x = b.fullyConnected(x, outputs: 12, weights: g.weights(12 * 5 * 3 * 10), bias: g.biases(12, -3000...3000),
                                 requantization: g.requantization(12, 0.0002...0.002), output: q(-128), activation: .relu, rounding: .double)
            x = b.fullyConnected(x, outputs: 6, weights: g.weights(6 * 12), bias: g.biases(6, -3000...3000),
                                 requantization: g.requantization(6, 0.002...0.02), output: q(7))
            b.head("face", kind: .binary, input: x, weights: g.weights(6), bias: g.biases(1, -2000...2000), scales: [0.002], labels: ["face"])
            models.append(b.build().bytes)
        }
        do {
            var b = BlobBuilder(name: "pixels", height: 32, width: 32, pixelFormat: .gray8)
            let x = b.fullyConnected(b.input, outputs: 4, weights: g.weights(4 * 1024), bias: g.biases(4, -3000...3000),
                                     requantization: g.requantization(4, 0.00005...0.0004), output: q(-128), activation: .relu)
            b.head("face", kind: .binary, input: x, weights: g.weights(4), bias: g.biases(1, -2000...2000), scales: [0.002], labels: ["face"])
            models.append(b.build().bytes)
        }
        do {
            var b = BlobBuilder(name: "one-pixel", height: 10, width: 10, pixelFormat: .gray8)
            var x = b.conv2D(b.input, filters: 8, kernelHeight: 4, kernelWidth: 4, strideHeight: 2, strideWidth: 2, padding: .valid,
                             weights: g.weights(8 * 16), bias: g.biases(8, -3000...3000),
                             requantization: g.requantization(8, 0.0005...0.004), output: q(-128), activation: .relu)
            x = b.conv2D(x, filters: 12, kernelHeight: 4, kernelWidth: 4, strideHeight: 2, strideWidth: 2, padding: .valid,
                         weights: g.weights(12 * 16 * 8), bias: g.biases(12, -3000...3000),
                         requantization: g.requantization(12, 0.0005...0.004), output: q(-128), activation: .relu)
            b.head("face", kind: .binary, input: x, weights: g.weights(12), bias: g.biases(1, -2000...2000), scales: [0.002], labels: ["face"])
            models.append(b.build().bytes)
        }
        return models
    }

    /// A gray frame of smooth gradients, a few bright and dark rectangles and noise, so that the
    /// windows' scores spread.
    static func frame(width: Int, height: Int, _ g: inout Generator) -> [UInt8] {
        let (a, bx, by) = (g.int(0...255), g.int(-3...3), g.int(-3...3))
        var pixels = (0..<(width * height)).map { i in UInt8(clamping: a + bx * (i % width) + by * (i / width) + g.int(-20...20)) }
        for _ in 0..<g.int(0...6) {
            let (x0, y0) = (g.int(0...(width - 1)), g.int(0...(height - 1)))
            let (w, h, value) = (g.int(2...40), g.int(2...40), UInt8(g.int(0...255)))
            for y in y0..<min(height, y0 + h) { for x in x0..<min(width, x0 + w) { pixels[y * width + x] = value } }
        }
        return pixels
    }

    /// What the localiser found before its pass per level: every window through `predict`, in
    /// raster order per level, the same candidate list and suppression.
    static func windowByWindow(_ localiser: Localiser, _ frame: [UInt8], packed: UnsafeRawPointer?) -> [DetectionBox] {
        let model = localiser.model
        let c = localiser.configuration
        let (window, step) = (localiser.window, c.stride)
        let arena = UnsafeMutableRawPointer.allocate(byteCount: max(model.arenaByteCount, 1), alignment: 16)
        defer { arena.deallocate() }
        var outputs = [Int32](repeating: 0, count: model.outputCount)
        var windowPixels = [UInt8](repeating: 0, count: window * window)
        var candidates: [DetectionBox] = []
        for k in 0..<localiser.levelCount {
            let (width, height, _) = localiser.level(k)
            var level = [UInt8](repeating: 0, count: width * height)
            // The pyramid's definition (docs/detection.md "Pyramid"): the frame halved (2x2
            // means, rounded half up) while its sides are even and its half holds the level.
            var (source, sourceWidth, sourceHeight) = (frame, localiser.frameWidth, localiser.frameHeight)
            while sourceWidth % 2 == 0 && sourceHeight % 2 == 0 && width <= sourceWidth / 2 && height <= sourceHeight / 2 {
                let (w, h) = (sourceWidth / 2, sourceHeight / 2)
                source = (0..<(w * h)).map { i in
                    let (x, y) = (2 * (i % w), 2 * (i / w))
                    let sum = [source[y * sourceWidth + x], source[y * sourceWidth + x + 1], source[(y + 1) * sourceWidth + x],
                               source[(y + 1) * sourceWidth + x + 1]].reduce(0) { $0 + Int($1) }
                    return UInt8((sum + 2) / 4)
                }
                (sourceWidth, sourceHeight) = (w, h)
            }
            var rows = [Float](repeating: 0, count: height * (sourceWidth + width))
            resampleAreaRowsFirst(source, width: sourceWidth, height: sourceHeight, channels: 1, into: &level,
                                  width: width, height: height, scratch: &rows)
            let xScale = Float(localiser.frameWidth) / Float(width), yScale = Float(localiser.frameHeight) / Float(height)
            for y in stride(from: 0, through: height - window, by: step) {
                for x in stride(from: 0, through: width - window, by: step) {
                    for r in 0..<window { for i in 0..<window { windowPixels[r * window + i] = level[(y + r) * width + x + i] } }
                    model.predict(using: DefaultKernels.self, pixels: windowPixels, arena: arena, outputs: &outputs,
                                  layerOutputs: nil, packedWeights: packed)
                    let score = outputs.withUnsafeBufferPointer { model.prediction(output: 0, outputs: $0.baseAddress!) }
                    guard score >= c.scoreThreshold else { continue }
                    var box = DetectionBox(x: Float(x) * xScale, y: Float(y) * yScale, width: Float(window) * xScale,
                                           height: Float(window) * yScale, score: score)
                    if localiser.hasBoxHead {
                        let o = outputs.withUnsafeBufferPointer { p in (1...3).map { model.prediction(output: $0, outputs: p.baseAddress!) } }
                        box = Localiser.regressedBox(window: box, x: o[0], y: o[1], logScale: o[2])
                    }
                    if candidates.count < c.candidateCapacity {
                        candidates.append(box)
                    } else {
                        var weakest = 0
                        for i in 1..<candidates.count where candidates[i].score < candidates[weakest].score { weakest = i }
                        if candidates[weakest].score < score { candidates[weakest] = box }
                    }
                }
            }
        }
        let kept = candidates.withUnsafeMutableBufferPointer {
            suppressNonMaxima($0.baseAddress!, count: $0.count, overlapThreshold: c.overlapThreshold,
                              containmentThreshold: c.containmentThreshold, merging: c.mergesSuppressed)
        }
        return Array(candidates.prefix(kept))
    }

    /// `localiser.detect` on `frame` in a fresh workspace filled with garbage (nothing may read
    /// what it did not write), returning every box.
    static func onePass(_ localiser: Localiser, _ frame: [UInt8], packed: UnsafeRawPointer?) throws -> [DetectionBox] {
        let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16)
        defer { workspace.deallocate() }
        for i in 0..<workspace.count { workspace[i] = UInt8(truncatingIfNeeded: i &* 167 &+ 91) }
        var boxes = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0),
                                   count: localiser.configuration.candidateCapacity)
        let count = try frame.withUnsafeBufferPointer { f in
            try boxes.withUnsafeMutableBufferPointer { try localiser.detect(frame: f, workspace: workspace, packedWeights: packed, boxes: $0) }
        }
        return Array(boxes.prefix(count))
    }

    /// Each kernel plan this CPU can run (as FastKernelTests), and the canonical weights (nil).
    static var featureSets: [CPUFeatures?] {
        #if arch(x86_64)
        let avx512 = CPUFeatures.avx2.union(.avx512vnni)
        return [nil] + [CPUFeatures.baseline, .avx2, avx512, avx512.union(.avx512vbmi)].filter { CPUFeatures.detected.contains($0) }
        #else
        return [nil, CPUFeatures.detected]
        #endif
    }

    @Test func everyWindowScoresAsPredictDoes() throws {
        var g = Generator(state: 14)
        var blobs = [try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.shippedPath)))]
        blobs += Self.randomModels(seed: 15) + [SquareModel.blob(), SquareModel.blob(box: [100, -50, 223])] + Self.tailModels(seed: 16)
        var compared = 0, cases = 0
        for (m, blob) in blobs.enumerated() {
            let bytes = AlignedBytes(blob)
            let model = try bytes.model()
            for features in Self.featureSets {
                let packed = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: max(model.packedWeightsByteCount(for: DefaultKernels.self, features: features ?? .baseline), 1), alignment: 64)
                defer { packed.deallocate() }
                if let features { model.packWeights(for: DefaultKernels.self, features: features, into: packed.baseAddress!) }
                let packedWeights = features == nil ? nil : UnsafeRawPointer(packed.baseAddress!)
                for _ in 0..<(m == 0 ? 4 : 2) {
                    let (width, height) = (g.int(model.input.width...110), g.int(model.input.width...90))
                    // Every window a box (suppression off, low threshold), or the usual settings
                    // with a short candidate list, so the order of candidates counts.
                    let everything = g.int(0...1) == 0
                    let configuration = LocaliserConfiguration(
                        minimumFaceSize: g.int(model.input.width / 2...model.input.width * 2), scaleStep: [1.1, 1.25, 1.5, 2][g.int(0...3)],
                        stride: [1, 2, 3, 4, 5, 6, 8, 12, 16, 40][g.int(0...9)], scoreThreshold: everything ? 0.001 : 0.3,
                        overlapThreshold: everything ? 1 : 0.3, containmentThreshold: everything ? 1 : [1, 0.7][g.int(0...1)],
                        candidateCapacity: everything ? 100_000 : g.int(1...40))
                    let frame = Self.frame(width: width, height: height, &g)
                    guard let localiser = try? Localiser(model: model, frameWidth: width, frameHeight: height, configuration: configuration)
                    else { continue }
                    let expected = Self.windowByWindow(localiser, frame, packed: packedWeights)
                    let found = try Self.onePass(localiser, frame, packed: packedWeights)
                    let first = Array(zip(found, expected)).firstIndex { $0 != $1 } ?? min(found.count, expected.count)
                    #expect(found.count == expected.count && first == found.count,
                            "model \(m), features \(String(describing: features?.rawValue)), \(width)x\(height), \(configuration): \(found.count) boxes, \(expected.count) expected, first difference at \(first)")
                    compared += expected.count
                    cases += 1
                }
            }
        }
        // The cases found boxes to compare, and the level ops ran (3, 2, 1 and 0 of them).
        #expect(cases > 30 && compared > 2000, "\(cases) cases, \(compared) boxes")
    }

    @Test func neverMoreMultiplyAccumulatesThanWindowByWindow() throws {
        let bytes = try AlignedBytes([UInt8](Data(contentsOf: URL(fileURLWithPath: Self.shippedPath))))
        let model = try bytes.model()
        let perWindow = (0..<model.opCount).reduce(UInt64(0)) { $0 + model.multiplyAccumulates(op: $1) }
        for (width, height) in [(320, 240), (640, 480)] {
            for stride in 1...20 {
                let localiser = try Localiser(model: model, frameWidth: width, frameHeight: height,
                                              configuration: LocaliserConfiguration(stride: stride))
                let windowed = UInt64(localiser.windowCount) * perWindow
                print("OnePassTests: \(width)x\(height) step \(stride): \(localiser.windowCount) windows, \(localiser.levelOpCount) level ops, "
                      + "\(localiser.multiplyAccumulates) MAC (window by window \(windowed)), workspace \(localiser.workspaceByteCount) bytes")
                #expect(localiser.multiplyAccumulates <= windowed)
                // Steps dividing the cell step (8) run every convolution per level, at least 3.5 times
                // cheaper (at step 8 the two heads' dense layers, run per window, are a tenth of the rest).
                if 8 % stride == 0 {
                    #expect(localiser.levelOpCount == 3 && localiser.multiplyAccumulates * 7 < windowed * 2, "step \(stride)")
                }
            }
        }
    }

    /// What lets a level op run its recorded plan over a level (docs/kernels.md "Any input
    /// size"): the planner makes the same plan for every input size.
    @Test func aConvolutionsPlanDoesNotDependOnItsInputSize() throws {
        let blobs = [try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.shippedPath)))] + Self.randomModels(seed: 15)
        var checked = 0
        for blob in blobs {
            let bytes = AlignedBytes(blob)
            let model = try bytes.model()
            for index in 0..<model.opCount where model.op(index).kind == .conv2D {
                let o = model.op(index)
                let source = model.tensor(o.input)
                for features in Self.featureSets.compactMap({ $0 }) {
                    let recorded = model.kernelPlan(op: index, features: features)
                    for (height, width) in [(24, 24), (205, 274), (7, 300), (300, 7), (4096, 4096)] {
                        let p = ConvolutionParameters(
                            input: TensorShape(height: height, width: width, channels: source.shape.channels),
                            output: model.outputShape(conv2D: index, inputHeight: height, inputWidth: width),
                            kernelHeight: o.kernelHeight, kernelWidth: o.kernelWidth, strideHeight: o.strideHeight,
                            strideWidth: o.strideWidth, padTop: 0, padLeft: 0, inputZeroPoint: source.zeroPoint,
                            outputZeroPoint: model.tensor(o.output).zeroPoint, outputMin: o.outputMin, outputMax: o.outputMax,
                            rounding: o.rounding)
                        let plan = KernelPlan(conv2D: p, features: features)
                        #expect(plan.variant == recorded.variant && plan.mode == recorded.mode && plan.gather == recorded.gather,
                                "op \(index) at \(height)x\(width)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked >= 40)
    }

    @Test func levelOpsAreTheLeadingValidConvolutions() throws {
        let blobs = [try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.shippedPath)))] + Self.randomModels(seed: 15) + [SquareModel.blob()]
        var counts: [Int] = []
        for blob in blobs {
            let bytes = AlignedBytes(blob)
            counts.append(try Localiser(model: try bytes.model(), frameWidth: 64, frameHeight: 64,
                                        configuration: LocaliserConfiguration(stride: 4)).levelOpCount)
        }
        #expect(counts == [3, 3, 3, 1, 1, 0])
    }

    /// Which models' ops after the level ops run over the maps: the fully connected tails (also
    /// with no level op), not a head over a cell of several pixels (it runs per window), nor ops
    /// of other kinds after the level ops.
    @Test func fullyConnectedTailsRunOverTheMaps() throws {
        let blobs = [try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.shippedPath)))] + Self.randomModels(seed: 15)
            + [SquareModel.blob()] + Self.tailModels(seed: 16)
        var found: [String] = []
        for blob in blobs {
            let bytes = AlignedBytes(blob)
            let localiser = try Localiser(model: try bytes.model(), frameWidth: 64, frameHeight: 64,
                                          configuration: LocaliserConfiguration(stride: 4))
            found.append("\(localiser.levelOpCount) \(localiser.tailOnMaps)")
        }
        #expect(found == ["3 true", "3 true", "3 false", "1 false", "1 false", "0 false", "2 true", "0 true", "2 true"])
    }
}
