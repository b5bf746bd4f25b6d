import FacelyzrImaging
import FacelyzrRuntime

/// Finds faces in a gray frame with a face / not-face model: a multi-scale sliding window over
/// an image pyramid, each window scored by the int8 runtime, then non-maximum suppression
/// (docs/detection.md "Localiser").
///
/// Level `k` searches faces of side `minimumFaceSize * scaleStep^k` frame pixels: the frame is
/// area-resampled so that such a face becomes the model's `window` x `window` input, and the
/// window slides over the level by `stride` pixels. A window whose probability reaches the
/// threshold is a candidate, mapped back to frame pixels. The model's leading valid
/// convolutions (`levelOpCount`) run once over each level, per phase of the window positions
/// modulo their strides, and the rest of the model once per window on its cell of the last
/// map: window for window the arithmetic of `Model.predict` (docs/detection.md "One pass per
/// level"). Made once for a frame size; `detect` then runs in the caller's workspace with no
/// heap allocation and no check that can fail except the sizes of what it is given. A
/// localiser is immutable and can be shared across threads, each with its own workspace.
public struct Localiser: Sendable {
    public let model: Model
    public let frameWidth: Int
    public let frameHeight: Int
    public let configuration: LocaliserConfiguration
    /// Side of the model's square input.
    public let window: Int
    /// Pyramid levels searched.
    public let levelCount: Int
    /// Leading ops of the model run once per level (and phase) rather than once per window:
    /// the chain of conv2D ops with valid padding from the input, each read by the next op
    /// only (0 when the model does not start so: then every window runs the whole model).
    public let levelOpCount: Int
    /// Bytes of the workspace `detect` needs.
    public let workspaceByteCount: Int

    @usableFromInline let largestLevelWidth: Int
    @usableFromInline let largestLevelHeight: Int
    @usableFromInline let levelOffset: Int
    @usableFromInline let scratchOffset: Int
    @usableFromInline let scoresOffset: Int
    @usableFromInline let outputsOffset: Int
    @usableFromInline let candidatesOffset: Int

    /// A localiser for `frameWidth` x `frameHeight` gray frames. Throws if the model is not a
    /// square gray face / not-face model, the configuration is out of range, no window fits, or
    /// the frame needs too many windows or too large a first level.
    public init(model: Model, frameWidth: Int, frameHeight: Int,
                configuration: LocaliserConfiguration = LocaliserConfiguration()) throws(DetectionError) {
        let input = model.input
        guard input.channels == 1, input.width == input.height else {
            throw .modelInputNotSquareGray(width: input.width, height: input.height, channels: input.channels)
        }
        guard model.outputCount == 1, model.headCount == 1, model.head(0).kind == .binary else {
            throw .modelNotFaceClassifier(outputCount: model.outputCount)
        }
        if let setting = configuration.invalidSetting { throw .invalidConfiguration(setting: setting) }
        self.model = model
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.configuration = configuration
        window = input.width
        levelOpCount = Self.levelOps(model)
        var levels = 0
        var first = (width: 0, height: 0)
        var side = Float(configuration.minimumFaceSize)
        // Two-argument mins: the variadic min(_:_:_:) builds an array (Embedded Swift refuses it).
        let frameSide = min(frameWidth, frameHeight)
        let largest = Float(min(configuration.maximumFaceSize ?? frameSide, frameSide))
        var windows = 0
        var levelWindows = 0
        while side <= largest {
            let size = Self.levelSize(frameWidth: frameWidth, frameHeight: frameHeight, window: input.width, faceSide: side)
            guard size.width >= input.width, size.height >= input.height else { break }
            if levels == 0 {
                guard size.width * size.height <= Self.maximumLevelPixels else {
                    throw .levelTooLarge(width: size.width, height: size.height, limit: Self.maximumLevelPixels)
                }
                first = size
            }
            // Each level adds at least one window, so this also bounds the number of levels.
            let count = Self.windowCount(levelWidth: size.width, levelHeight: size.height, window: input.width, stride: configuration.stride)
            levelWindows = max(levelWindows, count)
            windows += count
            guard windows <= Self.maximumWindowCount else {
                throw .tooManyWindows(frameWidth: frameWidth, frameHeight: frameHeight, limit: Self.maximumWindowCount)
            }
            levels += 1
            side *= configuration.scaleStep
        }
        guard frameWidth > 0, frameHeight > 0, levels > 0 else {
            throw .noWindowFits(frameWidth: frameWidth, frameHeight: frameHeight, minimumFaceSize: configuration.minimumFaceSize)
        }
        levelCount = levels
        largestLevelWidth = first.width
        largestLevelHeight = first.height
        // The level's maps (`mapOffset`) reuse the resampler's rows: they are made after it.
        let maps = Self.mapOffset(model, layer: levelOpCount + 1, levelWidth: first.width, levelHeight: first.height)
        guard let maps, maps <= Self.maximumMapBytes else {
            throw .levelTooLarge(width: first.width, height: first.height, limit: Self.maximumLevelPixels)
        }
        func aligned(_ n: Int) -> Int { (n + 15) & ~15 }
        levelOffset = aligned(model.arenaByteCount)
        scratchOffset = levelOffset + aligned(first.width * first.height + Self.mapSlack(model, layer: 0, levelOps: levelOpCount))
        scoresOffset = scratchOffset + aligned(max(frameHeight * first.width * MemoryLayout<Float>.stride, maps))
        outputsOffset = scoresOffset + aligned(levelWindows * MemoryLayout<Float>.stride)
        candidatesOffset = outputsOffset + aligned(model.outputCount * MemoryLayout<Int32>.stride)
        workspaceByteCount = candidatesOffset + configuration.candidateCapacity * MemoryLayout<DetectionBox>.stride
    }

