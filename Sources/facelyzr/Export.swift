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
        if let problem = Self.identifierProblem(name) { throw ValidationError("--name '\(name)': \(problem)") }
        if let out { try DistinctPaths.requireDistinct(input: model, output: out) }
    }

    /// Keywords of C11, C17 and C23 (and C23's predefined constants): none can name an array.
    static let cKeywords: Set<String> = [
        "alignas", "alignof", "auto", "bool", "break", "case", "char", "const", "constexpr", "continue",
        "default", "do", "double", "else", "enum", "extern", "false", "float", "for", "goto", "if", "inline",
        "int", "long", "nullptr", "register", "restrict", "return", "short", "signed", "sizeof", "static",
        "static_assert", "struct", "switch", "thread_local", "true", "typedef", "typeof", "typeof_unqual",
        "union", "unsigned", "void", "volatile", "while",
        "_Alignas", "_Alignof", "_Atomic", "_BitInt", "_Bool", "_Complex", "_Decimal128", "_Decimal32",
        "_Decimal64", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
    ]

    /// What the output's `#include <stddef.h>` defines: the array cannot take these names either.
    static let stddefNames: Set<String> = ["size_t", "ptrdiff_t", "wchar_t", "max_align_t", "nullptr_t", "NULL", "offsetof", "unreachable"]

    /// Why `name` cannot name the array (and `name_length`) in the C output, or nil: it must be
    /// an identifier (ASCII letters, digits, `_`, not starting with a digit), not a keyword,
    /// not a name `<stddef.h>` defines, and not reserved to the implementation (`__x`, `_X`).
    static func identifierProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F }
        guard let first = bytes.first, isLetter(first), bytes.allSatisfy({ isLetter($0) || (0x30...0x39).contains($0) }) else {
            return "not a C identifier (ASCII letters, digits and _, not starting with a digit)"
        }
        if cKeywords.contains(name) { return "a C keyword" }
        if stddefNames.contains(name) { return "defined by <stddef.h>, which the output includes" }
        if first == 0x5F, bytes.count > 1, bytes[1] == 0x5F || (0x41...0x5A).contains(bytes[1]) {
            return "reserved to the C implementation (starts with __ or _ and a capital letter)"
        }
        return nil
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
