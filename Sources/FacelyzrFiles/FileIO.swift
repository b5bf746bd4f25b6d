#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file operation that failed: which file, and the system's reason.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }

    static func errno(_ path: String, _ action: String) -> FileError {
        FileError(path: path, reason: "\(action): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// A file opened for reading at arbitrary offsets (`pread`), shareable across threads.
public final class ReadOnlyFile: @unchecked Sendable {
    public let path: String
    /// The size of the file when it was opened.
    public let byteCount: Int
    private let descriptor: Int32

    public init(path: String) throws(FileError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { throw .errno(path, "cannot open") }
        var status = stat()
        if fstat(descriptor, &status) != 0 {
            let error = FileError.errno(path, "cannot stat")
            close(descriptor)
            throw error
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw FileError(path: path, reason: "is a directory")
        }
        self.path = path
        self.descriptor = descriptor
        self.byteCount = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// Reads exactly `count` bytes at `offset` into `buffer`; returns how many were there
    /// (fewer only at the end of the file).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(FileError) -> Int {
        var done = 0
        while done < buffer.count {
            let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if got < 0 {
                if Glibc.errno == EINTR { continue }
                throw .errno(path, "cannot read at offset \(offset + done)")
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file).
    public func read(count: Int, at offset: Int) throws(FileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { buffer in
            Result { () throws(FileError) -> Int in try read(into: buffer, at: offset) }
        }.get()
        bytes.removeLast(count - got)
        return bytes
    }

    /// The whole file.
    public static func readAll(path: String) throws(FileError) -> [UInt8] {
        let file = try ReadOnlyFile(path: path)
        return try file.read(count: file.byteCount, at: 0)
    }
}

/// Writes a file atomically: bytes go to a temporary file in the same directory, which is
/// fsynced and then renamed over the destination, so readers see the old file or the
/// complete new one, never a partial one. Call `commit()`; without it the temporary
/// file is removed.
public final class AtomicFileWriter {
    public let path: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var committed = false

    public init(path: String) throws(FileError) {
        self.path = path
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if descriptor < 0 { throw .errno(path, "cannot create a temporary file next to it") }
        fchmod(descriptor, 0o644)  // mkstemp creates 0600; the result is an ordinary file
        self.descriptor = descriptor
        self.temporaryPath = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        if !committed {
            if descriptor >= 0 { close(descriptor) }
            unlink(temporaryPath)
        }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        var done = 0
        while done < bytes.count {
            let wrote = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if wrote < 0 {
                if Glibc.errno == EINTR { continue }
                throw .errno(path, "cannot write")
            }
            done += wrote
        }
    }

    /// Overwrites bytes already written, at `offset` from the start of the file.
    public func write(_ bytes: [UInt8], at offset: Int) throws(FileError) {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            if wrote < 0 {
                if Glibc.errno == EINTR { continue }
                throw .errno(path, "cannot write at offset \(offset + done)")
            }
            done += wrote
        }
    }

    /// Appends bytes.
    public func write(_ bytes: [UInt8]) throws(FileError) {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(FileError) in try write(buffer) }
        }.get()
    }

    /// Makes the file durable and visible under its final name.
    public func commit() throws(FileError) {
        try sync()
        try rename()
        Self.syncDirectory(of: path)
    }

    /// Makes the bytes durable and closes the temporary file (the first step of `commit`).
    func sync() throws(FileError) {
        if fsync(descriptor) != 0 { throw .errno(path, "cannot fsync") }
        if close(descriptor) != 0 { descriptor = -1; throw .errno(path, "cannot close") }
        descriptor = -1
    }

    /// Renames the synced temporary file to `path` (the second step of `commit`).
    func rename() throws(FileError) {
        if Glibc.rename(temporaryPath, path) != 0 { throw .errno(path, "cannot rename the temporary file") }
        committed = true
    }

    /// Makes the renames in the directory of `path` durable (the last step of `commit`).
    static func syncDirectory(of path: String) {
        let directoryDescriptor = open(directory(of: path), O_RDONLY | O_DIRECTORY)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// The directory `path` is written in (where the temporary file goes).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Fails unless the directory `path` would be written in exists: a check for the start of
    /// a long job, so it does not fail only when it writes its result.
    public static func checkDirectory(of path: String) throws(FileError) {
        let directory = directory(of: path)
        var status = stat()
        if stat(directory, &status) != 0 { throw .errno(directory, "cannot write into this directory") }
        if (status.st_mode & S_IFMT) != S_IFDIR { throw FileError(path: directory, reason: "not a directory") }
    }

    /// Writes `bytes` to `path` atomically in one call.
    public static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(bytes)
        try writer.commit()
    }
}
