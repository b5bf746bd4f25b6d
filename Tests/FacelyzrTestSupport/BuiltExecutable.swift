import Foundation

/// An executable product of this package, run in a child process as a user or CI job runs it.
/// `swift build --build-tests` builds every product into the directory of the test binary, so
/// that is where executables are looked up.
public struct BuiltExecutable: Sendable {
    /// The build products directory: the one holding the running test binary.
    public static let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    /// The `facelyzr` command line.
    public static let facelyzr = BuiltExecutable("facelyzr")

    /// `facelyzr-run-host`, the run-only twin of the board runner.
    public static let runHost = BuiltExecutable("facelyzr-run-host")

    /// Where the executable (or library) is.
    public let url: URL

    /// The product `name` in ``directory``.
    public init(_ name: String) { url = Self.directory.appendingPathComponent(name) }

    /// Whether the product has been built (tests that need it are enabled only then).
    public var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: url.path) }

    /// How a run ended and what it printed.
    public struct Run: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output.
        public var output: String
        /// Standard error.
        public var error: String
        /// Standard output, then standard error: for messages and for text that may be on either.
        public var all: String { output + error }
    }

    /// Runs the executable with `arguments`, the test's environment plus `environment`, and
    /// waits for it to exit.
    public func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Standard error goes to a file so that neither stream can fill its pipe while the
        // other is being read.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("facelyzr-stderr-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errorFile.path])
        }
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        defer { try? errorHandle.close() }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                   error: String(decoding: try Data(contentsOf: errorFile), as: UTF8.self))
    }
}
