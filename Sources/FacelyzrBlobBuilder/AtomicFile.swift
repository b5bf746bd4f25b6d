import Foundation

/// Writes files so a reader never sees a partial one: a temporary file in the same folder,
/// fsync, rename over the destination, fsync of the folder.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var code: Int32
        public var description: String { "\(path): \(operation) failed: \(String(cString: strerror(code)))" }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder.isEmpty ? "." : folder) + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(path: temporary, operation: "open", code: errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw WriteError(path: temporary, operation: "write", code: code)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            unlink(temporary)
            throw WriteError(path: temporary, operation: "fsync", code: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw WriteError(path: path, operation: "rename", code: code)
        }
        let folderFD = open(folder.isEmpty ? "." : folder, O_RDONLY)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }
}
