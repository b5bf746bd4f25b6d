// Writes the random-weight fixture blobs and pixel inputs that the cross-ISA check
// (tools/embedded/check.sh) and the allocation tests run:
//
//     facelyzr-embedded-fixtures DIR
//
// DIR/<name>.fzb for each of SampleModels.all, and DIR/<name>/input-NN.raw, 10 inputs of the
// model's input size. Deterministic: the same bytes on every run.
import FacelyzrBlobBuilder
import FacelyzrFiles
import FacelyzrHost
import Foundation

let inputsPerModel = 10

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: facelyzr-embedded-fixtures DIR\n".utf8))
    exit(1)
}
let directory = CommandLine.arguments[1]
do {
    for (name, build) in SampleModels.all {
        let (bytes, _) = build().build()
        // A fixture the runtime rejects would make every later comparison meaningless.
        let loaded = try LoadedModel(bytes: bytes)
        let input = loaded.input
        let summary = "\(loaded.model.opCount) ops, \(loaded.model.outputCount) outputs, arena \(loaded.model.arenaByteCount) bytes"
        try FileManager.default.createDirectory(atPath: "\(directory)/\(name)", withIntermediateDirectories: true)
        try AtomicFileWriter.write(bytes, to: "\(directory)/\(name).fzb")
        for index in 0..<inputsPerModel {
            let path = "\(directory)/\(name)/input-\(index < 10 ? "0" : "")\(index).raw"
            try AtomicFileWriter.write(SampleModels.pixels(input.byteCount, index: index), to: path)
        }
        print("\(name).fzb: \(bytes.count) bytes, input \(input.height)x\(input.width)x\(input.channels), \(summary)")
    }
} catch {
    FileHandle.standardError.write(Data("facelyzr-embedded-fixtures: \(error)\n".utf8))
    exit(1)
}
