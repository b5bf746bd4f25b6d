// The camera-path entry points of include/facelyzr.h: a face localiser over a face / not-face
// model, detection in a frame of any format (docs/frames.md), and a detected box turned into
// any model's input. fz_detector = raw storage holding a `Localiser`; fz_frame and fz_box are
// read and written by byte offset, as their C declarations lay them out.
import FacelyzrDetection
import FacelyzrImaging
import FacelyzrRuntime

/// `FZ_DETECTOR_STORAGE_BYTES` of facelyzr.h: the C caller's storage for one `Localiser`.
public let detectorStorageByteCount = 1024

@inline(__always)
func detector(_ storage: UnsafeRawPointer) -> Localiser {
    storage.assumingMemoryBound(to: Localiser.self).pointee
}

/// The `Frame` a C `fz_frame` describes: `const uint8_t *planes[3]; size_t strides[3];
/// int32_t width, height, format;` (pointers and size_t are both one `Int` wide).
@inline(__always)
func frame(_ c: UnsafeRawPointer) -> Frame? {
    let word = MemoryLayout<Int>.size
    let format = c.load(fromByteOffset: 6 * word + 8, as: Int32.self)
    guard let format = FacelyzrImaging.PixelFormat(rawValue: format) else { return nil }
    let planes = c.assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
    let strides = (c + 3 * word).assumingMemoryBound(to: Int.self)
    let frame = Frame(width: Int(c.load(fromByteOffset: 6 * word, as: Int32.self)),
                      height: Int(c.load(fromByteOffset: 6 * word + 4, as: Int32.self)), format: format,
                      planes: (planes[0], planes[1], planes[2]), strides: (strides[0], strides[1], strides[2]))
    return frame.isValid ? frame : nil
}

/// Bytes at the start of a detector's workspace holding the frame's luma, rounded up so the
/// localiser's own part stays 16-byte aligned.
@inline(__always)
func lumaByteCount(_ localiser: Localiser) -> Int {
    (localiser.frameWidth * localiser.frameHeight + 15) & ~15
}

@_cdecl("fz_detector_open")
public func fz_detector_open(
    _ model: UnsafeRawPointer, _ frameWidth: Int32, _ frameHeight: Int32, _ storage: UnsafeMutableRawPointer
) -> Int32 {
    guard MemoryLayout<Localiser>.size <= detectorStorageByteCount,
          MemoryLayout<Localiser>.alignment <= modelStorageAlignment else { return CStatus.storageTooSmall.rawValue }
    do throws(DetectionError) {
        let made = try Localiser(model: FacelyzrCAPI.model(model), frameWidth: Int(frameWidth), frameHeight: Int(frameHeight))
        storage.initializeMemory(as: Localiser.self, repeating: made, count: 1)
        return CStatus.ok.rawValue
    } catch {
        switch error {
        case .noWindowFits: return CStatus.noWindowFits.rawValue
        case .tooManyWindows, .levelTooLarge: return CStatus.frameTooLarge.rawValue
        default: return CStatus.notFaceDetector.rawValue
        }
    }
}

@_cdecl("fz_detector_workspace_byte_count")
public func fz_detector_workspace_byte_count(_ storage: UnsafeRawPointer) -> Int {
    let localiser = detector(storage)
    return lumaByteCount(localiser) + localiser.workspaceByteCount
}

@_cdecl("fz_detector_detect")
public func fz_detector_detect(
    _ storage: UnsafeRawPointer, _ cFrame: UnsafeRawPointer, _ workspace: UnsafeMutableRawPointer,
    _ packed: UnsafeRawPointer?, _ boxes: UnsafeMutableRawPointer, _ capacity: Int, _ count: UnsafeMutablePointer<Int>
) -> Int32 {
    count.pointee = 0
    guard let frame = frame(cFrame),
          let found = detectFaces(detector(storage), frame, workspace, packed,
                                  UnsafeMutableBufferPointer(start: boxes.bindMemory(to: DetectionBox.self, capacity: capacity), count: capacity))
    else { return CStatus.invalidFrame.rawValue }
    count.pointee = found
    return CStatus.ok.rawValue
}

/// fz_detector_detect: the frame's luma into the start of `workspace`, the localiser on it; nil
/// when the frame is not the localiser's size.
@inline(__always)
func detectFaces(_ localiser: Localiser, _ frame: Frame, _ workspace: UnsafeMutableRawPointer, _ packed: UnsafeRawPointer?,
                 _ boxes: UnsafeMutableBufferPointer<DetectionBox>) -> Int? {
    guard frame.width == localiser.frameWidth, frame.height == localiser.frameHeight else { return nil }
    let luma = workspace.assumingMemoryBound(to: UInt8.self)
    frame.extractLuma(into: luma)
    let found = try? localiser.detect(
        frame: UnsafeBufferPointer(start: luma, count: frame.width * frame.height),
        workspace: localiserWorkspace(localiser, workspace), packedWeights: packed, boxes: boxes)
    return found ?? 0
}

