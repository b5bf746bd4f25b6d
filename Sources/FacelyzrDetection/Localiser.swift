import FacelyzrImaging
import FacelyzrRuntime

/// Finds faces in a gray frame with a face / not-face model: a multi-scale sliding window over
/// an image pyramid, each window scored by the int8 runtime, then non-maximum suppression
/// (docs/detection.md "Localiser").
///
/// Level `k` searches faces of side `minimumFaceSize * scaleStep^k` frame pixels: the frame is
/// area-resampled so that such a face becomes the model's `window` x `window` input, and the
/// window slides over the level by `stride` pixels. A window whose probability reaches the
/// threshold is a candidate, mapped back to frame pixels, and placed by the model's box head when
/// it has one (`regressedBox`). The model's leading valid
/// convolutions (`levelOpCount`) run once over each level, per phase of the window positions
/// modulo their strides, and the rest of the model over the last map too when it is fully
/// connected ops (`tailOnMaps`: as convolutions), else once per window on its cell of the last
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
    /// Whether the model has a box head (its second head: three regression outputs placing the
    /// face's box relative to the window, `regressedBox`).
    public let hasBoxHead: Bool
    /// Pyramid levels searched.
    public let levelCount: Int
    /// Leading ops of the model run once per level (and phase) rather than once per window:
    /// conv2D ops with valid padding from the input, each read by the next op only, as many as
    /// make the fewest multiply-accumulates per frame (0 when the model does not start so, or
    /// windowing is cheaper: then every window runs the whole model).
    public let levelOpCount: Int
    /// Whether the ops after the level ops (the window classifier: a dense layer, heads) run
    /// once per level and phase too, each fully connected op as a convolution over the map of
    /// its input (the last level map, or an earlier one of these ops' maps), a head as a 1x1
    /// convolution with int32 outputs: when every one of them is fully connected and reads such
    /// a map, a head one pixel of it (`tailRunsOnMaps`). Otherwise they run once per window.
    public let tailOnMaps: Bool
    /// Multiply-accumulates of the model's ops per frame (`Model.multiplyAccumulates(op:)`
    /// per window, and the level ops' maps and the tail's), never more than window by window
    /// but for the tail convolutions' outputs past a row's last window (`tailOnMaps`).
    public let multiplyAccumulates: UInt64
    /// Bytes of the workspace `detect` needs.
    public let workspaceByteCount: Int

    @usableFromInline let largestLevelWidth: Int
    @usableFromInline let largestLevelHeight: Int
    @usableFromInline let levelOffset: Int
    @usableFromInline let scratchOffset: Int
    @usableFromInline let scoresOffset: Int
    @usableFromInline let outputsOffset: Int
    @usableFromInline let tailPackedOffset: Int
    @usableFromInline let candidatesOffset: Int

    /// A localiser for `frameWidth` x `frameHeight` gray frames. Throws if the model is not a
    /// square gray face / not-face model (a binary head of one output, then optionally a box head
    /// of three regression outputs), the configuration is out of range, no window fits, or the
    /// frame needs too many windows or too large a first level.
    public init(model: Model, frameWidth: Int, frameHeight: Int,
                configuration: LocaliserConfiguration = LocaliserConfiguration()) throws(DetectionError) {
        let input = model.input
        guard input.channels == 1, input.width == input.height else {
            throw .modelInputNotSquareGray(width: input.width, height: input.height, channels: input.channels)
        }
        guard model.headCount >= 1, model.head(0).kind == .binary, model.head(0).outputCount == 1,
              model.headCount == 1 || (model.headCount == 2 && model.head(1).kind == .regression && model.head(1).outputCount == 3)
        else {
            throw .modelNotFaceClassifier(outputCount: model.outputCount)
        }
        hasBoxHead = model.headCount == 2
        if let setting = configuration.invalidSetting { throw .invalidConfiguration(setting: setting) }
        self.model = model
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.configuration = configuration
        window = input.width
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
        // As many level ops as make the fewest multiply-accumulates: all of them at window steps
        // dividing their strides' product, fewer where most of the maps would go unused.
        var best = (ops: 0, count: UInt64.max)
        for ops in 0...Self.levelOps(model) {
            let count = Self.multiplyAccumulates(model, levelOps: ops, frameWidth: frameWidth, frameHeight: frameHeight,
                                                 configuration: configuration, levelCount: levels)
            if count <= best.count { best = (ops, count) }
        }
        (levelOpCount, multiplyAccumulates) = best
        let tail = Self.tailRunsOnMaps(model, levelOps: levelOpCount)
        tailOnMaps = tail
        // The level's maps (`mapOffset`), then the tail's, reuse the resampler's rows: they are
        // made after it.
        let step = configuration.stride
        let maps = Self.mapOffset(model, layer: levelOpCount + 1, levelOps: levelOpCount, stride: step,
                                  levelWidth: first.width, levelHeight: first.height)
        guard let maps, maps <= Self.maximumMapBytes else {
            throw .levelTooLarge(width: first.width, height: first.height, limit: Self.maximumLevelPixels)
        }
        let tailMaps = Self.tailMapOffset(model, op: model.opCount, levelOps: levelOpCount, stride: step,
                                          levelWidth: first.width, levelHeight: first.height)
        guard let tailMaps, tailMaps <= Self.maximumMapBytes - maps else {
            throw .levelTooLarge(width: first.width, height: first.height, limit: Self.maximumLevelPixels)
        }
        func aligned(_ n: Int) -> Int { (n + 15) & ~15 }
        levelOffset = aligned(model.arenaByteCount)
        scratchOffset = levelOffset + aligned(first.width * first.height + Self.mapSlack(model, layer: 0, levelOps: levelOpCount, stride: step))
        scoresOffset = scratchOffset + aligned(max(frameHeight * first.width * MemoryLayout<Float>.stride, maps + tailMaps))
        // One level's score map (`floatsPerWindow` a window).
        outputsOffset = scoresOffset + aligned(levelWindows * (hasBoxHead ? 4 : 1) * MemoryLayout<Float>.stride)
        // One window's outputs, or on the maps those of every window of a phase.
        tailPackedOffset = outputsOffset + aligned((tail ? levelWindows : 1) * model.outputCount * MemoryLayout<Int32>.stride)
        candidatesOffset = tailPackedOffset + Self.tailPackedByteCount(model, levelOps: levelOpCount, stride: step)
        workspaceByteCount = candidatesOffset + configuration.candidateCapacity * MemoryLayout<DetectionBox>.stride
    }

    /// The most windows one frame may need, over all levels: 2,000,000 windows take about 1 s
    /// at the 0.4 to 0.7 µs per window measured on x86-64 (docs/detection.md "Latency"), and a
    /// board several times longer; a 12-megapixel photo needs about 373,000 with the default
    /// settings, 1.5 million at window step 4 (docs/limits.md "Face detection").
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
    static func windowsAlong(_ length: Int, window: Int, stride: Int) -> Int { (length - window) / stride + 1 }

    /// Size of the pyramid level on which a face of `faceSide` frame pixels spans `window` pixels.
    @usableFromInline
    static func levelSize(frameWidth: Int, frameHeight: Int, window: Int, faceSide: Float) -> (width: Int, height: Int) {
        let scale = Float(window) / faceSide
        return (Int(Float(frameWidth) * scale), Int(Float(frameHeight) * scale))
    }

    /// The ops at the start of `model` that `detect` runs once per level: conv2D ops with valid
    /// padding, each reading the tensor the one before wrote (the first, the input), which no
    /// other op reads (nor an add as its second input). A window at a multiple of their strides' product then sees, in each map,
    /// the level's map at that place (docs/detection.md "One pass per level").
    static func levelOps(_ model: Model) -> Int {
        var count = 0
        var source = model.inputTensor
        while count < model.opCount {
            let o = model.op(count)
            guard o.kind == .conv2D, o.padding == .valid, o.input == source else { break }
            for other in 0..<model.opCount where other != count {
                let reader = model.op(other)
                if reader.input == source || (reader.kind == .add && reader.secondInput == source) { return count }
            }
            source = o.output
            count += 1
        }
        return count
    }

    /// Bytes past the end of map `layer` (0: the level) that the op reading it may read: a
    /// phase starts level op `layer`'s input up to `strideWidth - 1` pixels into the map's first
    /// row, at the map's width, and the tail on the maps the last map's likewise, up to its
    /// stride (`tailStrides`) less 1 (`scoreLevel`).
    static func mapSlack(_ model: Model, layer: Int, levelOps: Int, stride: Int) -> Int {
        if layer == levelOps {
            guard tailRunsOnMaps(model, levelOps: levelOps) else { return 0 }
            return (tailStrides(model, levelOps: levelOps, stride: stride).x - 1) * model.tensor(lastTensor(model, levelOps: levelOps)).shape.channels
        }
        guard layer < levelOps else { return 0 }
        let o = model.op(layer)
        return (o.strideWidth - 1) * model.tensor(o.input).shape.channels
    }

    /// Where map `layer` (1...`levelOps`, the output of level op `layer - 1`; `levelOps + 1`:
    /// their end) starts among the maps of a level of `levelWidth` x `levelHeight` at phase
    /// (0, 0), which bounds every phase and smaller level; each map rounded up to 16 bytes. nil
    /// when the sizes overflow an `Int`.
    static func mapOffset(_ model: Model, layer: Int, levelOps: Int, stride: Int, levelWidth: Int, levelHeight: Int) -> Int? {
        var offset = 0
        var (height, width) = (levelHeight, levelWidth)
        for op in 0..<(layer - 1) {
            let shape = model.outputShape(conv2D: op, inputHeight: height, inputWidth: width)
            (height, width) = (shape.height, shape.width)
            let (pixels, o1) = shape.height.multipliedReportingOverflow(by: shape.width)
            let (bytes, o2) = pixels.multipliedReportingOverflow(by: shape.channels)
            let (sum, o3) = offset.addingReportingOverflow(bytes + mapSlack(model, layer: op + 1, levelOps: levelOps, stride: stride) + 15)
            guard !o1, !o2, !o3 else { return nil }
            offset = sum & ~15
        }
        return offset
    }

    /// The tensor of the last level map: the output of the last level op, or the input.
    static func lastTensor(_ model: Model, levelOps: Int) -> Int {
        levelOps == 0 ? model.inputTensor : model.op(levelOps - 1).output
    }

    /// Whether the ops after the first `levelOps` can run over the maps (`tailOnMaps`): each is
    /// fully connected and reads the last level map or the output of an earlier int8 one of
    /// them, and each head (`fullyConnectedAccumulators`) reads one pixel of such a map (a 1x1
    /// tensor). The fully connected ops' outputs are 1x1, so every map after the last level map
    /// has a pixel per window.
    static func tailRunsOnMaps(_ model: Model, levelOps: Int) -> Bool {
        let last = lastTensor(model, levelOps: levelOps)
        for index in levelOps..<model.opCount {
            let o = model.op(index)
            guard o.kind == .fullyConnected || o.kind == .fullyConnectedAccumulators else { return false }
            var readsMap = o.input == last
            for earlier in levelOps..<index where model.op(earlier).kind == .fullyConnected && model.op(earlier).output == o.input {
                readsMap = true
            }
            let shape = model.tensor(o.input).shape
            guard readsMap, o.kind == .fullyConnected || (shape.height == 1 && shape.width == 1) else { return false }
        }
        return true
    }

    /// The step between the cells of the windows of a phase in the last level map, along x and
    /// y: `stride / gcd(stride, cell step)`, the cell step being the product of the level ops'
    /// strides along that axis (the window positions of a phase are `lcm(stride, cell step)`
    /// level pixels apart, `positions`).
    static func tailStrides(_ model: Model, levelOps: Int, stride: Int) -> (x: Int, y: Int) {
        var (cellX, cellY) = (1, 1)
        for op in 0..<levelOps {
            cellX *= model.op(op).strideWidth
            cellY *= model.op(op).strideHeight
        }
        func gcd(_ a: Int, _ b: Int) -> Int {
            var (a, b) = (a, b)
            while b != 0 { (a, b) = (b, a % b) }
            return a
        }
        return (stride / gcd(stride, cellX), stride / gcd(stride, cellY))
    }

    /// Where the map of tail op `op` (an int8 fully connected one; `model.opCount`: their end)
    /// starts after the level maps (`mapOffset(layer: levelOps + 1)`), for a level of
    /// `levelWidth` x `levelHeight`: each map has a pixel per output position of the first tail
    /// convolution over the last map at phase (0, 0) (which bounds every phase and smaller
    /// level), rounded up to 16 bytes. 0 when the tail runs per window; nil when the sizes
    /// overflow an `Int`.
    static func tailMapOffset(_ model: Model, op: Int, levelOps: Int, stride: Int, levelWidth: Int, levelHeight: Int) -> Int? {
        guard tailRunsOnMaps(model, levelOps: levelOps) else { return 0 }
        var (height, width) = (levelHeight, levelWidth)
        for layer in 0..<levelOps {
            let shape = model.outputShape(conv2D: layer, inputHeight: height, inputWidth: width)
            (height, width) = (shape.height, shape.width)
        }
        let cell = model.tensor(lastTensor(model, levelOps: levelOps)).shape
        let steps = tailStrides(model, levelOps: levelOps, stride: stride)
        let pixels = ((height - cell.height) / steps.y + 1) * ((width - cell.width) / steps.x + 1)
        var offset = 0
        for index in levelOps..<op where model.op(index).kind == .fullyConnected {
            let (bytes, o1) = pixels.multipliedReportingOverflow(by: model.tensor(model.op(index).output).shape.channels)
            let (sum, o2) = offset.addingReportingOverflow(bytes + 15)
            guard !o1, !o2 else { return nil }
            offset = sum & ~15
        }
        return offset
    }

    /// The convolution that runs int8 fully connected tail op `index` over one cell of its
    /// input map (`tailRunsOnMaps`) at the tail's strides, and its plan and packed bytes for
    /// `features` (nil: the canonical weights).
    static func tailConvolution(_ model: Model, op index: Int, levelOps: Int, stride: Int, features: CPUFeatures?)
        -> (parameters: ConvolutionParameters, plan: KernelPlan, packedByteCount: Int) {
        let source = model.tensor(model.op(index).input).shape
        let onLast = model.op(index).input == lastTensor(model, levelOps: levelOps)
        let steps = onLast ? tailStrides(model, levelOps: levelOps, stride: stride) : (x: 1, y: 1)
        let p = model.convolutionParameters(fullyConnected: index, inputHeight: source.height, inputWidth: source.width,
                                            strideHeight: steps.y, strideWidth: steps.x)
        let (plan, bytes) = model.convolutionPlan(p, for: DefaultKernels.self, features: features)
        return (p, plan, bytes)
    }

    /// Bytes of the tail convolutions' packed weights, which `detect` packs into the workspace
    /// for the features of the plans in the caller's packed weights: the most any features need.
    static func tailPackedByteCount(_ model: Model, levelOps: Int, stride: Int) -> Int {
        guard tailRunsOnMaps(model, levelOps: levelOps) else { return 0 }
        var total = 0
        for index in levelOps..<model.opCount where model.op(index).kind == .fullyConnected {
            var most = 0
            for bits in 0..<(1 << CPUFeatures.knownBits) {
                let features = CPUFeatures(rawValue: UInt8(truncatingIfNeeded: bits))
                most = max(most, tailConvolution(model, op: index, levelOps: levelOps, stride: stride, features: features).packedByteCount)
            }
            total += most
        }
        return total
    }

    /// The pyramid level `k` (< `levelCount`): its size, and the face side it searches.
    public func level(_ k: Int) -> (width: Int, height: Int, faceSide: Float) {
        var side = Float(configuration.minimumFaceSize)
        for _ in 0..<k { side *= configuration.scaleStep }
        let size = Self.levelSize(frameWidth: frameWidth, frameHeight: frameHeight, window: window, faceSide: side)
        return (size.width, size.height, side)
    }

    /// Windows `detect` scores per frame, over all levels.
    public var windowCount: Int { windows(before: levelCount) }

    /// Floats a score map keeps of each window: its face probability, then with a box head
    /// its three box offsets (x, y, log scale: `regressedBox`).
    public var floatsPerWindow: Int { hasBoxHead ? 4 : 1 }

    /// Floats of a score map (`scoreLevels`): `floatsPerWindow` for each of `windowCount` windows.
    public var scoreMapCount: Int { scoreMapOffset(level: levelCount) }

    /// Where level `k`'s part of a score map starts, in floats (`scoreLevels`; `levelCount`:
    /// its end): `floatsPerWindow` for each window of the levels before it, each level's
    /// windows row by row (`windowsAlong` columns a row).
    public func scoreMapOffset(level k: Int) -> Int { windows(before: k) * floatsPerWindow }

    /// The windows of the levels before level `k`.
    func windows(before k: Int) -> Int {
        var count = 0
        for level in 0..<k {
            let (width, height, _) = self.level(level)
            count += Self.windowCount(levelWidth: width, levelHeight: height, window: window, stride: configuration.stride)
        }
        return count
    }

    /// Finds the faces in `frame` (`frameWidth * frameHeight` gray bytes, row-major) and writes
    /// the boxes kept by non-maximum suppression into `boxes`, best first; returns how many it
    /// wrote (at most `boxes.count`). What `scoreLevels` over every level and `collect` find,
    /// with each level's scores kept in the workspace only until they are collected.
    ///
    /// - Parameters:
    ///   - workspace: `workspaceByteCount` bytes of scratch memory (16-byte aligned), owned by the caller.
    ///   - packedWeights: the buffer `model.packWeights(for: DefaultKernels.self, into:)` filled, or
    ///     nil to read the canonical weights (slower, same results).
    public func detect(
        frame: UnsafeBufferPointer<UInt8>, workspace: UnsafeMutableRawBufferPointer, packedWeights: UnsafeRawPointer?,
        boxes: UnsafeMutableBufferPointer<DetectionBox>
    ) throws(DetectionError) -> Int {
        let (pixels, base) = try checked(frame: frame, workspace: workspace)
        let scores = (base + scoresOffset).assumingMemoryBound(to: Float.self)
        prepare(workspace: base, packedWeights: packedWeights)
        var candidateCount = 0
        for k in 0..<levelCount {
            scoreLevel(k, frame: pixels, workspace: base, packedWeights: packedWeights, scores: scores)
            collectLevel(k, scores: scores, workspace: base, candidateCount: &candidateCount)
        }
        return suppress(workspace: base, candidateCount: candidateCount, boxes: boxes)
    }

    /// Readies `workspace` (`workspaceByteCount` bytes, 16-byte aligned) for `scoreLevels` with
    /// `packedWeights` (as for `detect`): packs the weights the window classifier reads there
    /// when it runs over the maps (`tailOnMaps`). Once a frame, or once for all frames when
    /// nothing else writes the workspace between them.
    public func prepare(workspace: UnsafeMutableRawBufferPointer, packedWeights: UnsafeRawPointer?) throws(DetectionError) {
        guard workspace.count >= workspaceByteCount, let base = workspace.baseAddress else {
            throw .workspaceTooSmall(needed: workspaceByteCount, byteCount: workspace.count)
        }
        prepare(workspace: base, packedWeights: packedWeights)
    }

    func prepare(workspace base: UnsafeMutableRawPointer, packedWeights: UnsafeRawPointer?) {
        tailConvolutions(workspace: base, packedWeights: packedWeights, packing: true) { _, _, _, _ in }
    }

    /// Scores every window of levels `levels` (within `0..<levelCount`) of `frame` into
    /// `scoreMap` (`scoreMapCount` floats, level `k`'s from `scoreMapOffset(level: k)` on), using
    /// only `workspace`: callers on several threads, each with its own workspace and its own
    /// levels of a shared score map, then `collect` the boxes `detect` finds, bit for bit.
    ///
    /// - Parameters:
    ///   - workspace: `workspaceByteCount` bytes (16-byte aligned), this caller's only, readied
    ///     by `prepare` with the same `packedWeights`.
    ///   - packedWeights: as for `detect`.
    public func scoreLevels(
        _ levels: Range<Int>, frame: UnsafeBufferPointer<UInt8>, workspace: UnsafeMutableRawBufferPointer,
        packedWeights: UnsafeRawPointer?, scoreMap: UnsafeMutableBufferPointer<Float>
    ) throws(DetectionError) {
        let (pixels, base) = try checked(frame: frame, workspace: workspace)
        guard levels.lowerBound >= 0, levels.upperBound <= levelCount else {
            throw .levelsOutOfRange(lower: levels.lowerBound, upper: levels.upperBound, levelCount: levelCount)
        }
        let floats = scoreMapCount
        guard scoreMap.count >= floats, let scores = scoreMap.baseAddress else {
            throw .scoreMapTooSmall(needed: floats, count: scoreMap.count)
        }
        for k in levels {
            scoreLevel(k, frame: pixels, workspace: base, packedWeights: packedWeights, scores: scores + scoreMapOffset(level: k))
        }
    }

    /// The boxes of a score map every level of which `scoreLevels` filled, as `detect` finds
    /// them: the candidates level after level, then non-maximum suppression, into `boxes`
    /// best first; returns how many it wrote. `workspace`: `workspaceByteCount` bytes (the
    /// candidates), 16-byte aligned.
    public func collect(
        scoreMap: UnsafeBufferPointer<Float>, workspace: UnsafeMutableRawBufferPointer, boxes: UnsafeMutableBufferPointer<DetectionBox>
    ) throws(DetectionError) -> Int {
        guard workspace.count >= workspaceByteCount, let base = workspace.baseAddress else {
            throw .workspaceTooSmall(needed: workspaceByteCount, byteCount: workspace.count)
        }
        let floats = scoreMapCount
        guard scoreMap.count >= floats, let scores = scoreMap.baseAddress else {
            throw .scoreMapTooSmall(needed: floats, count: scoreMap.count)
        }
        var candidateCount = 0
        for k in 0..<levelCount {
            collectLevel(k, scores: scores + scoreMapOffset(level: k), workspace: base, candidateCount: &candidateCount)
        }
        return suppress(workspace: base, candidateCount: candidateCount, boxes: boxes)
    }

    /// The frame's pixels and the workspace's start, once their sizes are checked.
    private func checked(frame: UnsafeBufferPointer<UInt8>, workspace: UnsafeMutableRawBufferPointer) throws(DetectionError)
        -> (UnsafePointer<UInt8>, UnsafeMutableRawPointer) {
        guard frame.count == frameWidth * frameHeight, let pixels = frame.baseAddress else {
            throw .frameSizeMismatch(expected: frameWidth * frameHeight, byteCount: frame.count)
        }
        guard workspace.count >= workspaceByteCount, let base = workspace.baseAddress else {
            throw .workspaceTooSmall(needed: workspaceByteCount, byteCount: workspace.count)
        }
        return (pixels, base)
    }

    /// The decode of level `k`'s score map (`scores`, as `scoreLevel` wrote it): each window
    /// reaching the threshold becomes a box in frame pixels, placed by the box head when the
    /// model has one (`regressedBox`), added to the workspace's `candidateCount` candidates
    /// (`detect` and `collect` both decode here).
    func collectLevel(_ k: Int, scores: UnsafePointer<Float>, workspace base: UnsafeMutableRawPointer, candidateCount: inout Int) {
        let candidates = (base + candidatesOffset).bindMemory(to: DetectionBox.self, capacity: configuration.candidateCapacity)
        let capacity = configuration.candidateCapacity
        let threshold = configuration.scoreThreshold
        let step = configuration.stride
        let (levelWidth, levelHeight, _) = self.level(k)
        let columns = Self.windowsAlong(levelWidth, window: window, stride: step)
        let xScale = Float(frameWidth) / Float(levelWidth), yScale = Float(frameHeight) / Float(levelHeight)
        // The windows in raster order, as one window at a time found them: the order decides
        // which of equal scores suppression keeps, and which candidates a full list keeps.
        for row in 0..<Self.windowsAlong(levelHeight, window: window, stride: step) {
            for column in 0..<columns {
                let kept = scores + (row * columns + column) * floatsPerWindow
                let score = kept[0]
                guard score >= threshold else { continue }
                var box = DetectionBox(x: Float(column * step) * xScale, y: Float(row * step) * yScale,
                                       width: Float(window) * xScale, height: Float(window) * yScale, score: score)
                if hasBoxHead { box = Self.regressedBox(window: box, x: kept[1], y: kept[2], logScale: kept[3]) }
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

    /// Non-maximum suppression of the workspace's `candidateCount` candidates (`collectLevel`),
    /// the kept boxes copied into `boxes` best first; returns how many it wrote.
    func suppress(workspace base: UnsafeMutableRawPointer, candidateCount: Int, boxes: UnsafeMutableBufferPointer<DetectionBox>) -> Int {
        let candidates = (base + candidatesOffset).bindMemory(to: DetectionBox.self, capacity: configuration.candidateCapacity)
        let kept = suppressNonMaxima(candidates, count: candidateCount, overlapThreshold: configuration.overlapThreshold,
                                     containmentThreshold: configuration.containmentThreshold,
                                     merging: configuration.mergesSuppressed)
        let written = min(kept, boxes.count)
        for i in 0..<written { boxes[i] = candidates[i] }
        return written
    }

    /// Keeps what `collectLevel` needs of window `index`'s model outputs (`outputs`, as `predict`
    /// leaves them) in its level's score map (`scores`): its face probability and, with a box
    /// head, its three box offsets (`regressedBox`), `floatsPerWindow` floats.
    @inline(__always)
    func keepWindow(_ index: Int, outputs: UnsafePointer<Int32>, scores: UnsafeMutablePointer<Float>) {
        // The model's outputs are exactly these (`init`: a binary head of one output, then
        // optionally a box head of three), so every prediction in one walk of the heads.
        model.predictions(outputs: outputs, into: scores + index * floatsPerWindow)
    }

    /// The face box a window's box head places (docs/detection.md "Box regression"): the centre
    /// moved by `(x, y)` window sides, the sides scaled by `e^logScale` (as `p / (1 - p)` with
    /// `p` the runtime's `sigmoid(logScale)`, so the same on every ISA; `logScale` clamped to
    /// ±ln 8, the largest the training data stores); the score is the window's.
    public static func regressedBox(window: DetectionBox, x: Float, y: Float, logScale: Float) -> DetectionBox {
        let limit: Float = 2.0794415  // ln 8 (FaceBoxOffset.logScaleLimit)
        let p = sigmoid(max(-limit, min(limit, logScale)))
        let scale = p / (1 - p)
        let width = window.width * scale, height = window.height * scale
        let centreX = window.x + window.width * (0.5 + x), centreY = window.y + window.height * (0.5 + y)
        return DetectionBox(x: centreX - width / 2, y: centreY - height / 2, width: width, height: height, score: window.score)
    }

    /// Multiply-accumulates per frame with the first `levelOps` ops run per level, and the tail
    /// on the maps where it can (`tailRunsOnMaps`): its convolutions at every output position,
    /// including the few past a phase's last window in each row (`scoreLevel`).
    static func multiplyAccumulates(
        _ model: Model, levelOps: Int, frameWidth: Int, frameHeight: Int, configuration: LocaliserConfiguration, levelCount: Int
    ) -> UInt64 {
        var perWindow: UInt64 = 0
        for op in levelOps..<model.opCount { perWindow += model.multiplyAccumulates(op: op) }
        let tail = tailRunsOnMaps(model, levelOps: levelOps)
        let steps = tailStrides(model, levelOps: levelOps, stride: configuration.stride)
        let cellWidth = model.tensor(lastTensor(model, levelOps: levelOps)).shape.width
        var total: UInt64 = 0
        var side = Float(configuration.minimumFaceSize)
        for _ in 0..<levelCount {
            let size = levelSize(frameWidth: frameWidth, frameHeight: frameHeight, window: model.input.width, faceSide: side)
            walkPass(model, levelOps: levelOps, window: model.input.width, stride: configuration.stride,
                     levelWidth: size.width, levelHeight: size.height, layer: 0, height: size.height, width: size.width,
                     phaseX: 0, phaseY: 0, cellX: 1, cellY: 1,
                     map: { layer, _, _, inputHeight, inputWidth in
                         let o = model.op(layer)
                         let shape = model.outputShape(conv2D: layer, inputHeight: inputHeight, inputWidth: inputWidth)
                         total += wide(shape.elementCount) * wide(o.kernelHeight * o.kernelWidth * model.tensor(o.input).shape.channels)
                     },
                     windows: { xs, ys, _, _, width in
                         guard tail else { return total += wide(xs.windows * ys.windows) * perWindow }
                         // The int8 ops at every column of their maps, the heads at the windows.
                         let columns = (width - cellWidth) / steps.x + 1
                         for op in levelOps..<model.opCount {
                             let places = model.op(op).kind == .fullyConnected ? ys.windows * columns : ys.windows * xs.windows
                             total += wide(places) * model.multiplyAccumulates(op: op)
                         }
                     })
            side *= configuration.scaleStep
        }
        return total
    }

    /// Window positions `p * stride` along a level side of `length` pixels congruent to `phase`
    /// modulo `modulus`: the first `p`, the step between them, the end of `p` (all windows along
    /// the side) and how many there are.
    static func positions(along length: Int, window: Int, stride: Int, phase: Int, modulus: Int)
        -> (first: Int, step: Int, end: Int, windows: Int) {
        let end = windowsAlong(length, window: window, stride: stride)
        var period = 1
        while (period * stride) % modulus != 0 { period += 1 }
        var first = 0
        while first < period && first < end && (first * stride) % modulus != phase { first += 1 }
        guard first < period && first < end else { return (end, period, end, 0) }
        return (first, period, end, (end - first + period - 1) / period)
    }

    /// Walks one level's pass depth first (docs/detection.md "One pass per level"), from level
    /// op `layer` over its input map (`height` x `width`) at phase `(phaseX, phaseY)` modulo
    /// `(cellX, cellY)`: for each shift of op `layer`'s strides that some window position has,
    /// `map(layer, shiftX, shiftY, inputHeight, inputWidth)` (op `layer` runs over its input
    /// shifted so, read at `inputWidth`), then the walk from the map it makes; after the last
    /// level op, `windows(xs, ys, cellX, cellY, width)` with the phase's window positions, its
    /// cell step and the last map's width.
    static func walkPass(
        _ model: Model, levelOps: Int, window: Int, stride: Int, levelWidth: Int, levelHeight: Int,
        layer: Int, height: Int, width: Int, phaseX: Int, phaseY: Int, cellX: Int, cellY: Int,
        map: (_ layer: Int, _ shiftX: Int, _ shiftY: Int, _ inputHeight: Int, _ inputWidth: Int) -> Void,
        windows: (_ xs: (first: Int, step: Int, end: Int, windows: Int), _ ys: (first: Int, step: Int, end: Int, windows: Int),
                  _ cellX: Int, _ cellY: Int, _ width: Int) -> Void
    ) {
        guard layer < levelOps else {
            let xs = positions(along: levelWidth, window: window, stride: stride, phase: phaseX, modulus: cellX)
            let ys = positions(along: levelHeight, window: window, stride: stride, phase: phaseY, modulus: cellY)
            windows(xs, ys, cellX, cellY, width)
            return
        }
        let o = model.op(layer)
        for shiftY in 0..<o.strideHeight {
            let childY = phaseY + cellY * shiftY
            guard positions(along: levelHeight, window: window, stride: stride, phase: childY, modulus: cellY * o.strideHeight).windows > 0
            else { continue }
            for shiftX in 0..<o.strideWidth {
                let childX = phaseX + cellX * shiftX
                guard positions(along: levelWidth, window: window, stride: stride, phase: childX, modulus: cellX * o.strideWidth).windows > 0
                else { continue }
                let shape = model.outputShape(conv2D: layer, inputHeight: height - shiftY, inputWidth: width)
                guard shape.height > 0, shape.width > 0 else { continue }
                map(layer, shiftX, shiftY, height - shiftY, width)
                walkPass(model, levelOps: levelOps, window: window, stride: stride, levelWidth: levelWidth, levelHeight: levelHeight,
                         layer: layer + 1, height: shape.height, width: shape.width, phaseX: childX, phaseY: childY,
                         cellX: cellX * o.strideWidth, cellY: cellY * o.strideHeight, map: map, windows: windows)
            }
        }
    }

    /// The tail's convolutions (`tailOnMaps`), in op order: `each(op, convolution, plan, packed)`
    /// with the plan for the features of the op's plan in `packedWeights` (nil: the canonical
    /// weights) and its packed weights in the workspace, which `packing` writes there first
    /// (`prepare`; `scoreLevel` reads them).
    func tailConvolutions(
        workspace base: UnsafeMutableRawPointer, packedWeights: UnsafeRawPointer?, packing: Bool,
        _ each: (_ op: Int, _ parameters: ConvolutionParameters, _ plan: KernelPlan, _ packed: UnsafeRawPointer?) -> Void
    ) {
        guard tailOnMaps else { return }
        var offset = tailPackedOffset
        for index in levelOpCount..<model.opCount where model.op(index).kind == .fullyConnected {
            // A fully connected op's plan records the features it was planned for.
            let features = packedWeights.map { model.kernelPlan(op: index, packedWeights: $0).features }
            let (p, plan, bytes) = Self.tailConvolution(model, op: index, levelOps: levelOpCount, stride: configuration.stride, features: features)
            if packing && bytes > 0 { model.pack(fullyConnected: index, as: p, plan: plan, for: DefaultKernels.self, into: base + offset) }
            each(index, p, plan, bytes > 0 ? UnsafeRawPointer(base + offset) : nil)
            offset += bytes
        }
    }

    /// Scores every window of level `k` into `scores`, row by row (`windowsAlong` columns a
    /// row): resamples the frame to the level, then walks the pass (`walkPass`): each map into its buffer (map `l` of every phase in the same one); then
    /// for each phase either the tail on the maps (`tailOnMaps`: each fully connected op as a
    /// convolution over its input map from the phase's first window on, into its own map, the
    /// heads at each window's pixel into the phase's outputs, a window's `outputCount` after
    /// another's), or, window by window, the window's cell of the last map copied into the arena
    /// where `predict` leaves that tensor and the model's remaining ops as `predict` runs them;
    /// each window's score (and box offsets) then kept from its outputs (`keepWindow`). Uses only `workspace` (and the tail's
    /// weights `prepare` packed there); levels are independent of each other.
    func scoreLevel(_ k: Int, frame: UnsafePointer<UInt8>, workspace base: UnsafeMutableRawPointer, packedWeights: UnsafeRawPointer?,
                    scores: UnsafeMutablePointer<Float>) {
        let (levelWidth, levelHeight, _) = self.level(k)
        let level = (base + levelOffset).assumingMemoryBound(to: UInt8.self)
        resampleArea(frame, width: frameWidth, height: frameHeight, channels: 1, into: level, width: levelWidth, height: levelHeight,
                     scratch: (base + scratchOffset).assumingMemoryBound(to: Float.self))
        // The input tensor's int8 (docs/quantization.md): q = pixel XOR 0x80.
        for i in 0..<(levelWidth * levelHeight) { level[i] ^= 0x80 }
        let model = self.model
        let levelOps = levelOpCount
        let stride = configuration.stride
        /// Map `layer`'s buffer (0: the level).
        func buffer(_ layer: Int) -> UnsafeMutablePointer<Int8> {
            let offset = layer == 0 ? levelOffset : scratchOffset
                + Self.mapOffset(model, layer: layer, levelOps: levelOps, stride: stride, levelWidth: largestLevelWidth, levelHeight: largestLevelHeight)!
            return (base + offset).assumingMemoryBound(to: Int8.self)
        }
        /// The map of tail op `op`'s output (an int8 fully connected op).
        func tailMap(_ op: Int) -> UnsafeMutablePointer<Int8> {
            buffer(levelOps + 1) + Self.tailMapOffset(model, op: op, levelOps: levelOps, stride: stride,
                                                      levelWidth: largestLevelWidth, levelHeight: largestLevelHeight)!
        }
        let lastTensor = Self.lastTensor(model, levelOps: levelOps)
        let cell = model.tensor(lastTensor)
        let cellRow = cell.shape.width * cell.shape.channels
        let target = (base + cell.arenaOffset).assumingMemoryBound(to: Int8.self)
        let outputs = (base + outputsOffset).assumingMemoryBound(to: Int32.self)
        let last = buffer(levelOps)
        let steps = Self.tailStrides(model, levelOps: levelOps, stride: stride)
        Self.walkPass(
            model, levelOps: levelOps, window: window, stride: stride, levelWidth: levelWidth, levelHeight: levelHeight,
            layer: 0, height: levelHeight, width: levelWidth, phaseX: 0, phaseY: 0, cellX: 1, cellY: 1,
            map: { layer, shiftX, shiftY, inputHeight, inputWidth in
                // Read from the shift at the map's width: a row's last shiftX pixels are the next
                // row's first ones (past the last row, the map's slack); the outputs that read
                // them are no window's (valid padding).
                let channels = model.tensor(model.op(layer).input).shape.channels
                model.run(conv2D: layer, using: DefaultKernels.self, input: buffer(layer) + (shiftY * inputWidth + shiftX) * channels,
                          inputHeight: inputHeight, inputWidth: inputWidth, output: buffer(layer + 1), packedWeights: packedWeights)
            },
            windows: { xs, ys, cellX, cellY, width in
                // The window at level pixel (column, row) * stride has its cell at that position
                // over the cell step (rounded down: less the phase); a phase's cells are `steps` apart.
                if tailOnMaps {
                    // The last map read from the first window's cell, at the map's width (as the
                    // level ops' shifts: the outputs past a row's last window are no window's);
                    // the tail's maps have the first convolution's columns.
                    let first = last + ((ys.first * stride / cellY) * width + xs.first * stride / cellX) * cell.shape.channels
                    let columns = (width - cell.shape.width) / steps.x + 1
                    /// Op `op`'s input map: its start, width and step between windows' pixels.
                    func input(_ op: Int) -> (start: UnsafeMutablePointer<Int8>, width: Int, steps: (x: Int, y: Int)) {
                        let source = model.op(op).input
                        if source == lastTensor { return (first, width, steps) }
                        return (tailMap(Self.producer(model, of: source)), columns, (1, 1))
                    }
                    tailConvolutions(workspace: base, packedWeights: packedWeights, packing: false) { op, p, plan, packed in
                        let (start, inputWidth, step) = input(op)
                        let convolution = model.convolutionParameters(
                            fullyConnected: op, inputHeight: (ys.windows - 1) * step.y + p.kernelHeight, inputWidth: inputWidth,
                            strideHeight: p.strideHeight, strideWidth: p.strideWidth)
                        model.run(fullyConnected: op, as: convolution, using: DefaultKernels.self, plan: plan, packed: packed,
                                  input: start, output: tailMap(op))
                    }
                    for op in levelOps..<model.opCount where model.op(op).kind == .fullyConnectedAccumulators {
                        let (start, inputWidth, step) = input(op)
                        let channels = model.tensor(model.op(op).input).shape.channels
                        model.run(fullyConnectedAccumulators: op, using: DefaultKernels.self, input: start, rows: ys.windows, columns: xs.windows,
                                  rowPitch: step.y * inputWidth * channels, columnPitch: step.x * channels, outputs: outputs,
                                  outputPitch: model.outputCount, packedWeights: packedWeights)
                    }
                }
                var (row, windowRow) = (ys.first, 0)
                while row < ys.end {
                    let i = row * stride / cellY
                    var (column, place) = (xs.first, windowRow * xs.windows)
                    while column < xs.end {
                        if !tailOnMaps {
                            let j = column * stride / cellX
                            for r in 0..<cell.shape.height {
                                let source = last + ((i + r) * width + j) * cell.shape.channels
                                for b in 0..<cellRow { target[r * cellRow + b] = source[b] }
                            }
                            var op = levelOps
                            while op < model.opCount {
                                // As predict: a conv2D fuses with its max pool where the plan says so.
                                let fused = model.kernelPlan(op: op, packedWeights: packedWeights).fusesMaxPool
                                model.run(op: op, using: DefaultKernels.self, arena: base, outputs: outputs, packedWeights: packedWeights,
                                          fusingMaxPool: fused)
                                op += fused ? 2 : 1
                            }
                        }
                        // Every head output of this window, where predict leaves them for one image.
                        let windowOutputs = tailOnMaps ? outputs + place * model.outputCount : outputs
                        keepWindow(row * xs.end + column, outputs: windowOutputs, scores: scores)
                        column += xs.step
                        place += 1
                    }
                    row += ys.step
                    windowRow += 1
                }
            })
    }

    /// The tail op (an int8 fully connected one) that writes `tensor`.
    static func producer(_ model: Model, of tensor: Int) -> Int {
        var index = model.opCount - 1
        while model.op(index).kind != .fullyConnected || model.op(index).output != tensor { index -= 1 }
        return index
    }
}

/// `x` (>= 0) as a UInt64 without `UInt64(x)`, which Embedded Swift compiles to an allocating
/// generic path on 32-bit targets (as the runtime's Numerics/Widening.swift explains).
@inline(__always)
private func wide(_ x: Int) -> UInt64 { UInt64(_truncatingBits: UInt(bitPattern: x)) }
