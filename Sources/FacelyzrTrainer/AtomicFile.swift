import Foundation

/// Why a file could not be written.
public struct FileWriteError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var reason: String

    public var description: String { "\(file): cannot write: \(reason)" }
}

/// Writes `bytes` to `path` atomically: into a temporary file in the same folder, flushed with
/// fsync, then renamed over `path` (and the folder fsynced), so a reader sees the old file or
/// the complete new one, never a partial one.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws(FileWriteError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())"
    func failure(_ what: String) -> FileWriteError {
        FileWriteError(file: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw failure("open \(temporary)") }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
        if n < 0 {
            if errno == EINTR { continue }
            let error = failure("write")
            close(fd)
            unlink(temporary)
            throw error
        }
        written += n
    }
    guard fsync(fd) == 0 else {
        let error = failure("fsync")
        close(fd)
        unlink(temporary)
        throw error
    }
    close(fd)
    guard rename(temporary, path) == 0 else {
        let error = failure("rename")
        unlink(temporary)
        throw error
    }
    let folderFD = open(folder, O_RDONLY)
    if folderFD >= 0 {
        fsync(folderFD)
        close(folderFD)
    }
}
