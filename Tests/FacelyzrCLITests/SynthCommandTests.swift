import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr synth --rendering`: shaded faces are opt-in (docs/synthetic-faces.md "Shaded
/// rendering"); the default writes the drawn faces and manifest as before.
@Suite struct SynthCommandTests {
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func shadedFacesAreOptInAndNamedInTheManifest() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var pictures: [String: Data] = [:]
        for rendering in ["", "drawn", "shaded"] {
            let dest = folder + "/" + (rendering.isEmpty ? "default" : rendering)
            let options = rendering.isEmpty ? [] : ["--rendering", rendering]
            let run = try BuiltExecutable.facelyzr.run(["synth", "--count", "2", dest] + options)
            #expect(run.status == 0, "\(run.error)")
            let manifest = try String(contentsOfFile: dest + "/manifest.json", encoding: .utf8)
            #expect(manifest.contains("\"rendering\" : \"shaded\"") == (rendering == "shaded"), "\(manifest)")
            pictures[rendering] = try Data(contentsOf: URL(fileURLWithPath: dest + "/000000.png"))
        }
        #expect(pictures[""] == pictures["drawn"])
        #expect(pictures[""] != pictures["shaded"])
        let refused = try BuiltExecutable.facelyzr.run(["synth", "--count", "1", folder + "/x", "--rendering", "painted"])
        #expect(refused.status != 0)
    }
}
