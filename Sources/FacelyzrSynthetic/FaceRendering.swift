/// Renders the face described by `latents` as `size` x `size` RGB bytes into `pixels`: places
/// face space (roll, scale, translation), paints, blurs, adds sensor noise and rounds.
/// Its target depends on FacelyzrRandom only, so tools/cross-isa/synthetic.sh builds it as
/// Embedded Swift for other ISAs.
func renderFace(_ latents: SyntheticFaceLatents, size: Int, into pixels: UnsafeMutableBufferPointer<UInt8>) {
    precondition(pixels.count == size * size * 3, "pixels must hold size * size * 3 bytes")
    let s = Float(size)
    let roll = latents.rollDegrees * DeterministicMath.pi / 180
    let frame = FaceFrame(centerX: s / 2 + latents.translationX * s / 64,
                          centerY: s * 0.47 + latents.translationY * s / 64,
                          pixelsPerUnit: s * 0.26 * latents.scale,
                          cosRoll: DeterministicMath.cos(roll), sinRoll: DeterministicMath.sin(roll))
    var canvas = FaceCanvas(size: size, frame: frame, key: latents.textureKey)
    var painter = FacePainter(latents)
    painter.paint(on: &canvas)
    if latents.blur > 0 { canvas.blur(amount: latents.blur) }
    canvas.quantize(noiseSD: latents.noiseSD, into: pixels)
}
