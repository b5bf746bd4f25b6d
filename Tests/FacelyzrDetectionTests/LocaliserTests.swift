import FacelyzrBlobBuilder
import FacelyzrDetection
import FacelyzrRuntime
import Testing

/// A hand-built face / not-face model and frame whose answers are known exactly: the model
/// scores how well a window frames a bright square (its inner 20x20 bright, its 2-pixel rim dark).
enum SquareModel {
    static let window = 24

    /// `+1` on the inner 20x20 pixels, `-1` on the rim; the head fires (probability >= 0.5) only
    /// within 30 x 255 of the best possible window, a bright square framed exactly. `heads`
    /// copies of that binary head, then, with `box`, a regression head whose outputs are always
    /// `box[i] / 1000` (a box head when there are three).
    static func blob(pixelFormat: PixelFormat = .gray8, heads: Int = 1, box: [Int32] = []) -> [UInt8] {
        var b = BlobBuilder(name: "squares", height: window, width: window, pixelFormat: pixelFormat)
        let channels = pixelFormat.channels
        var weights: [Int8] = []
        for y in 0..<window {
            for x in 0..<window {
                let inner = (2..<window - 2).contains(x) && (2..<window - 2).contains(y)
                weights += Array(repeating: inner ? 1 : -1, count: channels)
            }
        }
        let best = Int32(channels) * (400 * 127 + 176 * 128)
        let bias = -(best - 30 * 255)
        for h in 0..<heads {
            b.head("face\(h)", kind: .binary, input: b.input, weights: weights, bias: [bias], scales: [0.01], labels: ["face"])
        }
        if !box.isEmpty {
            b.head("box", kind: .regression, input: b.input, weights: [Int8](repeating: 0, count: weights.count * box.count), bias: box,
                   scales: [Float](repeating: 0.001, count: box.count), labels: box.indices.map { "box\($0)" })
        }
        return b.build().bytes
    }

    /// A dark `width` x `height` frame with a bright square of side `side * 20 / 24` centred in
    /// each of `boxes` (x, y, side; side a multiple of 12): the boxes a perfect localiser reports.
    static func frame(width: Int, height: Int, boxes: [(Int, Int, Int)]) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height)
        for (bx, by, side) in boxes {
            precondition(side % 12 == 0)
            let inset = side / 12
            for y in (by + inset)..<(by + side - inset) {
                for x in (bx + inset)..<(bx + side - inset) { pixels[y * width + x] = 255 }
            }
        }
        return pixels
    }
}

/// Owns a blob in aligned memory, for a `Model` over it.
final class AlignedBytes {
    let buffer: UnsafeMutableRawBufferPointer
    init(_ bytes: [UInt8]) {
        buffer = .allocate(byteCount: bytes.count, alignment: 16)
        buffer.copyBytes(from: bytes)
    }
    deinit { buffer.deallocate() }
    func model() throws -> Model { try Model(bytes: UnsafeRawBufferPointer(buffer)) }
}