/// The square of `frame` the attribute model reads for a detected face box, as `facelyzr analyze`
/// crops it: `FaceFraming.describeSquare` (the face's generator-framed picture, in the frame).
@inline(__always)
func faceSquare(_ b: DetectionBox, _ frame: Frame) -> (x: Int, y: Int, width: Int, height: Int) {
    FaceFraming.describeSquare(faceX: b.x, faceY: b.y, faceSide: b.width, frameWidth: frame.width, frameHeight: frame.height)
}

/// Bytes of the byte part of a face-input workspace, rounded up to keep the floats aligned.
@inline(__always)
func faceInputLayout(_ model: Model, _ frame: Frame, side: Int) -> (bytes: Int, floats: Int) {
    let input = model.input
    let bytes = FaceCrop.workspaceBytes(side: side, format: frame.format, inputSide: input.width, inputChannels: input.channels)
    return ((bytes + 15) & ~15, FaceCrop.scratchFloats(side: side, format: frame.format, inputSide: input.width))
}

@_cdecl("fz_face_input_workspace_byte_count")
public func fz_face_input_workspace_byte_count(_ model: UnsafeRawPointer, _ cFrame: UnsafeRawPointer, _ box: UnsafeRawPointer) -> Int {
    guard let frame = frame(cFrame) else { return 0 }
    let square = faceSquare(box.assumingMemoryBound(to: DetectionBox.self).pointee, frame)
    let layout = faceInputLayout(FacelyzrCAPI.model(model), frame, side: FaceCrop.side(width: square.width, height: square.height))
    return layout.bytes + layout.floats * MemoryLayout<Float>.size
}

@_cdecl("fz_face_input")
public func fz_face_input(
    _ model: UnsafeRawPointer, _ cFrame: UnsafeRawPointer, _ box: UnsafeRawPointer,
    _ input: UnsafeMutablePointer<UInt8>, _ workspace: UnsafeMutableRawPointer
) -> Int32 {
    let model = FacelyzrCAPI.model(model)
    guard let frame = frame(cFrame), readsSquareImages(model) else { return CStatus.invalidFrame.rawValue }
    prepareFace(model, frame, faceSquare(box.assumingMemoryBound(to: DetectionBox.self).pointee, frame), input, workspace)
    return CStatus.ok.rawValue
}

/// Whether `model` reads a square gray or RGB input (what `FaceCrop` writes).
@inline(__always)
func readsSquareImages(_ model: Model) -> Bool {
    model.input.width == model.input.height && (model.input.channels == 1 || model.input.channels == 3)
}

@inline(__always)
func prepareFace(_ model: Model, _ frame: Frame, _ square: (x: Int, y: Int, width: Int, height: Int),
                 _ input: UnsafeMutablePointer<UInt8>, _ workspace: UnsafeMutableRawPointer) {
    let layout = faceInputLayout(model, frame, side: FaceCrop.side(width: square.width, height: square.height))
    FaceCrop.prepare(frame, x: square.x, y: square.y, width: square.width, height: square.height,
                     into: input, inputSide: model.input.width, inputChannels: model.input.channels,
                     workspace: workspace.assumingMemoryBound(to: UInt8.self),
                     scratch: (workspace + layout.bytes).bindMemory(to: Float.self, capacity: layout.floats))
}

/// The describe workspace of `model` for `width` x `height` frames of `format`: the model's
/// input, then its arena (`shared`: their end), then the face-input workspace of the largest
/// square the frame holds (`face`: the bytes after `shared`).
@inline(__always)
func faceLayout(_ model: Model, width: Int, height: Int, format: FacelyzrImaging.PixelFormat) -> (arena: Int, shared: Int, face: Int) {
    let input = model.input
    let arena = (input.width * input.height * input.channels + 15) & ~15
    let shared = arena + ((model.arenaByteCount + 15) & ~15)
    let probe = Frame(width: width, height: height, format: format, planes: (nil, nil, nil), strides: (0, 0, 0))
    let face = faceInputLayout(model, probe, side: min(width, height))
    return (arena, shared, face.bytes + face.floats * MemoryLayout<Float>.size)
}

