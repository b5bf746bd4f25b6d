/// The project's one framing convention (docs/detection.md "Framing"): a detector box frames the
/// **face** (forehead to chin, as OpenCV's cascades and the LFW crops do), while the attribute
/// model reads the face generator's **picture** (face, hair, neck and shoulders). The face square
/// of a generator picture of side `s` has side ``faceSide`` `* s` and its centre at
/// (``centreX`` `* s`, ``centreY`` `* s`); from the generator's constants (Sources/FacelyzrSynthetic:
/// face space centred at `(0.5 s, 0.47 s)`, `0.26 s` pixels per unit, skin outline from 1.22
/// units above the centre to the chin about 1.0 below) forehead to chin is `2.2 * 0.26 s = 0.57 s`,
/// centred `0.11` units above the centre: `0.47 s - 0.11 * 0.26 s = 0.44 s`.
///
/// ``face(ofPicture:_:side:)`` and its inverse ``picture(ofFace:_:side:)`` are the two
/// directions; the synthetic scenes place faces with the second, and `facelyzr analyze --detect`,
/// `facelyzr stream`, the C API's `fz_face_input` and `fz_detect_describe` crop a detected face
/// with ``describeSquare(faceX:faceY:faceSide:frameWidth:frameHeight:)``. The Python tools take
/// the same three constants (tools/detection/scenes.py). Embedded-safe: arithmetic only.
public enum FaceFraming {
    /// The face square's side as a fraction of the generator picture's side.
    public static let faceSide: Float = 0.57
    /// The face square's centre, across the generator picture, as a fraction of its side.
    public static let centreX: Float = 0.5
    /// The face square's centre, down the generator picture, as a fraction of its side.
    public static let centreY: Float = 0.44

    /// The face square (left, top, side) of a generator picture at (`x`, `y`) of side `side`.
    @inlinable
    public static func face(ofPicture x: Float, _ y: Float, side: Float) -> (x: Float, y: Float, side: Float) {
        let face = faceSide * side
        return (x + centreX * side - face / 2, y + centreY * side - face / 2, face)
    }

    /// The generator picture (left, top, side) whose face square is at (`x`, `y`) of side `side`:
    /// the face square enlarged by `1 / faceSide` about a point `(0.5 - centreY) / faceSide` of
    /// its side below its centre. The inverse of ``face(ofPicture:_:side:)``.
    @inlinable
    public static func picture(ofFace x: Float, _ y: Float, side: Float) -> (x: Float, y: Float, side: Float) {
        let picture = side / faceSide
        return (x + side / 2 - centreX * picture, y + side / 2 - centreY * picture, picture)
    }

    /// The square of a `frameWidth` x `frameHeight` frame that the attribute model reads for a
    /// detected face square at (`faceX`, `faceY`) of side `faceSide`: its picture
    /// (``picture(ofFace:_:side:)``) rounded to whole pixels (side at least 1), shrunk to the
    /// frame where it is larger and moved inside it. Width and height differ only when the
    /// picture is larger than the frame; the crop then takes their centred square.
    @inlinable
    public static func describeSquare(faceX: Float, faceY: Float, faceSide: Float,
                                      frameWidth: Int, frameHeight: Int) -> (x: Int, y: Int, width: Int, height: Int) {
        let p = picture(ofFace: faceX, faceY, side: faceSide)
        let side = max(1, Int(p.side.rounded()))
        let x = min(max(0, Int(p.x.rounded())), max(0, frameWidth - side))
        let y = min(max(0, Int(p.y.rounded())), max(0, frameHeight - side))
        return (x, y, min(side, frameWidth), min(side, frameHeight))
    }
}
