import FacelyzrDetection
import Testing

/// `FaceTracker`: ids that follow faces across frames, smoothed values, tracks dropped after
/// frames unseen, and a full tracker (docs/detection.md "Tracking").
@Suite struct FaceTrackerTests {
    /// A tracker of `capacity` tracks of one value each in its own storage, fed frames of
    /// (box, value) faces; each update returns the faces' (id, smoothed value).
    final class Harness {
        let storage: UnsafeMutableRawPointer
        let tracker: FaceTracker

        init(capacity: Int, smoothing: Float = 0.5, maximumMissedFrames: Int = 2) {
            storage = .allocate(byteCount: FaceTracker.storageByteCount(capacity: capacity, valueCount: 1), alignment: 16)
            tracker = FaceTracker(initializing: storage, capacity: capacity, valueCount: 1, matchThreshold: 0.3, smoothing: smoothing,
                                  maximumMissedFrames: maximumMissedFrames)
        }

        deinit { storage.deallocate() }

        func frame(_ faces: [(x: Float, value: Float)]) -> [(id: Int32, value: Float)] {
            var boxes = faces.map { DetectionBox(x: $0.x, y: 10, width: 40, height: 40, score: 1) }
            var values = faces.map(\.value)
            var ids = [Int32](repeating: -7, count: faces.count)
            tracker.update(boxes: &boxes, count: faces.count, values: &values, ids: &ids)
            return zip(ids, values).map { ($0, $1) }
        }
    }

    @Test func facesKeepTheirIdsAsTheyMoveAndTheirValuesAreSmoothed() {
        let t = Harness(capacity: 4)
        let first = t.frame([(0, 1), (100, 0)])
        #expect(first.map(\.id) == [1, 2] && first.map(\.value) == [1, 0])
        // Both moved 8 pixels (IoU 0.67), listed the other way round: each keeps its id, and its
        // value is halfway between the track's and the frame's.
        let second = t.frame([(108, 1), (8, 0)])
        #expect(second.map(\.id) == [2, 1] && second.map(\.value) == [0.5, 0.5])
        let third = t.frame([(16, 0), (116, 1)])
        #expect(third.map(\.id) == [1, 2] && third.map(\.value) == [0.25, 0.75])
        #expect(t.tracker.trackCount == 2)
    }

    @Test func aFaceThatJumpsOrReturnsTooLateGetsANewTrack() {
        let t = Harness(capacity: 4, maximumMissedFrames: 2)
        #expect(t.frame([(0, 1)]).map(\.id) == [1])
        // Too far (no overlap): a new track; the old one waits.
        #expect(t.frame([(60, 0)]).map(\.id) == [2])
        // Back after 1 frame unseen (within 2): the old track, smoothed.
        let back = t.frame([(0, 0)])
        #expect(back.map(\.id) == [1] && back.map(\.value) == [0.5])
        // Unseen for 3 frames: dropped; the face then starts track 3.
        _ = t.frame([])
        _ = t.frame([])
        _ = t.frame([])
        #expect(t.tracker.trackCount == 0)
        let again = t.frame([(0, 0)])
        #expect(again.map(\.id) == [3] && again.map(\.value) == [0])
    }

    @Test func smoothingOneLeavesTheValuesAndAFullTrackerLeavesFacesUntracked() {
        let t = Harness(capacity: 2, smoothing: 1)
        #expect(t.frame([(0, 0.9), (100, 0.1)]).map(\.id) == [1, 2])
        let next = t.frame([(2, 0.2), (102, 0.7), (200, 0.4)])
        #expect(next.map(\.id) == [1, 2, 0] && next.map(\.value) == [0.2, 0.7, 0.4])
    }

    @Test func theBestOverlapWinsWhenTwoFacesCouldContinueOneTrack() {
        let t = Harness(capacity: 4)
        _ = t.frame([(0, 1)])
        // IoU 0.54 against 0.82: the second face continues track 1, the first starts track 2.
        #expect(t.frame([(12, 0), (4, 0)]).map(\.id) == [2, 1])
    }
}