    /// The most windows one frame may need, over all levels: 2,000,000 windows take about 9 s
    /// at the 4.6 µs per window measured on x86-64 (docs/detection.md "Latency"), and a board
    /// several times longer; a 12-megapixel photo needs about 1.5 million with the default
    /// settings (docs/limits.md "Face detection").
    public static let maximumWindowCount = 2_000_000

    /// The most pixels of the first (largest) pyramid level, the image pixel limit
    /// (`ImageLimits.standard`): a face smaller than the window makes it larger than the frame,
    /// and the workspace holds it and its feature maps (or 4 bytes a pixel of its rows).
    public static let maximumLevelPixels = 67_108_864

    /// The most bytes of the largest level's feature maps (`levelOpCount` maps): 1 GiB, so a
    /// workspace stays within a 32-bit board's address space (the shipped detector's maps take
    /// 4 bytes a level pixel, 268 MB at `maximumLevelPixels`).
    public static let maximumMapBytes = 1 << 30

    /// Windows a level of `levelWidth` x `levelHeight` holds.
    static func windowCount(levelWidth: Int, levelHeight: Int, window: Int, stride: Int) -> Int {
        windowsAlong(levelWidth, window: window, stride: stride) * windowsAlong(levelHeight, window: window, stride: stride)
    }

    /// Window positions along a level side of `length` pixels.
    @usableFromInline
    static func windowsAlong(_ length: Int, window: Int, stride: Int) -> Int { (length - window) / stride + 1 }

    /// Size of the pyramid level on which a face of `faceSide` frame pixels spans `window` pixels.
    @usableFromInline
    static func levelSize(frameWidth: Int, frameHeight: Int, window: Int, faceSide: Float) -> (width: Int, height: Int) {
        let scale = Float(window) / faceSide
        return (Int(Float(frameWidth) * scale), Int(Float(frameHeight) * scale))
    }

    /// The ops at the start of `model` that `detect` runs once per level: conv2D ops with valid
    /// padding, each reading the tensor the one before wrote (the first, the input), which no
    /// other op reads. A window at a multiple of their strides' product then sees, in each map,
    /// the level's map at that place (docs/detection.md "One pass per level").
    static func levelOps(_ model: Model) -> Int {
        var count = 0
        var source = model.inputTensor
        while count < model.opCount {
            let o = model.op(count)
            guard o.kind == .conv2D, o.padding == .valid, o.input == source else { break }
            for other in 0..<model.opCount where other != count && model.op(other).input == source { return count }
            source = o.output
            count += 1
        }
        return count
    }

