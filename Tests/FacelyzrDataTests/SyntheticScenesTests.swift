import FacelyzrData
import FacelyzrImaging
import FacelyzrRandom
import FacelyzrSynthetic
import Testing

@Suite struct SyntheticScenesTests {
    let scenes = SyntheticScenes(seed: 3)

    @Test func sameSeedAndIndexSameScene() {
        #expect(scenes.scene(index: 17) == scenes.scene(index: 17))
        #expect(scenes.scene(index: 17).image != scenes.scene(index: 18).image)
        #expect(SyntheticScenes(seed: 4).scene(index: 17).image != scenes.scene(index: 17).image)
    }

    @Test func goldenFingerprintOfThisGeneratorVersion() {
        // Changes only with SyntheticScenes.generatorVersion (or the face generator's version).
        // Version 2: boxes are face squares with the generator picture drawn around them.
        #expect(SyntheticScenes.generatorVersion == 2)
        let scene = SyntheticScenes(seed: 0).scene(index: 0)
        #expect(fingerprint(scene.image.pixels) == 12_111_676_982_710_072_389)
        #expect(scene.faces.map(\.box) == [
            SceneBox(x: 135, y: 57, width: 89, height: 89), SceneBox(x: 22, y: 161, width: 66, height: 66),
            SceneBox(x: 11, y: 7, width: 81, height: 81),
        ])
    }

    @Test func facesFitTheSceneAndDoNotOverlap() {
        var counts = Set<Int>()
        for index in UInt64(0)..<40 {
            let scene = scenes.scene(index: index)
            #expect(scene.image.width == 320 && scene.image.height == 240 && scene.image.channels == 3)
            counts.insert(scene.faces.count)
            for (i, face) in scene.faces.enumerated() {
                let b = face.box
                #expect(b.width == b.height && (28...96).contains(b.width))
                #expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= 320 && b.y + b.height <= 240)
                #expect(face.picture == SyntheticScenes.picture(ofFace: b))
                #expect(face.labels.gender != nil)
                for (j, other) in scene.faces.enumerated() where j != i {
                    #expect(b.intersectionArea(other.picture) == 0, "a face under another face's picture")
                }
            }
        }
        #expect(counts == [0, 1, 2, 3])
    }

    /// The face square is the face, forehead to chin, inside the generator picture of side s:
    /// 0.57 s, centred at (0.5 s, 0.44 s); and the two directions of `FaceFraming` undo each other.
    @Test func faceSquareAndPictureAreInverse() {
        let face = FaceFraming.face(ofPicture: 10, 20, side: 100)
        #expect(abs(face.side - 57) < 1e-4 && abs(face.x + face.side / 2 - 60) < 1e-4 && abs(face.y + face.side / 2 - 64) < 1e-4)
        let back = FaceFraming.picture(ofFace: face.x, face.y, side: face.side)
        #expect(abs(back.x - 10) < 1e-4 && abs(back.y - 20) < 1e-4 && abs(back.side - 100) < 1e-4)
        // A 57-pixel face box at (100, 50), centre (128.5, 78.5), is described through the 100-pixel
        // picture at (78.5, 34.5), 6 pixels lower than centred, rounded half away from zero.
        #expect(FaceFraming.describeSquare(faceX: 100, faceY: 50, faceSide: 57, frameWidth: 320, frameHeight: 240)
                    == (79, 35, 100, 100))
        // Larger than the frame: shrunk to it and moved inside.
        #expect(FaceFraming.describeSquare(faceX: 10, faceY: 5, faceSide: 57, frameWidth: 80, frameHeight: 60)
                    == (0, 0, 80, 60))
    }

    /// What `analyze --detect` and the C API crop for a scene's true face box is the generator
    /// picture the scene drew there, within rounding: its pixels are the picture's (up to the
    /// scene's noise), and a crop a few pixels off is not.
    @Test func describeCropOfATrueFaceBoxIsTheGeneratorPicture() {
        var checked = 0
        for index in UInt64(0)..<30 {
            let scene = scenes.scene(index: index)
            for face in scene.faces {
                let b = face.box
                let square = FaceFraming.describeSquare(faceX: Float(b.x), faceY: Float(b.y), faceSide: Float(b.width),
                                                        frameWidth: 320, frameHeight: 240)
                let p = face.picture
                guard p.x >= 0, p.y >= 0, p.x + p.width <= 320, p.y + p.height <= 240 else {
                    // Past the scene's edge the crop is the picture moved inside the frame.
                    #expect(square.width == min(p.width, 240) && square.x >= 0 && square.y >= 0
                                && square.x + square.width <= 320 && square.y + square.height <= 240)
                    continue
                }
                #expect(abs(square.x - p.x) <= 1 && abs(square.y - p.y) <= 1 && abs(square.width - p.width) <= 1)
                let generator = SyntheticFaces(seed: SplitMix64.mix(3 ^ 0xFACE), size: p.width)
                let drawn = (UInt64(0)..<4).lazy.map { generator.sample(index: index &* 4 &+ $0) }.first { $0.labels == face.labels }!.image
                func difference(dx: Int, dy: Int) -> Float {  // mean |scene - picture| inside the paste's opaque ellipse
                    var sum = 0, count = 0
                    let size = Float(p.width)
                    for y in 0..<p.height {
                        for x in 0..<p.width {
                            let u = (Float(x) + 0.5 - size / 2) / (0.42 * size), v = (Float(y) + 0.5 - size / 2) / (0.5 * size)
                            guard u * u + v * v < 0.8, (0..<320).contains(square.x + x + dx), (0..<240).contains(square.y + y + dy)
                            else { continue }
                            let s = ((square.y + y + dy) * 320 + square.x + x + dx) * 3, d = (y * p.width + x) * 3
                            for c in 0..<3 { sum += abs(Int(scene.image.pixels[s + c]) - Int(drawn.pixels[d + c])) }
                            count += 3
                        }
                    }
                    return Float(sum) / Float(count)
                }
                let here = difference(dx: 0, dy: 0)
                #expect(here < 8, "mean difference \(here) between the describe crop and the picture")
                #expect(difference(dx: 0, dy: 4) > here + 2 && difference(dx: 4, dy: 0) > here + 2)
                checked += 1
            }
        }
        #expect(checked >= 10)
    }

    @Test func patchesAreHalfFacesOfTheRightSize() {
        let sampler = ScenePatches(seed: 1, size: 24)
        let patches = sampler.patches(split: .train, scene: 5)
        #expect(patches.count == ScenePatches.perScene)
        #expect(patches.filter { $0.isFace == true }.count == ScenePatches.perScene / 2)
        #expect(patches.allSatisfy { $0.image.width == 24 && $0.image.height == 24 && $0.image.channels == 1 && $0.split == .train })
        #expect(Set(patches.map(\.sourceID)).count == patches.count)
        #expect(sampler.patches(split: .train, scene: 5) == patches)
        #expect(sampler.patches(split: .test, scene: 5) != patches)
    }

    @Test func intersectionOverUnion() {
        let a = SceneBox(x: 0, y: 0, width: 10, height: 10)
        #expect(a.intersectionOverUnion(a) == 1)
        #expect(a.intersectionOverUnion(SceneBox(x: 5, y: 0, width: 10, height: 10)) == Float(50) / 150)
        #expect(a.intersectionOverUnion(SceneBox(x: 10, y: 10, width: 5, height: 5)) == 0)
    }
}
