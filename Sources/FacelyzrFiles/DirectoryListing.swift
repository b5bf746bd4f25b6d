#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of a directory as the file system stores their names: bytes, which need not be
/// UTF-8 (Foundation's listing would turn such a name into another, with U+FFFD, that names
/// no file).
public enum DirectoryListing {
    /// One entry's name: the string when its bytes are valid UTF-8, else nil, and a readable
    /// form (invalid bytes replaced by U+FFFD) for reports.
    public struct Entry: Sendable {
        public var name: String?
        public var readableName: String
    }

    /// Every entry but `.` and `..`, sorted by readable name.
    public static func entries(of path: String) throws(FileError) -> [Entry] {
        guard let directory = opendir(path) else { throw .errno(path, "cannot list the directory") }
        defer { closedir(directory) }
        var entries: [Entry] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: &entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            entries.append(Entry(name: String(validating: bytes, as: UTF8.self), readableName: String(decoding: bytes, as: UTF8.self)))
        }
        return entries.sorted { $0.readableName < $1.readableName }
    }
}