/// The detect + describe workspace: `faceLayout`, the detector's workspace sharing the bytes
/// after `shared` with the face input's.
@inline(__always)
func describeLayout(_ localiser: Localiser, _ model: Model, format: FacelyzrImaging.PixelFormat) -> (arena: Int, shared: Int, total: Int) {
    let (arena, shared, face) = faceLayout(model, width: localiser.frameWidth, height: localiser.frameHeight, format: format)
    let detect = lumaByteCount(localiser) + localiser.workspaceByteCount
    return (arena, shared, shared + max(detect, face))
}

@_cdecl("fz_describe_workspace_byte_count")
public func fz_describe_workspace_byte_count(_ storage: UnsafeRawPointer, _ model: UnsafeRawPointer, _ format: Int32) -> Int {
    guard let format = FacelyzrImaging.PixelFormat(rawValue: format) else { return 0 }
    return describeWorkspaceByteCount(detector(storage), FacelyzrCAPI.model(model), format: format)
}

/// Bytes of workspace ``detectDescribe(_:detectorPacked:_:modelPacked:_:workspace:boxes:outputs:)``
/// needs for frames of `format` (`fz_describe_workspace_byte_count`).
public func describeWorkspaceByteCount(_ localiser: Localiser, _ model: Model, format: FacelyzrImaging.PixelFormat) -> Int {
    describeLayout(localiser, model, format: format).total
}

@_cdecl("fz_detect_describe")
public func fz_detect_describe(
    _ storage: UnsafeRawPointer, _ detectorPacked: UnsafeRawPointer?, _ modelStorage: UnsafeRawPointer,
    _ modelPacked: UnsafeRawPointer?, _ cFrame: UnsafeRawPointer, _ workspace: UnsafeMutableRawPointer,
    _ maxFaces: Int, _ boxes: UnsafeMutableRawPointer, _ outputs: UnsafeMutablePointer<Int32>,
    _ count: UnsafeMutablePointer<Int>
) -> Int32 {
    count.pointee = 0
    guard let frame = frame(cFrame),
          let found = detectDescribe(detector(storage), detectorPacked: detectorPacked, FacelyzrCAPI.model(modelStorage),
                                     modelPacked: modelPacked, frame, workspace: workspace,
                                     boxes: UnsafeMutableBufferPointer(start: boxes.bindMemory(to: DetectionBox.self, capacity: maxFaces),
                                                                       count: maxFaces),
                                     outputs: outputs)
    else { return CStatus.invalidFrame.rawValue }
    count.pointee = found
    return CStatus.ok.rawValue
}

/// `fz_detect_describe` for Swift callers (the host's `facelyzr stream`, so it computes what the
/// board does): detects up to `boxes.count` faces of `frame` with `localiser`, best first, and
/// runs `model` on each one's face input, writing face i's `model.outputCount` raw outputs at
/// `outputs + i * model.outputCount`. Returns the number of faces, or nil when the frame is
/// invalid or not the localiser's size, or the model does not read square gray or RGB inputs.
/// `workspace`: ``describeWorkspaceByteCount(_:_:format:)`` bytes, 16-byte aligned.
public func detectDescribe(
    _ localiser: Localiser, detectorPacked: UnsafeRawPointer?, _ model: Model, modelPacked: UnsafeRawPointer?,
    _ frame: Frame, workspace: UnsafeMutableRawPointer, boxes: UnsafeMutableBufferPointer<DetectionBox>,
    outputs: UnsafeMutablePointer<Int32>
) -> Int? {
    guard frame.isValid, readsSquareImages(model) else { return nil }
    let layout = describeLayout(localiser, model, format: frame.format)
    guard let count = detectFaces(localiser, frame, workspace + layout.shared, detectorPacked, boxes) else { return nil }
    for face in 0..<count {
        describeFace(model, modelPacked: modelPacked, frame, boxes[face], workspace: workspace, arena: layout.arena,
                     shared: layout.shared, outputs: outputs + face * model.outputCount)
    }
    return count
}

/// `model` on the face input of `box` (`faceLayout`'s input at the start of `workspace`, its
/// arena at `arena`, the face-input workspace at `shared`): its raw outputs into `outputs`.
@inline(__always)
func describeFace(_ model: Model, modelPacked: UnsafeRawPointer?, _ frame: Frame, _ box: DetectionBox,
                  workspace: UnsafeMutableRawPointer, arena: Int, shared: Int, outputs: UnsafeMutablePointer<Int32>) {
    let input = workspace.assumingMemoryBound(to: UInt8.self)
    prepareFace(model, frame, faceSquare(box, frame), input, workspace + shared)
    if let modelPacked {
        model.predict(using: DefaultKernels.self, pixels: input, arena: workspace + arena, outputs: outputs,
                      layerOutputs: nil, packedWeights: modelPacked)
    } else {
        model.predict(pixels: input, arena: workspace + arena, outputs: outputs)
    }
}

