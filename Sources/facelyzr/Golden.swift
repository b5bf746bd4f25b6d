import ArgumentParser
import FacelyzrBlobBuilder
import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRunCommands
import Foundation

/// `facelyzr golden --model BLOB --out DIR`: the golden set of a shipped model.
struct Golden: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a golden set: held-out synthetic faces as raw bytes, their labels and a blob's int32 outputs.",
        discussion: """
            Takes the first --count faces of the synthetic generator's test split at the model's \
            input size and writes DIR/inputs.raw, labels.tsv, outputs.i32 and golden.json (sizes and \
            SHA-256 of each file and of the blob). The regression tests read the committed bytes; \
            they never regenerate them. See firmware-model/README.md.
            """)

    @Option(help: "The int8 model blob.")
    var model: String

    @Option(help: "Faces (the first N of the test split).")
    var count = 512

    @Option(help: "Population seed of the synthetic faces.")
    var syntheticSeed: UInt64 = 0

    @Option(help: "Directory to write.")
    var out: String

    func validate() throws {
        try requireOption("--count", count, in: 1...10_000, "in 1...10000 (faces; their inputs and outputs are kept in memory and written as one file each)")
    }

    func run() throws {
        let blob = try openModel(model).model
        do {
            let source = SyntheticFaceSource(seed: syntheticSeed, size: blob.input.height)
            let set = try GoldenSet.make(blob: blob, source: source, count: count)
            try set.write(to: out)
            print("wrote \(count) golden faces to \(out): inputs SHA-256 \(set.manifest.inputsSHA256), outputs SHA-256 \(set.manifest.outputsSHA256)")
        } catch {
            throw CommandFailure(description: "\(error)")
        }
    }
}
