import ArgumentParser
import FacelyzrRunCommands

/// `facelyzr-run-host analyze|detect|stream`: the int8 models on pictures with the host runtime, the
/// host twin of the board runner (tools/embedded/facelyzr-run.c). Built without the quantizer,
/// the trainer and OpenBLAS (tools/run-host-dependencies.sh).
@main
struct RunHost: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facelyzr-run-host",
        abstract: "Run the int8 models on pictures: attributes of faces (analyze), faces in a picture (detect), faces in camera frames (stream).",
        discussion: "The same commands as `facelyzr analyze`, `facelyzr detect`, `facelyzr stream` and `facelyzr version`, in a program that only runs models.",
        subcommands: [Analyze.self, Detect.self, Stream.self, Version.self]
    )

    /// Runs the command line with the exit statuses of `facelyzr` (`runExitingWithStatus`).
    static func main() { runExitingWithStatus() }
}
