import FacelyzrData
import FacelyzrDetection
import FacelyzrHost
import Foundation

/// A loaded face / not-face model running `Localiser`s on gray frames of any size: the
/// workspace of each frame size is made once and reused, as a board program would.
public final class FaceFinder {
    public let detector: LoadedModel
    public let configuration: LocaliserConfiguration
    /// The localiser of the last frame size seen.
    public private(set) var localiser: Localiser?
    private var workspace = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var boxes = UnsafeMutableBufferPointer<DetectionBox>(start: nil, count: 0)

    public init(detector: LoadedModel, configuration: LocaliserConfiguration) {
        self.detector = detector
        self.configuration = configuration
    }

    public convenience init(path: String, configuration: LocaliserConfiguration) throws(ModelFileError) {
        self.init(detector: try LoadedModel(path: path), configuration: configuration)
    }

    deinit {
        workspace.deallocate()
        boxes.deallocate()
    }

    /// The faces in a gray frame, best first, and the seconds `detect` took: wall time, and the
    /// CPU time of this thread (what one unshared core gives; the machine may be shared).
    public func find(gray pixels: [UInt8], width: Int, height: Int) throws(DetectionError) -> (boxes: [DetectionBox], seconds: Double, cpuSeconds: Double) {
        if localiser?.frameWidth != width || localiser?.frameHeight != height {
            let made = try Localiser(model: detector.model, frameWidth: width, frameHeight: height, configuration: configuration)
            workspace.deallocate()
            boxes.deallocate()
            workspace = .allocate(byteCount: made.workspaceByteCount, alignment: 64)
            boxes = .allocate(capacity: configuration.candidateCapacity)
            localiser = made
        }
        let cpuStart = ThreadCPUTime.seconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let count = try pixels.withUnsafeBufferPointer { frame throws(DetectionError) in
            try localiser!.detect(frame: frame, workspace: workspace, packedWeights: detector.packedWeights, boxes: boxes)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (Array(boxes[0..<count]), seconds, ThreadCPUTime.seconds() - cpuStart)
    }
}

extension DetectionError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .modelInputNotSquareGray(width, height, channels):
            "the model reads \(width)x\(height)x\(channels) images; a face / not-face model reads square gray ones"
        case let .modelNotFaceClassifier(outputCount):
            "the model has \(outputCount) outputs; a face / not-face model has one binary output"
        case let .noWindowFits(frameWidth, frameHeight, minimumFaceSize):
            "no window fits a \(frameWidth)x\(frameHeight) frame (smallest face searched: \(minimumFaceSize) pixels)"
        case let .tooManyWindows(frameWidth, frameHeight, limit):
            "a \(frameWidth)x\(frameHeight) picture needs more than \(limit) windows with these settings, "
                + "seconds to minutes of work (the limit is in docs/limits.md): raise --min-face or --scale-step, "
                + "or scale the picture down"
        case let .levelTooLarge(width, height, limit):
            "the first pyramid level would be \(width)x\(height), more than \(limit) pixels: raise --min-face"
        case let .invalidConfiguration(setting):
            "localiser setting \(setting) is out of range"
        case let .frameSizeMismatch(expected, byteCount):
            "the frame has \(byteCount) bytes, the localiser expects \(expected)"
        case let .workspaceTooSmall(needed, byteCount):
            "the workspace has \(byteCount) bytes, the localiser needs \(needed)"
        case let .levelsOutOfRange(lower, upper, levelCount):
            "levels \(lower)..<\(upper) are not within the localiser's 0..<\(levelCount)"
        case let .scoreMapTooSmall(needed, count):
            "the score map has \(count) floats, the localiser needs \(needed)"
        }
    }
}
