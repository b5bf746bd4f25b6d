import Foundation
import Testing
@testable import FacelyzrTrainer

/// `facelyzr train` as a user runs it: the executable `swift build --build-tests` builds beside
/// the test bundle.
@Suite struct TrainCommandTests {
    static let executable: String = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("facelyzr").path) {
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("facelyzr").path
    }()

    static func facelyzr(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let tinyArchitecture = Architecture(
        inputHeight: 16, inputWidth: 16, inputChannels: 3,
        encoder: [.conv2d(4), .maxPool2x2, .conv2d(8, stride: 2), .globalAveragePool],
        heads: [
            HeadSpec(name: "gender", task: .binary, hidden: [], labels: ["male"]),
            HeadSpec(name: "age", task: .regression, hidden: [], labels: ["age"], outputScale: 20, outputOffset: 35),
            HeadSpec(name: "attributes", task: .binary, hidden: [], labels: ["Smiling", "Eyeglasses"]),
        ])

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: TrainCommandTests.executable)))
    func trainWritesAFinishedCheckpointAndRefusesToResumeOnOtherData() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try JSONEncoder().encode(Self.tinyArchitecture).write(to: URL(fileURLWithPath: folder + "/tiny.json"))
        let checkpoint = folder + "/tiny.safetensors"
        let common = ["train", "--architecture", folder + "/tiny.json", "--output", checkpoint, "--train-count", "64",
                      "--batch-size", "8", "--pretrain-steps", "2", "--steps", "4"]
        let run = try Self.facelyzr(common + ["--test-count", "16", "--checkpoint-every", "3", "--log-every", "2"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("step 8  supervised step 4"))
        #expect(run.output.contains("test gender: accuracy") && run.output.contains("over 16 labels"))
        let saved = try Checkpoint.read(from: checkpoint)
        #expect(saved.metadata.phase == .finished && saved.metadata.totalSteps == 2 * 2 + 4)
        #expect(saved.metadata.architecture == Self.tinyArchitecture)
        #expect(saved.metadata.dataProvenance.contains("train split, faces 0..<64"))

        let other = try Self.facelyzr(["train", "--resume", checkpoint, "--output", checkpoint, "--train-count", "64", "--data-seed", "9"])
        #expect(other.status != 0 && other.output.contains("was trained on"))

        try Data("{\"inputHeight\": 16}".utf8).write(to: URL(fileURLWithPath: folder + "/broken.json"))
        let broken = try Self.facelyzr(["train", "--architecture", folder + "/broken.json", "--output", checkpoint])
        #expect(broken.status != 0 && broken.output.contains("broken.json: not an architecture"))
    }
}
