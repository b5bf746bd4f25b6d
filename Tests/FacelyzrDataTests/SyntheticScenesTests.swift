import FacelyzrData
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
        #expect(SyntheticScenes.generatorVersion == 1)
        let scene = SyntheticScenes(seed: 0).scene(index: 0)
        #expect(fingerprint(scene.image.pixels) == 4_799_418_030_104_111_422)
        #expect(scene.faces.map(\.box) == [
            SceneBox(x: 135, y: 57, width: 89, height: 89), SceneBox(x: 22, y: 161, width: 66, height: 66),
            SceneBox(x: 196, y: 10, width: 30, height: 30),
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
                #expect(face.labels.gender != nil)
                for other in scene.faces[(i + 1)...] { #expect(b.intersectionArea(other.box) == 0) }
            }
        }
        #expect(counts == [0, 1, 2, 3])
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
