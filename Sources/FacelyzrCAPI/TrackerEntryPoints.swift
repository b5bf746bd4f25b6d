// The tracking entry points of include/facelyzr.h over `FaceTracker` (docs/detection.md
// "Tracking"): fz_tracker is caller storage the tracker lives in, sized by fz_tracker_byte_count.
import FacelyzrDetection

@_cdecl("fz_tracker_byte_count")
public func fz_tracker_byte_count(_ capacity: Int, _ valueCount: Int) -> Int {
    FaceTracker.storageByteCount(capacity: capacity, valueCount: valueCount)
}

@_cdecl("fz_tracker_init")
public func fz_tracker_init(
    _ storage: UnsafeMutableRawPointer, _ capacity: Int, _ valueCount: Int, _ matchThreshold: Float, _ smoothing: Float,
    _ maximumMissedFrames: Int32
) -> Int32 {
    guard capacity > 0, valueCount >= 0, matchThreshold > 0, matchThreshold <= 1, smoothing > 0, smoothing <= 1,
          maximumMissedFrames >= 0, UInt(bitPattern: storage) & 15 == 0
    else { return CStatus.invalidTrackerSetting.rawValue }
    _ = FaceTracker(initializing: storage, capacity: capacity, valueCount: valueCount, matchThreshold: matchThreshold,
                    smoothing: smoothing, maximumMissedFrames: Int(maximumMissedFrames))
    return CStatus.ok.rawValue
}

@_cdecl("fz_tracker_update")
public func fz_tracker_update(
    _ storage: UnsafeMutableRawPointer, _ boxes: UnsafeRawPointer, _ count: Int, _ values: UnsafeMutablePointer<Float>,
    _ ids: UnsafeMutablePointer<Int32>
) {
    FaceTracker(storage: storage).update(boxes: boxes.assumingMemoryBound(to: DetectionBox.self), count: count, values: values, ids: ids)
}
