import ArgumentParser
import FacelyzrBlobBuilder
import FacelyzrHost
import FacelyzrRuntime
import Foundation

/// `facelyzr inspect BLOB`: what a model blob holds, after full validation.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a model blob and show its header, sections, ops, kernel plan and heads.",
        discussion: """
            Opens BLOB with the runtime's validator (the same checks as on the board), then prints \
            the header and checksums, the sections, each op with its shapes, multiply-accumulates \
            and parameters, the arena size, the kernel plan on this machine (the kernel variant \
            each op runs over packed weights, and the CPU features that decided it; \
            docs/kernels.md) and the heads. Exits with status 1 and the validation error (what \
            is wrong and at which offset) if the blob does not open.
            """)

    @Argument(help: "The model blob (docs/blob-format.md).")
    var blob: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    /// A blob that cannot be read or opened (exit status 1, no usage text).
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func run() throws {
        let loaded: LoadedModel
        do {
            loaded = try LoadedModel(path: blob)
        } catch {
            throw Failure(description: "\(error)")
        }
        let report = BlobInspection(loaded.model)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
    }
}
