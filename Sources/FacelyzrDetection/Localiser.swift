import FacelyzrImaging
import FacelyzrRuntime

/// Finds faces in a gray frame with a face / not-face model: a multi-scale sliding window over
/// an image pyramid, each window run by the int8 runtime, then non-maximum suppression
/// (docs/detection.md "Localiser").
///
/// Level `k` searches faces of side `minimumFaceSize * scaleStep^k` frame pixels: the frame is
/// area-resampled so that such a face becomes the model's `window` x `window` input, and the
/// window slides over the level by `stride` pixels. A window whose probability reaches the
/// threshold is a candidate, mapped back to frame pixels. Made once for a frame size; `detect`
/// then runs in the caller's workspace with no heap allocation and no check that can fail
/// except the sizes of what it is given. A localiser is immutable and can be shared across
/// threads, each with its own workspace.
public struct Localiser: Sendable {
    public let model: Model
    public let frameWidth: Int
    public let frameHeight: Int
    public let configuration: LocaliserConfiguration
    /// Side of the model's square input.
    public let window: Int
    /// Pyramid levels searched.
    public let levelCount: Int
    /// Bytes of the workspace `detect` needs.
    public let workspaceByteCount: Int

    @usableFromInline let largestLevelWidth: Int
    @usableFromInline let largestLevelHeight: Int
    @usableFromInline let levelOffset: Int
    @usableFromInline let rowsOffset: Int
    @usableFromInline let windowOffset: Int
    @usableFromInline let outputsOffset: Int
    @usableFromInline let candidatesOffset: Int

    /// A localiser for `frameWidth` x `frameHeight` gray frames. Throws if the model is not a
    /// square gray face / not-face model, the configuration is out of range, or no window fits.
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
        var levels = 0
        var first = (width: 0, height: 0)
        var side = Float(configuration.minimumFaceSize)
        // Two-argument mins: the variadic min(_:_:_:) builds an array (Embedded Swift refuses it).
        let frameSide = min(frameWidth, frameHeight)
        let largest = Float(min(configuration.maximumFaceSize ?? frameSide, frameSide))
        var windows = 0
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
            windows += Self.windowCount(levelWidth: size.width, levelHeight: size.height, window: input.width, stride: configuration.stride)
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
        func aligned(_ n: Int) -> Int { (n + 15) & ~15 }
        levelOffset = aligned(model.arenaByteCount)
        rowsOffset = levelOffset + aligned(first.width * first.height)
        windowOffset = rowsOffset + aligned(frameHeight * first.width * MemoryLayout<Float>.stride)
        outputsOffset = windowOffset + aligned(window * window)
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
    /// and the workspace holds it and 4 bytes a pixel of its rows.
    public static let maximumLevelPixels = 67_108_864

    /// Windows a level of `levelWidth` x `levelHeight` holds.
    static func windowCount(levelWidth: Int, levelHeight: Int, window: Int, stride: Int) -> Int {
        ((levelWidth - window) / stride + 1) * ((levelHeight - window) / stride + 1)
    }

    /// Size of the pyramid level on which a face of `faceSide` frame pixels spans `window` pixels.
    @usableFromInline
    static func levelSize(frameWidth: Int, frameHeight: Int, window: Int, faceSide: Float) -> (width: Int, height: Int) {
        let scale = Float(window) / faceSide
        return (Int(Float(frameWidth) * scale), Int(Float(frameHeight) * scale))
    }

    /// The pyramid level `k` (< `levelCount`): its size, and the face side it searches.
    public func level(_ k: Int) -> (width: Int, height: Int, faceSide: Float) {
        var side = Float(configuration.minimumFaceSize)
        for _ in 0..<k { side *= configuration.scaleStep }
        let size = Self.levelSize(frameWidth: frameWidth, frameHeight: frameHeight, window: window, faceSide: side)
        return (size.width, size.height, side)
    }

    /// Windows `detect` runs the model on per frame, over all levels.
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
        let level = (base + levelOffset).assumingMemoryBound(to: UInt8.self)
        let rows = (base + rowsOffset).assumingMemoryBound(to: Float.self)
        let windowPixels = (base + windowOffset).assumingMemoryBound(to: UInt8.self)
        let outputs = (base + outputsOffset).assumingMemoryBound(to: Int32.self)
        let candidates = (base + candidatesOffset).bindMemory(to: DetectionBox.self, capacity: configuration.candidateCapacity)
        var candidateCount = 0
        let capacity = configuration.candidateCapacity
        let threshold = configuration.scoreThreshold
        let step = configuration.stride

        for k in 0..<levelCount {
            let (levelWidth, levelHeight, _) = self.level(k)
            resampleArea(pixels, width: frameWidth, height: frameHeight, channels: 1, into: level, width: levelWidth, height: levelHeight,
                         scratch: rows)
            let xScale = Float(frameWidth) / Float(levelWidth), yScale = Float(frameHeight) / Float(levelHeight)
            var y = 0
            while y + window <= levelHeight {
                var x = 0
                while x + window <= levelWidth {
                    for r in 0..<window {
                        (windowPixels + r * window).update(from: level + (y + r) * levelWidth + x, count: window)
                    }
                    model.predict(using: DefaultKernels.self, pixels: windowPixels, arena: base, outputs: outputs,
                                  layerOutputs: nil, packedWeights: packedWeights)
                    let score = model.prediction(output: 0, outputs: outputs)
                    if score >= threshold {
                        let box = DetectionBox(x: Float(x) * xScale, y: Float(y) * yScale,
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
                    x += step
                }
                y += step
            }
        }
        let kept = suppressNonMaxima(candidates, count: candidateCount, overlapThreshold: configuration.overlapThreshold,
                                     containmentThreshold: configuration.containmentThreshold)
        let written = min(kept, boxes.count)
        for i in 0..<written { boxes[i] = candidates[i] }
        return written
    }
}
