import ArgumentParser
import FacelyzrData
import FacelyzrFiles
import FacelyzrRunCommands
import FacelyzrSynthetic
import Foundation

/// `facelyzr synth`: writes synthetic faces as PNG files with a manifest, a contact sheet, or
/// measures the generator's speed.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate synthetic faces (PNG files and a manifest of their labels).",
        discussion: """
            Face i of the chosen split is generator index split-start + i; the same seed, \
            index, size and generator version always give the same bytes. Writes \
            DEST/NNNNNN.png, DEST/manifest.csv (one row per face: file, index, gender \
            1 = male / 0 = female, age in years, then the CelebA attributes the generator \
            draws, 1/0) and DEST/manifest.json (generator version, seed, size, split, \
            configuration); with --dataset, the Facelyzr dataset file instead \
            (DEST/samples.fzds and DEST/manifest.json, docs/data.md). See \
            docs/synthetic-faces.md.
            """
    )

    @Option(help: "How many faces.")
    var count = 64

    /// The largest face side: a face is rendered whole in memory, so 4096 keeps one face at
    /// 48 MiB of pixels on a board of 1 GB; the networks read 64x64 (docs/limits.md).
    static let maxSize = 4096

    @Option(help: "Width and height of the faces, in pixels (8...4096).")
    var size = 64

    @Option(help: "Population seed.")
    var seed: UInt64 = 0

    @Option(help: "Index range to draw from: test (0...), calibration (1,000,000...) or train (2,000,000...).")
    var split: SplitArgument = .test

    @Flag(help: "Use the domain-shift setting (other lighting, backgrounds and noise).")
    var shifted = false

    @Option(help: "drawn (the painted faces, default) or shaded (the same faces as lit 3D surfaces in random pose and light, docs/synthetic-faces.md \"Shaded rendering\").")
    var rendering: RenderingArgument = .drawn

    @Flag(help: "Write DEST as a Facelyzr dataset (samples.fzds, manifest.json) instead of PNG files.")
    var dataset = false

    @Option(help: "Also write a labelled contact sheet of the first (up to 64) faces to this PNG file.")
    var sheet: String?

    @Flag(help: "Only measure faces generated per second on one core (build with -c release); writes nothing.")
    var benchmark = false

    @Argument(help: "Directory to write the faces and the manifest into (created if missing).")
    var destination: String?

    enum SplitArgument: String, ExpressibleByArgument, CaseIterable {
        case test, calibration, train
        var split: Split { Split.allCases.first { $0.name == rawValue }! }
    }

    enum RenderingArgument: String, ExpressibleByArgument, CaseIterable {
        case drawn, shaded
        var rendering: SyntheticFaceRendering { self == .drawn ? .drawn : .shaded }
    }

    /// The generator's name in manifests and sample IDs: `v2`, or `v2-shaded` for shaded faces.
    private var generatorTag: String {
        "v\(SyntheticFaces.generatorVersion)" + (rendering == .shaded ? "-shaded" : "")
    }

    func validate() throws {
        try requireOption("--count", count, in: 1...Int(clamping: split.split.syntheticCount),
                          "in 1...\(split.split.syntheticCount) (faces of the \(split.rawValue) split)")
        try requireOption("--size", size, in: 8...Self.maxSize,
                          "in 8...\(Self.maxSize) (a face is rendered whole in memory, 3 bytes a pixel: 48 MiB at the limit)")
        guard benchmark || destination != nil || sheet != nil else {
            throw ValidationError("give a destination directory, --sheet FILE, or --benchmark")
        }
        guard !dataset || destination != nil else { throw ValidationError("--dataset needs a destination directory") }
    }

    func run() throws {
        let faces = SyntheticFaces(configuration: shifted ? .shifted : SyntheticFaceConfiguration(), seed: seed, size: size,
                                   rendering: rendering.rendering)
        if benchmark {
            runBenchmark(faces)
            return
        }
        let split = split.split
        if let destination, dataset {
            try writeDataset(faces, split: split, to: destination)
        } else if let destination {
            do {
                try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
            } catch {
                throw CannotCreateDirectory(path: destination, reason: (error as NSError).localizedDescription)
            }
            var csv = "file,index,gender,age," + SyntheticFaces.labelledAttributes.map(\.name).joined(separator: ",") + "\n"
            for i in 0..<count {
                let index = split.syntheticIndex(UInt64(i))
                let (image, labels) = faces.sample(index: index)
                let file = String(format: "%06d.png", i)
                try image.write(png: destination + "/" + file)
                let values = SyntheticFaces.labelledAttributes.map { labels.attributes[$0] == true ? "1" : "0" }
                csv += "\(file),\(index),\(labels.gender!),\(String(format: "%.3f", labels.age!)),"
                    + values.joined(separator: ",") + "\n"
            }
            try AtomicFileWriter.write(Array(csv.utf8), to: destination + "/manifest.csv")
            let manifest = Manifest(generator: "facelyzr-synthetic-faces", generatorVersion: SyntheticFaces.generatorVersion,
                                    seed: seed, size: size, count: count, split: split.name,
                                    firstIndex: split.syntheticStart, configuration: shifted ? "shifted" : "default",
                                    rendering: rendering == .shaded ? "shaded" : nil, labels: "manifest.csv", labelConvention: "gender 1 = male, 0 = female; age in years")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFileWriter.write(Array(try encoder.encode(manifest)), to: destination + "/manifest.json")
            print("wrote \(count) faces, manifest.csv and manifest.json to \(destination) "
                + "(generator version \(SyntheticFaces.generatorVersion)\(rendering == .shaded ? ", shaded" : ""), seed \(seed))")
        }
        if let sheet {
            let shown = (0..<min(count, 64)).map { faces.sample(index: split.syntheticIndex(UInt64($0))) }
            let composed = ContactSheet(columns: 8, zoom: max(1, 128 / size), captionLines: 2)
                .compose(shown.map(\.image), captions: shown.map(\.labels.captionLines))
            try composed.write(png: sheet)
            print("wrote a contact sheet of \(shown.count) faces to \(sheet)")
        }
    }

    /// Writes the faces as a Facelyzr dataset; each sample's source ID names the generator
    /// version (and the shaded rendering), seed and index, e.g. `synthetic/v2/seed0/index12`,
    /// `synthetic/v2-shaded/seed0/index12`.
    private func writeDataset(_ faces: SyntheticFaces, split: Split, to destination: String) throws {
        let format = DatasetFormat(width: size, height: size, channels: 3)
        let writer = try DatasetWriter(directory: destination, format: format, source: "synthetic")
        for i in 0..<count {
            let index = split.syntheticIndex(UInt64(i))
            let (image, labels) = faces.sample(index: index)
            let id = "synthetic/\(generatorTag)/seed\(seed)/index\(index)"
            try writer.append(FaceSample(image: image, labels: labels, split: split, sourceID: id))
        }
        _ = try writer.finish()
        print("wrote a dataset of \(count) synthetic faces to \(destination) "
            + "(generator version \(SyntheticFaces.generatorVersion)\(rendering == .shaded ? ", shaded" : ""), seed \(seed))")
    }

    struct CannotCreateDirectory: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): cannot create the directory: \(reason)" }
    }

    struct Manifest: Encodable {
        var generator: String
        var generatorVersion: Int
        var seed: UInt64
        var size: Int
        var count: Int
        var split: String
        var firstIndex: UInt64
        var configuration: String
        /// "shaded" for shaded faces; absent for drawn ones (as before the option).
        var rendering: String?
        var labels: String
        var labelConvention: String
    }

    /// Renders `count` faces of the train split into one buffer and prints faces per second of
    /// wall time and of this thread's CPU time (the second is what one unshared core gives).
    private func runBenchmark(_ faces: SyntheticFaces) {
        var buffer = [UInt8](repeating: 0, count: size * size * 3)
        var checksum: UInt64 = 0
        let clock = ContinuousClock()
        let cpuStart = ThreadCPUTime.seconds()
        let elapsed = clock.measure {
            buffer.withUnsafeMutableBufferPointer { pixels in
                for i in 0..<count {
                    faces.render(index: Split.train.syntheticIndex(UInt64(i)), into: pixels)
                    checksum &+= UInt64(pixels[i % pixels.count])
                }
            }
        }
        let cpu = ThreadCPUTime.seconds() - cpuStart
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        print(String(format: "%d faces of %dx%d on one thread: %.0f faces/s of CPU time (%.3f s), "
                     + "%.0f faces/s of wall time (%.3f s); checksum %llu",
                     count, size, size, Double(count) / cpu, cpu, Double(count) / wall, wall, checksum))
    }
}
