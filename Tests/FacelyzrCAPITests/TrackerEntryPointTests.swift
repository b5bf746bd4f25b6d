import FacelyzrCAPI
import FacelyzrDetection
import Testing

/// The tracking entry points, called as C would: settings checked, ids and smoothed values as
/// `FaceTracker` gives them (its own tests: Tests/FacelyzrDetectionTests/FaceTrackerTests.swift).
@Suite struct TrackerEntryPointTests {
    @Test func settingsOutOfRangeAreRejectedAndAFrameIsTracked() {
        let bytes = fz_tracker_byte_count(4, 2)
        #expect(bytes == FaceTracker.storageByteCount(capacity: 4, valueCount: 2))
        let storage = UnsafeMutableRawPointer.allocate(byteCount: bytes + 16, alignment: 16)
        defer { storage.deallocate() }
        let invalid = CStatus.invalidTrackerSetting.rawValue
        #expect(fz_tracker_init(storage, 0, 2, 0.3, 0.3, 5) == invalid)
        #expect(fz_tracker_init(storage, 4, 2, 0, 0.3, 5) == invalid)
        #expect(fz_tracker_init(storage, 4, 2, 0.3, 0, 5) == invalid)
        #expect(fz_tracker_init(storage, 4, 2, 0.3, 1.5, 5) == invalid)
        #expect(fz_tracker_init(storage, 4, 2, 0.3, 0.3, -1) == invalid)
        #expect(fz_tracker_init(storage + 4, 4, 2, 0.3, 0.3, 5) == invalid)
        #expect(fz_tracker_init(storage, 4, 2, 0.3, 0.5, 5) == CStatus.ok.rawValue)

        var boxes = [DetectionBox(x: 0, y: 0, width: 30, height: 30, score: 1), DetectionBox(x: 50, y: 0, width: 30, height: 30, score: 1)]
        var values: [Float] = [1, 0, 0, 1]
        var ids: [Int32] = [-1, -1]
        fz_tracker_update(storage, &boxes, 2, &values, &ids)
        #expect(ids == [1, 2] && values == [1, 0, 0, 1])
        boxes[0].x = 2
        values = [0, 0, 0, 0]
        fz_tracker_update(storage, &boxes, 1, &values, &ids)
        #expect(ids[0] == 1 && values[0...1] == [0.5, 0])
    }
}
