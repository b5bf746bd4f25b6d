#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether two paths name the same file, compared as the file system does: by device and
/// inode after following symbolic links, so `./x`, `dir/../x`, a symbolic link to `x` and a
/// hard link to `x` are all `x`.
public enum DistinctPaths {
    /// The device and inode of the file `path` names, or nil when there is none (yet).
    static func identity(of path: String) -> (device: UInt64, inode: UInt64)? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    /// Whether `a` and `b` name the same existing file or directory.
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        guard let x = identity(of: a), let y = identity(of: b) else { return false }
        return x == y
    }

    /// Throws when `output` names the file `input` names, which writing `output` would replace:
    /// every command that reads one file and writes another checks this before it writes.
    public static func requireDistinct(input: String, output: String) throws(FileError) {
        if sameFile(input, output) {
            throw FileError(path: output, reason: "is the input \(input): writing it would replace the input; give another output path")
        }
    }
}