@Suite struct LocaliserTests {
    /// Runs `localiser` on `frame` in a fresh workspace.
    func detect(_ localiser: Localiser, _ frame: [UInt8], packed: Bool = false) throws(DetectionError) -> [DetectionBox] {
        let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16)
        defer { workspace.deallocate() }
        let packedBytes = localiser.model.packedWeightsByteCount(for: DefaultKernels.self)
        let packedWeights = UnsafeMutableRawBufferPointer.allocate(byteCount: max(packedBytes, 1), alignment: 64)
        defer { packedWeights.deallocate() }
        if packed { localiser.model.packWeights(for: DefaultKernels.self, into: packedWeights.baseAddress!) }
        var boxes = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 16)
        let count = try frame.withUnsafeBufferPointer { f throws(DetectionError) in
            try boxes.withUnsafeMutableBufferPointer { b throws(DetectionError) in
                try localiser.detect(frame: f, workspace: workspace, packedWeights: packed ? UnsafeRawPointer(packedWeights.baseAddress!) : nil,
                                     boxes: b)
            }
        }
        return Array(boxes.prefix(count))
    }

    @Test func findsTheKnownSquaresAndNothingElse() throws {
        let blob = AlignedBytes(SquareModel.blob())
        let model = try blob.model()
        // Level 0 searches 24-pixel faces at scale 1, level 1 36-pixel faces at scale 2/3 (180x120 -> 120x80):
        // boxes at multiples of 3 land on whole level pixels.
        let truth: [(Int, Int, Int)] = [(120, 80, 24), (60, 30, 36)]
        let frame = SquareModel.frame(width: 180, height: 120, boxes: truth)
        let localiser = try Localiser(model: model, frameWidth: 180, frameHeight: 120, configuration: LocaliserConfiguration(
            minimumFaceSize: 24, maximumFaceSize: 60, scaleStep: 1.5, stride: 1, scoreThreshold: 0.5, overlapThreshold: 0.3))
        #expect(localiser.levelCount == 3)  // faces of 24, 36 and 54 pixels (81 > 60)
        // Levels 180x120, 120x80 and 80x53; windows of 24 at stride 1.
        #expect(localiser.windowCount == 157 * 97 + 97 * 57 + 57 * 30)
        let found = try detect(localiser, frame)
        #expect(found.count == 2)
        for (x, y, side) in truth {
            let expected = DetectionBox(x: Float(x), y: Float(y), width: Float(side), height: Float(side), score: 1)
            #expect(found.contains { $0.intersectionOverUnion(expected) > 0.99 }, "no box at \(x), \(y), side \(side): \(found)")
        }
        #expect(try detect(localiser, frame, packed: true) == found)
        #expect(try detect(localiser, [UInt8](repeating: 0, count: 180 * 120)).isEmpty)
    }

    /// Levels scored in two workspaces, out of order, into one score map, then collected in a
    /// third: the boxes `detect` finds, with and without packed weights.
    @Test func levelsScoredApartCollectWhatDetectFinds() throws {
        let blob = AlignedBytes(SquareModel.blob())
        let model = try blob.model()
        let frame = SquareModel.frame(width: 180, height: 120, boxes: [(120, 80, 24), (60, 30, 36)])
        let localiser = try Localiser(model: model, frameWidth: 180, frameHeight: 120, configuration: LocaliserConfiguration(
            minimumFaceSize: 24, maximumFaceSize: 60, scaleStep: 1.5, stride: 1, scoreThreshold: 0.5, overlapThreshold: 0.3))
        try #require(localiser.levelCount == 3)
        #expect(localiser.scoreMapOffset(level: 1) == 157 * 97 && localiser.scoreMapOffset(level: 3) == localiser.scoreMapCount)
        let packedBytes = model.packedWeightsByteCount(for: DefaultKernels.self)
        let packedWeights = UnsafeMutableRawBufferPointer.allocate(byteCount: max(packedBytes, 1), alignment: 64)
        defer { packedWeights.deallocate() }
        model.packWeights(for: DefaultKernels.self, into: packedWeights.baseAddress!)
        let workspaces = (0..<3).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16) }
        defer { for w in workspaces { w.deallocate() } }
        var scores = [Float](repeating: -1, count: localiser.scoreMapCount)
        for packed in [nil, UnsafeRawPointer(packedWeights.baseAddress!)] {
            var boxes = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 16)
            let count = try frame.withUnsafeBufferPointer { f throws(DetectionError) in
                try scores.withUnsafeMutableBufferPointer { map throws(DetectionError) in
                    for w in workspaces.prefix(2) { try localiser.prepare(frame: f, workspace: w, packedWeights: packed) }
                    try localiser.scoreLevels(1..<2, frame: f, workspace: workspaces[0], packedWeights: packed, scoreMap: map)
                    try localiser.scoreLevels(2..<3, frame: f, workspace: workspaces[1], packedWeights: packed, scoreMap: map)
                    try localiser.scoreLevels(0..<1, frame: f, workspace: workspaces[1], packedWeights: packed, scoreMap: map)
                    return try boxes.withUnsafeMutableBufferPointer { b throws(DetectionError) in
                        try localiser.collect(scoreMap: UnsafeBufferPointer(map), workspace: workspaces[2], boxes: b)
                    }
                }
            }
            let detected = try detect(localiser, frame, packed: packed != nil)
            #expect(detected.count == 2)
            #expect(Array(boxes.prefix(count)) == detected)
        }
        #expect(!scores.contains(-1), "every window of every level is scored")
        try frame.withUnsafeBufferPointer { f in
            try scores.withUnsafeMutableBufferPointer { map in
                #expect(throws: DetectionError.levelsOutOfRange(lower: 2, upper: 4, levelCount: 3)) {
                    try localiser.scoreLevels(2..<4, frame: f, workspace: workspaces[0], packedWeights: nil, scoreMap: map)
                }
                let short = UnsafeMutableBufferPointer(rebasing: map[1...])
                #expect(throws: DetectionError.scoreMapTooSmall(needed: localiser.scoreMapCount, count: localiser.scoreMapCount - 1)) {
                    try localiser.scoreLevels(0..<1, frame: f, workspace: workspaces[0], packedWeights: nil, scoreMap: short)
                }
            }
        }
    }

    @Test func regressedBoxMovesAndScalesTheWindow() {
        let window = DetectionBox(x: 10, y: 20, width: 40, height: 40, score: 0.75)
        #expect(Localiser.regressedBox(window: window, x: 0.25, y: -0.25, logScale: 0) == DetectionBox(x: 20, y: 10, width: 40, height: 40, score: 0.75))
        let doubled = Localiser.regressedBox(window: window, x: 0, y: 0, logScale: 0.693_147_2)
        #expect(abs(doubled.width - 80) < 1e-3 && abs(doubled.height - 80) < 1e-3 && abs(doubled.x + 10) < 1e-3 && abs(doubled.y) < 1e-3)
        // Beyond ln 8 the scale stops at 8: no infinite box from a wild output.
        #expect(abs(Localiser.regressedBox(window: window, x: 0, y: 0, logScale: 1000).width - 320) < 0.01)
    }

    @Test func aBoxHeadPlacesTheBoxes() throws {
        let truth: [(Int, Int, Int)] = [(120, 80, 24), (60, 30, 36)]
        let frame = SquareModel.frame(width: 180, height: 120, boxes: truth)
        let configuration = LocaliserConfiguration(minimumFaceSize: 24, maximumFaceSize: 60, scaleStep: 1.5, stride: 1)
        let plainBlob = AlignedBytes(SquareModel.blob()), boxed = AlignedBytes(SquareModel.blob(box: [100, -50, 223]))
        let plain = try Localiser(model: try plainBlob.model(), frameWidth: 180, frameHeight: 120, configuration: configuration)
        let localiser = try Localiser(model: try boxed.model(), frameWidth: 180, frameHeight: 120, configuration: configuration)
        #expect(!plain.hasBoxHead && localiser.hasBoxHead)
        #expect(localiser.workspaceByteCount > plain.workspaceByteCount)
        let windows = try detect(plain, frame)
        let found = try detect(localiser, frame)
        #expect(found.count == truth.count && windows.count == truth.count)
        for window in windows {
            let expected = Localiser.regressedBox(window: window, x: 0.1, y: -0.05, logScale: 0.223)
            #expect(found.contains { $0.intersectionOverUnion(expected) > 0.99 }, "no box near \(expected): \(found)")
            #expect(!found.contains { $0.intersectionOverUnion(window) > 0.9 })
        }
        withExtendedLifetime((plainBlob, boxed)) {}
    }

    @Test func typedErrorsForWhatDoesNotFit() throws {
        let gray = AlignedBytes(SquareModel.blob())
        let model = try gray.model()
        #expect(throws: DetectionError.modelInputNotSquareGray(width: 24, height: 24, channels: 3)) {
            try Localiser(model: try AlignedBytes(SquareModel.blob(pixelFormat: .rgb8)).model(), frameWidth: 64, frameHeight: 64)
        }
        #expect(throws: DetectionError.modelNotFaceClassifier(outputCount: 2)) {
            try Localiser(model: try AlignedBytes(SquareModel.blob(heads: 2)).model(), frameWidth: 64, frameHeight: 64)
        }
        // A second head must be a box head: regression, three outputs.
        #expect(throws: DetectionError.modelNotFaceClassifier(outputCount: 3)) {
            try Localiser(model: try AlignedBytes(SquareModel.blob(box: [0, 0])).model(), frameWidth: 64, frameHeight: 64)
        }
        #expect(throws: DetectionError.noWindowFits(frameWidth: 20, frameHeight: 64, minimumFaceSize: 28)) {
            try Localiser(model: model, frameWidth: 20, frameHeight: 64)
        }
        #expect(throws: DetectionError.invalidConfiguration(setting: .scaleStep)) {
            try Localiser(model: model, frameWidth: 64, frameHeight: 64, configuration: LocaliserConfiguration(scaleStep: 1))
        }
        #expect(throws: DetectionError.invalidConfiguration(setting: .scoreThreshold)) {
            try Localiser(model: model, frameWidth: 64, frameHeight: 64, configuration: LocaliserConfiguration(scoreThreshold: 1))
        }
        // A stride of Int.max wrapped `x + stride` to a negative offset (a SIGSEGV found by tools/fuzz/cli.sh).
        for stride in [0, LocaliserConfiguration.maximumStride + 1, Int.max] {
            #expect(throws: DetectionError.invalidConfiguration(setting: .stride)) {
                try Localiser(model: model, frameWidth: 64, frameHeight: 64, configuration: LocaliserConfiguration(stride: stride))
            }
        }
        let widest = try Localiser(model: model, frameWidth: 64, frameHeight: 64,
                                   configuration: LocaliserConfiguration(stride: LocaliserConfiguration.maximumStride))
        #expect(widest.windowCount == widest.levelCount)  // one window a level
        #expect(try detect(widest, [UInt8](repeating: 0, count: 64 * 64)).count <= widest.levelCount)
        let localiser = try Localiser(model: model, frameWidth: 64, frameHeight: 48)
        #expect(throws: DetectionError.frameSizeMismatch(expected: 64 * 48, byteCount: 64 * 47)) {
            try detect(localiser, [UInt8](repeating: 0, count: 64 * 47))
        }
        let small = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 16)
        defer { small.deallocate() }
        var boxes = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 1)
        #expect(throws: DetectionError.workspaceTooSmall(needed: localiser.workspaceByteCount, byteCount: 16)) {
            try [UInt8](repeating: 0, count: 64 * 48).withUnsafeBufferPointer { f throws(DetectionError) in
                try boxes.withUnsafeMutableBufferPointer { b throws(DetectionError) in
                    try localiser.detect(frame: f, workspace: small, packedWeights: nil, boxes: b)
                }
            }
        }
    }
}
