// Built together with the generator's sources (Sources/FacelyzrSynthetic) as Embedded Swift by
// tools/cross-isa/synthetic.sh, so main.c can print fingerprints on each ISA.

/// FNV-1a 64 of face `index` under `seed` rendered at `size` x `size`: the same fingerprint
/// as the golden test `goldenFingerprintsOfThisGeneratorVersion`; `shaded` != 0 for the shaded
/// rendering (ShadedFacesTests `goldenFingerprints`).
@_cdecl("fz_synthetic_fingerprint")
public func syntheticFingerprint(seed: UInt64, index: UInt64, size: Int, shaded: Int) -> UInt64 {
    let faces = SyntheticFaces(seed: seed, size: size, rendering: shaded != 0 ? .shaded : .drawn)
    let pixels = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: size * size * 3)
    defer { pixels.deallocate() }
    faces.render(faces.latents(index: index), into: pixels)
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in pixels {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    return hash
}