@_cdecl("fz_detector_level_count")
public func fz_detector_level_count(_ storage: UnsafeRawPointer) -> Int {
    detector(storage).levelCount
}

@_cdecl("fz_detector_score_offset")
public func fz_detector_score_offset(_ storage: UnsafeRawPointer, _ level: Int) -> Int {
    let localiser = detector(storage)
    return localiser.scoreMapOffset(level: min(level, localiser.levelCount))
}

@_cdecl("fz_detector_prepare")
public func fz_detector_prepare(
    _ storage: UnsafeRawPointer, _ cFrame: UnsafeRawPointer, _ workspace: UnsafeMutableRawPointer, _ packed: UnsafeRawPointer?
) -> Int32 {
    let localiser = detector(storage)
    guard let frame = frame(cFrame), frame.width == localiser.frameWidth, frame.height == localiser.frameHeight
    else { return CStatus.invalidFrame.rawValue }
    frame.extractLuma(into: workspace.assumingMemoryBound(to: UInt8.self))
    try? localiser.prepare(workspace: localiserWorkspace(localiser, workspace), packedWeights: packed)
    return CStatus.ok.rawValue
}

@_cdecl("fz_detector_score_levels")
public func fz_detector_score_levels(
    _ storage: UnsafeRawPointer, _ first: Int, _ end: Int, _ workspace: UnsafeMutableRawPointer,
    _ packed: UnsafeRawPointer?, _ scores: UnsafeMutablePointer<Float>
) -> Int32 {
    let localiser = detector(storage)
    // size_t arrives as a (possibly negative) Int: both bounds checked before the range exists.
    guard first >= 0, first <= end, end <= localiser.levelCount else { return CStatus.invalidLevels.rawValue }
    try? localiser.scoreLevels(
        first..<end, frame: UnsafeBufferPointer(start: workspace.assumingMemoryBound(to: UInt8.self), count: localiser.frameWidth * localiser.frameHeight),
        workspace: localiserWorkspace(localiser, workspace), packedWeights: packed,
        scoreMap: UnsafeMutableBufferPointer(start: scores, count: localiser.scoreMapCount))
    return CStatus.ok.rawValue
}

/// The localiser's part of a detector workspace: after the frame's luma.
@inline(__always)
func localiserWorkspace(_ localiser: Localiser, _ workspace: UnsafeMutableRawPointer) -> UnsafeMutableRawBufferPointer {
    UnsafeMutableRawBufferPointer(start: workspace + lumaByteCount(localiser), count: localiser.workspaceByteCount)
}

@_cdecl("fz_detector_collect")
public func fz_detector_collect(
    _ storage: UnsafeRawPointer, _ scores: UnsafePointer<Float>, _ workspace: UnsafeMutableRawPointer,
    _ boxes: UnsafeMutableRawPointer, _ capacity: Int, _ count: UnsafeMutablePointer<Int>
) {
    let localiser = detector(storage)
    let found = try? localiser.collect(
        scoreMap: UnsafeBufferPointer(start: scores, count: localiser.scoreMapCount),
        workspace: localiserWorkspace(localiser, workspace),
        boxes: UnsafeMutableBufferPointer(start: boxes.bindMemory(to: DetectionBox.self, capacity: capacity), count: capacity))
    count.pointee = found ?? 0
}

@_cdecl("fz_describe_face_workspace_byte_count")
public func fz_describe_face_workspace_byte_count(_ model: UnsafeRawPointer, _ width: Int32, _ height: Int32, _ format: Int32) -> Int {
    guard let format = FacelyzrImaging.PixelFormat(rawValue: format), width > 0, height > 0 else { return 0 }
    let layout = faceLayout(FacelyzrCAPI.model(model), width: Int(width), height: Int(height), format: format)
    return layout.shared + layout.face
}

@_cdecl("fz_describe_face")
public func fz_describe_face(
    _ modelStorage: UnsafeRawPointer, _ packed: UnsafeRawPointer?, _ cFrame: UnsafeRawPointer, _ box: UnsafeRawPointer,
    _ workspace: UnsafeMutableRawPointer, _ outputs: UnsafeMutablePointer<Int32>
) -> Int32 {
    let model = FacelyzrCAPI.model(modelStorage)
    guard let frame = frame(cFrame), readsSquareImages(model) else { return CStatus.invalidFrame.rawValue }
    let layout = faceLayout(model, width: frame.width, height: frame.height, format: frame.format)
    describeFace(model, modelPacked: packed, frame, box.assumingMemoryBound(to: DetectionBox.self).pointee,
                 workspace: workspace, arena: layout.arena, shared: layout.shared, outputs: outputs)
    return CStatus.ok.rawValue
}
