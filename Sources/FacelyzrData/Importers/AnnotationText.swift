import FacelyzrFiles
import Foundation

/// Reading the plain-text annotation files that come with the datasets.
enum AnnotationText {
    /// The lines of a text file, without their ends (LF or CRLF; a final empty line dropped);
    /// nil for a line that is not valid UTF-8, so the caller can report it by its number.
    /// Split on bytes: in a Swift string "\r\n" is one character, which a split on "\n" misses.
    static func lines(of path: String) throws(ImportError) -> [Substring?] {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(file: path) }
        let bytes: [UInt8]
        do {
            bytes = try ReadOnlyFile.readAll(path: path)
        } catch {
            throw .malformedAnnotations(file: path, line: 0, reason: error.reason)
        }
        var rows = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if rows.last?.isEmpty == true { rows.removeLast() }
        return rows.map { row in
            String(validating: row.last == 0x0D ? row.dropLast() : row, as: UTF8.self).map { Substring($0) }
        }
    }

    /// The detail of a skipped line that is not valid UTF-8.
    static let notUTF8 = "not valid UTF-8"

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