    /// Bytes past the end of map `layer` (0: the level) that level op `layer` may read: a phase
    /// starts its input up to `strideWidth - 1` pixels into the map's first row, at the map's
    /// width (`descend`).
    @usableFromInline
    static func mapSlack(_ model: Model, layer: Int, levelOps: Int) -> Int {
        guard layer < levelOps else { return 0 }
        let o = model.op(layer)
        return (o.strideWidth - 1) * model.tensor(o.input).shape.channels
    }

    /// Where map `layer` (1...`levelOps`, the output of level op `layer - 1`; `levelOps + 1`:
    /// their end) starts among the maps of a level of `levelWidth` x `levelHeight` at phase
    /// (0, 0), which bounds every phase and smaller level; each map rounded up to 16 bytes. nil
    /// when the sizes overflow an `Int`.
    @usableFromInline
    static func mapOffset(_ model: Model, layer: Int, levelWidth: Int, levelHeight: Int) -> Int? {
        let levelOps = levelOps(model)
        var offset = 0
        var (height, width) = (levelHeight, levelWidth)
        for op in 0..<(layer - 1) {
            let shape = model.outputShape(conv2D: op, inputHeight: height, inputWidth: width)
            (height, width) = (shape.height, shape.width)
            let (pixels, o1) = shape.height.multipliedReportingOverflow(by: shape.width)
            let (bytes, o2) = pixels.multipliedReportingOverflow(by: shape.channels)
            let (sum, o3) = offset.addingReportingOverflow(bytes + mapSlack(model, layer: op + 1, levelOps: levelOps) + 15)
            guard !o1, !o2, !o3 else { return nil }
            offset = sum & ~15
        }
        return offset
    }

    /// The pyramid level `k` (< `levelCount`): its size, and the face side it searches.
    public func level(_ k: Int) -> (width: Int, height: Int, faceSide: Float) {
        var side = Float(configuration.minimumFaceSize)
        for _ in 0..<k { side *= configuration.scaleStep }
        let size = Self.levelSize(frameWidth: frameWidth, frameHeight: frameHeight, window: window, faceSide: side)
        return (size.width, size.height, side)
    }

    /// Windows `detect` scores per frame, over all levels.
    public var windowCount: Int {
        var count = 0
        for k in 0..<levelCount {
            let (width, height, _) = level(k)
            count += Self.windowCount(levelWidth: width, levelHeight: height, window: window, stride: configuration.stride)
        }
        return count
    }

    /// Finds the faces in `frame` (`frameWidth * frameHeight` gray bytes, row-major) and writes
    /// the boxes kept by non-maximum suppression into `boxes`, best first; returns how many it
    /// wrote (at most `boxes.count`).
    ///
    /// - Parameters:
    ///   - workspace: `workspaceByteCount` bytes of scratch memory (16-byte aligned), owned by the caller.
    ///   - packedWeights: the buffer `model.packWeights(for: DefaultKernels.self, into:)` filled, or
    ///     nil to read the canonical weights (slower, same results).
    public func detect(
        frame: UnsafeBufferPointer<UInt8>, workspace: UnsafeMutableRawBufferPointer, packedWeights: UnsafeRawPointer?,
        boxes: UnsafeMutableBufferPointer<DetectionBox>
    ) throws(DetectionError) -> Int {
        guard frame.count == frameWidth * frameHeight, let pixels = frame.baseAddress else {
            throw .frameSizeMismatch(expected: frameWidth * frameHeight, byteCount: frame.count)
        }
        guard workspace.count >= workspaceByteCount, let base = workspace.baseAddress else {
            throw .workspaceTooSmall(needed: workspaceByteCount, byteCount: workspace.count)
        }
        let scores = (base + scoresOffset).assumingMemoryBound(to: Float.self)
        let candidates = (base + candidatesOffset).bindMemory(to: DetectionBox.self, capacity: configuration.candidateCapacity)
        var candidateCount = 0
        let capacity = configuration.candidateCapacity
        let threshold = configuration.scoreThreshold
        let step = configuration.stride

        for k in 0..<levelCount {
            let (levelWidth, levelHeight, _) = self.level(k)
            scoreLevel(k, frame: pixels, workspace: base, packedWeights: packedWeights)
            let columns = Self.windowsAlong(levelWidth, window: window, stride: step)
            let xScale = Float(frameWidth) / Float(levelWidth), yScale = Float(frameHeight) / Float(levelHeight)
            // The windows in raster order, as one window at a time found them: the order decides
            // which of equal scores suppression keeps, and which candidates a full list keeps.
            for row in 0..<Self.windowsAlong(levelHeight, window: window, stride: step) {
                for column in 0..<columns {
                    let score = scores[row * columns + column]
                    guard score >= threshold else { continue }
                    let box = DetectionBox(x: Float(column * step) * xScale, y: Float(row * step) * yScale,
                                           width: Float(window) * xScale, height: Float(window) * yScale, score: score)
                    if candidateCount < capacity {
                        candidates[candidateCount] = box
                        candidateCount += 1
                    } else {
                        // Full: the new box replaces the weakest candidate if it is better.
                        var weakest = 0
                        for i in 1..<capacity where candidates[i].score < candidates[weakest].score { weakest = i }
                        if candidates[weakest].score < score { candidates[weakest] = box }
                    }
                }
            }
        }
        let kept = suppressNonMaxima(candidates, count: candidateCount, overlapThreshold: configuration.overlapThreshold,
                                     containmentThreshold: configuration.containmentThreshold)
        let written = min(kept, boxes.count)
        for i in 0..<written { boxes[i] = candidates[i] }
        return written
    }

