/// Follows faces from frame to frame so that each keeps an id and its predictions do not flicker
/// (docs/detection.md "Tracking"): a view over caller storage holding the settings and up to
/// `capacity` tracks, each a box, an id, the frames since it was last seen and `valueCount`
/// smoothed values (a face's predictions). Allocation-free and Embedded-safe; every step is
/// plain float arithmetic in a fixed order, so every ISA gives the same ids and values.
///
/// Each frame, ``update(boxes:count:values:ids:)``:
/// 1. Association, greedy by IoU: the (face, track) pair of highest IoU, at least
///    `matchThreshold`, is matched, then the best among the faces and tracks left, and so on
///    (ties go to the earlier face, then the earlier track).
/// 2. A matched track takes the face's box; each of its values moves towards the face's by
///    `smoothing`: `s = smoothing * v + (1 - smoothing) * s` (an exponential moving average; 1
///    turns it off, exactly),
///    and the face's values are replaced by the track's.
/// 3. A track not matched for more than `maximumMissedFrames` frames in a row is dropped.
/// 4. A face not matched starts a track with the next id (from 1) and its own values; when all
///    `capacity` tracks are taken it gets id 0 (untracked) and its values unchanged.
public struct FaceTracker {
    /// The settings and the counters, at the start of the storage.
    struct Header {
        var capacity: Int
        var valueCount: Int
        var maximumMissedFrames: Int
        var nextID: Int
        var trackCount: Int
        var matchThreshold: Float
        var smoothing: Float
    }

    /// A track: the box it was last seen at, its id, the frames since, and whether this frame matched it.
    struct Track {
        var box: DetectionBox
        var id: Int
        var missed: Int
        var matched: Bool
    }

    let header: UnsafeMutablePointer<Header>

    /// Bytes of storage for `capacity` tracks of `valueCount` values each.
    public static func storageByteCount(capacity: Int, valueCount: Int) -> Int {
        MemoryLayout<Header>.stride + capacity * MemoryLayout<Track>.stride + capacity * valueCount * MemoryLayout<Float>.stride
    }

    /// Starts a tracker with no tracks in `storage` (``storageByteCount(capacity:valueCount:)``
    /// bytes, 16-byte aligned). `matchThreshold`: the IoU a face needs with a track to continue it;
    /// `smoothing` in (0, 1]: the weight of a new value; `maximumMissedFrames`: frames a track
    /// survives unseen.
    public init(initializing storage: UnsafeMutableRawPointer, capacity: Int, valueCount: Int,
                matchThreshold: Float = 0.3, smoothing: Float = 0.3, maximumMissedFrames: Int = 5) {
        header = storage.bindMemory(to: Header.self, capacity: 1)
        header.initialize(to: Header(capacity: capacity, valueCount: valueCount, maximumMissedFrames: maximumMissedFrames, nextID: 1,
                                     trackCount: 0, matchThreshold: matchThreshold, smoothing: smoothing))
    }

    /// The tracker a previous ``init(initializing:capacity:valueCount:matchThreshold:smoothing:maximumMissedFrames:)``
    /// started in `storage`.
    public init(storage: UnsafeMutableRawPointer) { header = storage.assumingMemoryBound(to: Header.self) }

    /// Tracks alive.
    public var trackCount: Int { header.pointee.trackCount }

    var tracks: UnsafeMutablePointer<Track> {
        (UnsafeMutableRawPointer(header) + MemoryLayout<Header>.stride).assumingMemoryBound(to: Track.self)
    }

    /// The values of track `t`.
    func values(_ t: Int) -> UnsafeMutablePointer<Float> {
        let start = UnsafeMutableRawPointer(header) + MemoryLayout<Header>.stride + header.pointee.capacity * MemoryLayout<Track>.stride
        return start.assumingMemoryBound(to: Float.self) + t * header.pointee.valueCount
    }

    /// Associates this frame's `count` faces (`boxes`, with `valueCount` values each at
    /// `values + i * valueCount`) with the tracks, replaces each face's values by its track's
    /// smoothed ones and writes its track id to `ids[i]` (0: untracked).
    public func update(boxes: UnsafePointer<DetectionBox>, count: Int, values faceValues: UnsafeMutablePointer<Float>,
                       ids: UnsafeMutablePointer<Int32>) {
        let settings = header.pointee, tracks = tracks, valueCount = settings.valueCount
        var trackCount = settings.trackCount, nextID = settings.nextID
        // 1. Greedy association; ids[f] holds the matched track's index meanwhile (-1: none).
        for f in 0..<count { ids[f] = -1 }
        for t in 0..<trackCount { tracks[t].matched = false }
        while true {
            var best = settings.matchThreshold, bestFace = -1, bestTrack = -1
            for f in 0..<count where ids[f] < 0 {
                for t in 0..<trackCount where !tracks[t].matched {
                    let overlap = boxes[f].intersectionOverUnion(tracks[t].box)
                    if overlap >= best && (bestFace < 0 || overlap > best) {
                        best = overlap
                        bestFace = f
                        bestTrack = t
                    }
                }
            }
            if bestFace < 0 { break }
            ids[bestFace] = Int32(truncatingIfNeeded: bestTrack)
            tracks[bestTrack].matched = true
        }
        // 2. Matched tracks follow their face; the face takes the smoothed values.
        for f in 0..<count where ids[f] >= 0 {
            let t = Int(truncatingIfNeeded: ids[f])
            tracks[t].box = boxes[f]
            tracks[t].missed = 0
            let smoothed = values(t), face = faceValues + f * valueCount
            for v in 0..<valueCount {
                smoothed[v] = settings.smoothing * face[v] + (1 - settings.smoothing) * smoothed[v]
                face[v] = smoothed[v]
            }
            ids[f] = Int32(truncatingIfNeeded: tracks[t].id)
        }
        // 3. Unseen tracks age; the ones unseen too long go (the last track takes the place).
        var t = 0
        while t < trackCount {
            if !tracks[t].matched {
                tracks[t].missed += 1
                if tracks[t].missed > settings.maximumMissedFrames {
                    trackCount -= 1
                    if t < trackCount {
                        tracks[t] = tracks[trackCount]
                        values(t).update(from: values(trackCount), count: valueCount)
                    }
                    continue
                }
            }
            t += 1
        }
        // 4. New faces start tracks.
        for f in 0..<count where ids[f] < 0 {
            guard trackCount < settings.capacity else {
                ids[f] = 0
                continue
            }
            tracks[trackCount] = Track(box: boxes[f], id: nextID, missed: 0, matched: true)
            values(trackCount).update(from: faceValues + f * valueCount, count: valueCount)
            ids[f] = Int32(truncatingIfNeeded: nextID)
            nextID += 1
            trackCount += 1
        }
        header.pointee.trackCount = trackCount
        header.pointee.nextID = nextID
    }
}
