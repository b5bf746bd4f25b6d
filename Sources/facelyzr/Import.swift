import ArgumentParser
import FacelyzrData
import FacelyzrFiles
import FacelyzrRunCommands
import Foundation

extension ImportableDataset: ExpressibleByArgument {}

/// `facelyzr import DATASET SRC DEST`: converts a real dataset into Facelyzr's dataset format.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import CelebA, UTKFace, IMDB-WIKI or the LFW subset into a Facelyzr dataset.",
        discussion: """
            Reads the dataset in its published layout, crops and resizes every face to \
            SIZE x SIZE, and writes DEST/samples.fzds, DEST/manifest.json and \
            DEST/import-report.json (counts imported and skipped, and every skipped file with \
            the reason). Labels follow one convention: gender 1 = male, 0 = female. See docs/data.md.

            SRC for each dataset:
              celeba      img_align_celeba/ and the list_*.txt files
              utkface     the [age]_[gender]_[race]_[datetime].jpg files
              imdb-wiki   imdb_crop/ or wiki_crop/ with imdb-wiki.csv
                          (from tools/imdb_wiki_to_csv.py)
              lfw-subset  lfw_subset.npy (from tools/fetch_lfw_subset.sh)
            """
    )

    @Argument(help: "The dataset: \(ImportableDataset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: ImportableDataset

    @Argument(help: "The dataset's root directory (or the .npy file for lfw-subset).")
    var source: String

    @Argument(help: "The directory to write the Facelyzr dataset to.")
    var destination: String

    @Option(help: "Side of the square images to store, in pixels.")
    var size = 64

    @Option(help: "3 for RGB (gray sources are replicated), 1 for gray.")
    var channels = 3

    @Option(help: "Stop after importing this many samples.")
    var limit: Int?

    @Option(help: "IMDB-WIKI: the CSV from tools/imdb_wiki_to_csv.py (default SRC/imdb-wiki.csv).")
    var csv: String?

    func validate() throws {
        try requireOption("--size", size, in: 8...1024, "in 8...1024 (pixels; a 1024x1024 RGB face is 3 MiB, resampled in memory)")
        guard channels == 1 || channels == 3 else { throw ValidationError("--channels must be 1 or 3, not \(channels)") }
        if let limit { try requireOption("--limit", limit, in: 1...Int.max, "positive (samples)") }
        try DistinctPaths.requireDistinct(input: source, output: destination)
    }

    func run() throws {
        var options = ImportOptions()
        options.size = size
        options.channels = channels
        options.limit = limit
        options.csvPath = csv
        let report = try DatasetImporter.run(dataset, source: source, destination: destination, options: options) {
            done, total in
            FileHandle.standardError.write(Data("\rprocessed \(done)/\(total)".utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print("imported \(report.imported), skipped \(report.skipped) -> \(destination)")
        for (reason, count) in report.skippedByReason.sorted(by: { $0.key < $1.key }) {
            print("  skipped \(count): \(reason)")
        }
        for note in report.notes { print("  note: \(note)") }
        let splits = Split.allCases.map { "\($0.name) \(report.splits[$0.name, default: 0])" }
        print("  splits: \(splits.joined(separator: ", "))")
        print("  report: \(destination)/\(ImportReport.fileName)")
    }
}