    /// Scores every window of level `k` into the workspace's scores, row by row (`windowsAlong`
    /// columns a row): resamples the frame to the level, then, for each phase of the window
    /// positions, the level ops over the whole level and the rest of the model on each
    /// window's cell. Uses only `workspace` (the arena, the level, the maps and the scores);
    /// levels are independent of each other.
    func scoreLevel(_ k: Int, frame: UnsafePointer<UInt8>, workspace base: UnsafeMutableRawPointer, packedWeights: UnsafeRawPointer?) {
        let (levelWidth, levelHeight, _) = self.level(k)
        let level = (base + levelOffset).assumingMemoryBound(to: UInt8.self)
        resampleArea(frame, width: frameWidth, height: frameHeight, channels: 1, into: level, width: levelWidth, height: levelHeight,
                     scratch: (base + scratchOffset).assumingMemoryBound(to: Float.self))
        // The input tensor's int8 (docs/quantization.md): q = pixel XOR 0x80.
        for i in 0..<(levelWidth * levelHeight) { level[i] ^= 0x80 }
        let pass = LevelPass(
            localiser: self, workspace: base, packedWeights: packedWeights, levelWidth: levelWidth, levelHeight: levelHeight)
        pass.descend(layer: 0, map: UnsafeMutableRawPointer(level).assumingMemoryBound(to: Int8.self),
                     height: levelHeight, width: levelWidth, phaseX: 0, phaseY: 0, cellX: 1, cellY: 1)
    }
}

/// One level's pass (docs/detection.md "One pass per level"), over one workspace. The maps of
/// a phase are computed layer by layer, depth first: a map at phase `(phaseX, phaseY)` modulo
/// `(cellX, cellY)` (the product of the strides of the ops before it) holds, at `(i, j)`, what
/// a window at level pixel `(phaseX + cellX * j, phaseY + cellY * i)` holds at its `(0, 0)`.
/// Level op `l` makes a child phase from each of its `stride` shifts of its input; only phases
/// some window position has are made.
struct LevelPass {
    let localiser: Localiser
    let workspace: UnsafeMutableRawPointer
    let packedWeights: UnsafeRawPointer?
    let levelWidth: Int
    let levelHeight: Int

    /// Window positions `p * stride` along a side of `length` with `p * stride` congruent to
    /// `phase` modulo `modulus`: the first `p` and the step between them (`p` beyond the last
    /// window when there is none).
    func positions(along length: Int, phase: Int, modulus: Int) -> (first: Int, step: Int, count: Int) {
        let stride = localiser.configuration.stride
        let count = Localiser.windowsAlong(length, window: localiser.window, stride: stride)
        var period = 1
        while (period * stride) % modulus != 0 { period += 1 }
        var first = 0
        while first < period && first < count && (first * stride) % modulus != phase { first += 1 }
        return (first < period ? first : count, period, count)
    }

