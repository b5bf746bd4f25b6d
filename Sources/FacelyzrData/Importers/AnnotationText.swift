import FacelyzrFiles
import Foundation

/// Reading the plain-text annotation files that come with the datasets.
enum AnnotationText {
    /// The lines of a text file (without line ends; a final empty line dropped).
    static func lines(of path: String) throws(ImportError) -> [Substring] {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(file: path) }
        let bytes: [UInt8]
        do {
            bytes = try ReadOnlyFile.readAll(path: path)
        } catch {
            throw .malformedAnnotations(file: path, line: 0, reason: error.reason)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// Fields separated by runs of spaces or tabs (CelebA pads its columns with repeated spaces).
    static func whitespaceFields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    /// The fields of one CSV line (RFC 4180 quoting, no line breaks inside fields); nil if a
    /// quote is not closed.
    static func csvFields(_ line: Substring) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if quoted {
                if character == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex && line[next] == "\"" {
                        field.append("\"")
                        index = next
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
            index = line.index(after: index)
        }
        if quoted { return nil }
        fields.append(field)
        return fields
    }
}
