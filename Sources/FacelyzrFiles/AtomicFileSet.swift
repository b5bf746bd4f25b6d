#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that appear together or not at all, such as a model blob and its cards.
///
/// `add` writes each file to a temporary beside its final name (an `AtomicFileWriter`), so a
/// full disk or any other write error fails before any final name changes. `commit` then makes
/// the files visible in an order whose every prefix is a consistent state: the old version of
/// the last file added (the one whose presence says the set is complete, e.g. the blob) is
/// removed, the others are renamed in the order they were added, and the last one last. A
/// rename that fails removes the files renamed before it, so the last file never exists
/// without the others; a run killed between renames leaves the others without the last file,
/// never the last file without them, nor an old last file beside new others.
///
/// A run killed before its renames leaves temporaries (`NAME.tmp-XXXXXX`); `add` removes those
/// of the same final name first: a later run cleans up after a killed one. Only names of that
/// exact form (six letters or digits, as `mkstemp` makes them) that are regular files are
/// removed; two runs writing the same file at the same time are not supported.
public final class AtomicFileSet {
    private var writers: [AtomicFileWriter] = []

    public init() {}

    /// Writes `bytes` to a temporary file beside `path`, after removing stale temporaries of
    /// `path`; `commit` renames it to `path`.
    public func add(_ bytes: [UInt8], to path: String) throws(FileError) {
        Self.removeStaleTemporaries(of: path)
        let writer = try AtomicFileWriter(path: path)
        try writer.write(bytes)
        try writer.sync()
        writers.append(writer)
    }

    /// Makes every added file visible under its final name (see the type's description).
    /// On failure, no file of the set is under its final name unless it was before, except
    /// the others' old versions, and the last file is not.
    public func commit() throws(FileError) {
        guard let last = writers.last else { return }
        if unlink(last.path) != 0 && errno != ENOENT { throw .errno(last.path, "cannot remove the old file") }
        var renamed: [AtomicFileWriter] = []
        for writer in writers {
            do {
                try writer.rename()
            } catch {
                for done in renamed { unlink(done.path) }
                throw error
            }
            renamed.append(writer)
        }
        AtomicFileWriter.syncDirectory(of: last.path)
    }

    /// Removes the temporaries a killed writer left beside `path` (`NAME.tmp-XXXXXX` regular files).
    public static func removeStaleTemporaries(of path: String) {
        let directory = AtomicFileWriter.directory(of: path)
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard !name.isEmpty, let entries = try? DirectoryListing.entries(of: directory) else { return }
        let prefix = name + ".tmp-"
        for entry in entries {
            guard let entryName = entry.name, entryName.hasPrefix(prefix) else { continue }
            let suffix = entryName.utf8.dropFirst(prefix.utf8.count)
            guard suffix.count == 6, suffix.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else { continue }
            let stale = directory + "/" + entryName
            var status = stat()
            guard lstat(stale, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
            unlink(stale)
        }
    }
}
