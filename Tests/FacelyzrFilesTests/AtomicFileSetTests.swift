import FacelyzrFiles
import Foundation
import Testing

/// A blob and its cards appear together or not at all (issue 19 item 8).
@Suite struct AtomicFileSetTests {
    func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-set-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    func contents(_ folder: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder).sorted() }

    /// A model card and its blob, the blob last.
    func write(_ tag: UInt8, in folder: String) throws {
        let files = AtomicFileSet()
        try files.add([tag, 1], to: folder + "/m.card.json")
        try files.add([tag, 2], to: folder + "/m.card.md")
        try files.add([tag, 3], to: folder + "/m.blob")
        try files.commit()
    }

    @Test func writesAndReplacesEveryFileAndLeavesNoTemporary() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write(1, in: folder)
        try write(2, in: folder)
        #expect(try contents(folder) == ["m.blob", "m.card.json", "m.card.md"])
        #expect(try ReadOnlyFile.readAll(path: folder + "/m.card.json") == [2, 1])
        #expect(try ReadOnlyFile.readAll(path: folder + "/m.blob") == [2, 3])
    }

    /// A card that cannot be put in place (its name is taken by a directory): the card renamed
    /// before it is removed, the blob never appears, no temporary is left.
    @Test func aFailedCardLeavesNoBlobNoCardAndNoTemporary() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/m.card.md", withIntermediateDirectories: false)
        #expect(throws: FileError.self) { try write(1, in: folder) }
        #expect(try contents(folder) == ["m.card.md"])
        #expect(try contents(folder + "/m.card.md") == [])
    }

    /// Replacing a set whose card then fails: the old blob is not left beside new cards.
    @Test func aFailedReplacementLeavesNoBlobBesideOtherCards() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write(1, in: folder)
        try FileManager.default.removeItem(atPath: folder + "/m.card.md")
        try FileManager.default.createDirectory(atPath: folder + "/m.card.md", withIntermediateDirectories: false)
        #expect(throws: FileError.self) { try write(2, in: folder) }
        #expect(!(try contents(folder)).contains("m.blob"))
        #expect(try contents(folder).allSatisfy { !$0.contains(".tmp-") })
    }

    /// A run killed while writing leaves `NAME.tmp-XXXXXX`; the next run removes those of its
    /// own files and leaves every other name alone.
    @Test func theNextRunRemovesStaleTemporariesOfItsOwnNamingOnly() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let stale = ["m.blob.tmp-a1B2c3", "m.card.json.tmp-XyZ789", "m.card.md.tmp-000000"]
        let others = ["m.blob.tmp-a1B2c", "m.blob.tmp-a1B2c34", "m.blob.tmp-a1B2c!", "m.blob.tmp-", "other.blob.tmp-a1B2c3",
                      "m.blob.bak", "xm.blob.tmp-a1B2c3"]
        for name in stale + others { try Data([7]).write(to: URL(fileURLWithPath: folder + "/" + name)) }
        try FileManager.default.createDirectory(atPath: folder + "/m.blob.tmp-dir123", withIntermediateDirectories: false)
        try write(1, in: folder)
        #expect(try contents(folder) == (["m.blob", "m.card.json", "m.card.md", "m.blob.tmp-dir123"] + others).sorted())
    }
}
