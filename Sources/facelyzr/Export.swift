import ArgumentParser
import FacelyzrFiles
import FacelyzrHost
import FacelyzrRunCommands
import Foundation

/// `facelyzr export --format c-array MODEL`: the blob as C source for firmware without a filesystem.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model blob as a C array (16-byte aligned) for firmware images without a filesystem.",
        discussion: """
            The blob is validated first. The output declares `const unsigned char NAME[]` aligned to \
            16 bytes (the runtime reads the blob in place and requires that alignment) and \
            `const size_t NAME_length`; pass them to fz_model_open (docs/boards.md).
            """)

    enum Format: String, ExpressibleByArgument { case cArray = "c-array" }

    @Option(help: "Output format (c-array).")
    var format: Format

    @Argument(help: "The int8 model blob.")
    var model: String

    @Option(help: "C identifier of the array.")
    var name = "facelyzr_blob"

    @Option(help: "Write the C source here (default: standard output).")
    var out: String?

    func validate() throws {
        let identifier = name.utf8
        guard let first = identifier.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
              identifier.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F })
        else { throw ValidationError("--name must be a C identifier") }
    }

    func run() throws {
        let blob: LoadedModel
        do { blob = try LoadedModel(path: model) } catch { throw CommandFailure(description: "\(error)") }
        let source = Self.cArray(Array(blob.bytes), name: name, origin: (model as NSString).lastPathComponent)
        if let out {
            do { try AtomicFileWriter.write(Array(source.utf8), to: out) } catch { throw CommandFailure(description: "\(error)") }
        } else {
            print(source, terminator: "")
        }
    }

    /// C source defining `name` (the bytes, 16-byte aligned) and `name_length`.
    static func cArray(_ bytes: [UInt8], name: String, origin: String) -> String {
        var text = """
            /* \(origin): a Facelyzr model blob, \(bytes.count) bytes (facelyzr export --format c-array). */
            #include <stddef.h>

            _Alignas(16) const unsigned char \(name)[\(bytes.count)] = {

            """
        let hex = Array("0123456789abcdef".utf8)
        for start in stride(from: 0, to: bytes.count, by: 16) {
            var line: [UInt8] = Array("   ".utf8)
            for byte in bytes[start..<min(start + 16, bytes.count)] {
                line += [0x20, 0x30, 0x78, hex[Int(byte >> 4)], hex[Int(byte & 15)], 0x2C]  // " 0xNN,"
            }
            text += String(decoding: line, as: UTF8.self) + "\n"
        }
        text += "};\nconst size_t \(name)_length = \(bytes.count);\n"
        return text
    }
}