    /// Runs level op `layer` (and those after it) on `map` (`height` x `width` pixels of op
    /// `layer`'s input channels; the level at layer 0) at phase `(phaseX, phaseY)` modulo
    /// `(cellX, cellY)`; at the last layer, scores the phase's windows.
    func descend(layer: Int, map: UnsafeMutablePointer<Int8>, height: Int, width: Int, phaseX: Int, phaseY: Int, cellX: Int, cellY: Int) {
        let model = localiser.model
        guard layer < localiser.levelOpCount else {
            scoreWindows(map: map, width: width, phaseX: phaseX, phaseY: phaseY, cellX: cellX, cellY: cellY)
            return
        }
        let o = model.op(layer)
        let channels = model.tensor(o.input).shape.channels
        let output = (workspace + localiser.scratchOffset
            + Localiser.mapOffset(model, layer: layer + 1, levelWidth: localiser.largestLevelWidth, levelHeight: localiser.largestLevelHeight)!)
            .assumingMemoryBound(to: Int8.self)
        for shiftY in 0..<o.strideHeight {
            let childY = phaseY + cellY * shiftY
            let ys = positions(along: levelHeight, phase: childY, modulus: cellY * o.strideHeight)
            guard ys.first < ys.count else { continue }
            for shiftX in 0..<o.strideWidth {
                let childX = phaseX + cellX * shiftX
                let xs = positions(along: levelWidth, phase: childX, modulus: cellX * o.strideWidth)
                guard xs.first < xs.count else { continue }
                // The input shifted by (shiftX, shiftY), read at the map's width: a row's last
                // shiftX pixels are the next row's first ones (and, past the last row, the
                // map's slack). The outputs that read them are not a window's (valid padding).
                let shape = model.outputShape(conv2D: layer, inputHeight: height - shiftY, inputWidth: width)
                guard shape.height > 0, shape.width > 0 else { continue }
                model.run(conv2D: layer, using: DefaultKernels.self, input: map + (shiftY * width + shiftX) * channels,
                          inputHeight: height - shiftY, inputWidth: width, output: output, packedWeights: packedWeights)
                descend(layer: layer + 1, map: output, height: shape.height, width: shape.width,
                        phaseX: childX, phaseY: childY, cellX: cellX * o.strideWidth, cellY: cellY * o.strideHeight)
            }
        }
    }

    /// Scores the windows at phase `(phaseX, phaseY)` modulo `(cellX, cellY)` from `map`, the
    /// last level op's output (or the level, without level ops), `width` pixels a row: each
    /// window's cell, the model's tensor there, goes into the arena, then the model's remaining
    /// ops run as `predict` runs them.
    func scoreWindows(map: UnsafeMutablePointer<Int8>, width: Int, phaseX: Int, phaseY: Int, cellX: Int, cellY: Int) {
        let model = localiser.model
        let levelOps = localiser.levelOpCount
        let cell = model.tensor(levelOps == 0 ? model.inputTensor : model.op(levelOps - 1).output)
        let rowBytes = cell.shape.width * cell.shape.channels
        let arena = workspace
        let target = (arena + cell.arenaOffset).assumingMemoryBound(to: Int8.self)
        let outputs = (workspace + localiser.outputsOffset).assumingMemoryBound(to: Int32.self)
        let scores = (workspace + localiser.scoresOffset).assumingMemoryBound(to: Float.self)
        let stride = localiser.configuration.stride
        let ys = positions(along: levelHeight, phase: phaseY, modulus: cellY)
        let xs = positions(along: levelWidth, phase: phaseX, modulus: cellX)
        var row = ys.first
        while row < ys.count {
            let i = (row * stride - phaseY) / cellY
            var column = xs.first
            while column < xs.count {
                let j = (column * stride - phaseX) / cellX
                for r in 0..<cell.shape.height {
                    let source = map + ((i + r) * width + j) * cell.shape.channels
                    for b in 0..<rowBytes { target[r * rowBytes + b] = source[b] }
                }
                var op = levelOps
                while op < model.opCount {
                    // As predict: a conv2D fuses with its max pool where the plan says so.
                    let fused = model.kernelPlan(op: op, packedWeights: packedWeights).fusesMaxPool
                    model.run(op: op, using: DefaultKernels.self, arena: arena, outputs: outputs, packedWeights: packedWeights,
                              fusingMaxPool: fused)
                    op += fused ? 2 : 1
                }
                scores[row * xs.count + column] = model.prediction(output: 0, outputs: outputs)
                column += xs.step
            }
            row += ys.step
        }
    }
}
