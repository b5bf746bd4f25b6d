import FacelyzrFiles
import Foundation

/// The datasets `facelyzr import` reads.
public enum ImportableDataset: String, Sendable, CaseIterable {
    case celeba
    case utkface
    case imdbWiki = "imdb-wiki"
    case lfwSubset = "lfw-subset"
}

/// Settings shared by every importer.
public struct ImportOptions: Sendable {
    /// Side of the square images stored (the model input).
    public var size = 64
    /// 3 (RGB; gray sources are replicated) or 1 (gray).
    public var channels = 3
    /// Stop after this many imported samples (nil: all).
    public var limit: Int?
    /// IMDB-WIKI only: the CSV written by tools/imdb_wiki_to_csv.py
    /// (default `SOURCE/imdb-wiki.csv`).
    public var csvPath: String?

    public init() {}
}

/// Which part of the source picture becomes the square sample. See docs/data.md "Crops".
enum CropRule: Sendable, Equatable {
    /// The largest centred square (CelebA's aligned 178x218 faces, UTKFace's 200x200 chips).
    case centerSquare
    /// A square around a face box (x1, y1, x2, y2 in pixels), its side the box's longer side
    /// times (1 + margin), moved (and if needed shrunk) to fit inside the picture.
    case faceBox(x1: Double, y1: Double, x2: Double, y2: Double, margin: Double)
}

/// A sample an importer found, before its picture is decoded.
struct ImportCandidate: Sendable {
    enum Picture: Sendable {
        case file(String)
        case decoded(Image)
    }

    var sourceID: String
    var picture: Picture
    var labels: FaceLabels
    var isFace: Bool? = nil
    var split: Split
    var crop: CropRule

    /// What a skip report names: the picture's file, or the source ID of a decoded picture.
    var location: String {
        switch picture {
        case let .file(path): path
        case .decoded: sourceID
        }
    }
}

/// What an importer read from the annotations: the candidates and what it skipped already.
struct ImportPlan: Sendable {
    var candidates: [ImportCandidate] = []
    var skipped: [SkippedItem] = []
    var notes: [String] = []
}

/// Imports a dataset: reads the annotations, decodes, crops and resizes every picture,
/// writes the dataset (see `DatasetWriter`) and `import-report.json`.
public enum DatasetImporter {
    /// Runs one import. `progress` is called with (processed, total) every few hundred samples.
    public static func run(
        _ dataset: ImportableDataset, source: String, destination: String, options: ImportOptions = ImportOptions(),
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws(ImportError) -> ImportReport {
        let plan: ImportPlan
        switch dataset {
        case .celeba: plan = try CelebAImporter.plan(source: source)
        case .utkface: plan = try UTKFaceImporter.plan(source: source)
        case .imdbWiki: plan = try IMDBWikiImporter.plan(source: source, csvPath: options.csvPath)
        case .lfwSubset: plan = try LFWSubsetImporter.plan(source: source)
        }
        precondition(options.channels == 1 || options.channels == 3, "channels must be 1 or 3")
        let format = DatasetFormat(width: options.size, height: options.size, channels: options.channels)
        var skipped = plan.skipped
        var splits: [String: Int] = [:]
        var imported = 0
        do {
            let writer = try DatasetWriter(directory: destination, format: format, source: dataset.rawValue)
            for (position, candidate) in plan.candidates.enumerated() {
                if let limit = options.limit, imported >= limit { break }
                if position % 500 == 0 { progress(position, plan.candidates.count) }
                if let problem = DatasetFormat.problem(withSourceID: candidate.sourceID) {
                    skipped.append(SkippedItem(file: candidate.location, reason: .invalidSourceID, detail: problem))
                    continue
                }
                let image: Image
                switch load(candidate.picture) {
                case let .image(loaded): image = loaded
                case let .skipped(item):
                    skipped.append(item)
                    continue
                }
                guard let prepared = prepare(image, crop: candidate.crop, size: options.size, channels: options.channels) else {
                    skipped.append(SkippedItem(file: candidate.sourceID, reason: .invalidFaceBox,
                                               detail: "\(candidate.crop) in a \(image.width)x\(image.height) picture"))
                    continue
                }
                try writer.append(FaceSample(image: prepared, labels: candidate.labels, isFace: candidate.isFace,
                                             split: candidate.split, sourceID: candidate.sourceID))
                imported += 1
                splits[candidate.split.name, default: 0] += 1
            }
            progress(plan.candidates.count, plan.candidates.count)
            try writer.finish()
        } catch {
            throw .dataset(error)
        }
        var byReason: [String: Int] = [:]
        for item in skipped { byReason[item.reason.rawValue, default: 0] += 1 }
        let report = ImportReport(dataset: dataset.rawValue, sourceDirectory: source, destination: destination,
                                  imported: imported, skipped: skipped.count, skippedByReason: byReason,
                                  splits: splits, notes: plan.notes, skippedItems: skipped)
        do {
            try AtomicFileWriter.write(Array(report.jsonData()), to: destination + "/" + ImportReport.fileName)
        } catch {
            throw .dataset(.unwritable(file: error.path, reason: error.reason))
        }
        return report
    }

    private enum Loaded {
        case image(Image)
        case skipped(SkippedItem)
    }

    private static func load(_ picture: ImportCandidate.Picture) -> Loaded {
        switch picture {
        case let .decoded(image): return .image(image)
        case let .file(path):
            guard FileManager.default.fileExists(atPath: path) else {
                return .skipped(SkippedItem(file: path, reason: .missingImage, detail: "no such file"))
            }
            do {
                return .image(try Image.decode(file: path))
            } catch {
                return .skipped(SkippedItem(file: path, reason: .unreadableImage, detail: error.description))
            }
        }
    }

    /// A picture prepared exactly as the importers prepare a centre-cropped dataset image
    /// (`facelyzr analyze` uses it, so single pictures see what training saw).
    public static func prepareCenterSquare(_ image: Image, size: Int, channels: Int) -> Image {
        prepare(image, crop: .centerSquare, size: size, channels: channels)!
    }

    /// Crops by `crop`, resizes to `size` x `size` (area when shrinking, bilinear when
    /// enlarging) and converts to `channels`; nil when the crop rule does not fit the picture.
    static func prepare(_ image: Image, crop: CropRule, size: Int, channels: Int) -> Image? {
        let square: Image
        switch crop {
        case .centerSquare:
            square = image.centerSquareCropped()
        case let .faceBox(x1, y1, x2, y2, margin):
            let width = Double(image.width), height = Double(image.height)
            let boxWidth = x2 - x1, boxHeight = y2 - y1
            guard boxWidth.isFinite, boxHeight.isFinite, boxWidth > 0, boxHeight > 0,
                  x1 < width, y1 < height, x2 > 0, y2 > 0 else {
                return nil
            }
            // Clamped in Double before converting, so absurd boxes cannot overflow Int.
            let side = min((max(boxWidth, boxHeight) * (1 + margin)).rounded(), width, height)
            guard side >= 1 else { return nil }
            let x = min(max(((x1 + x2) / 2 - side / 2).rounded(), 0), width - side)
            let y = min(max(((y1 + y2) / 2 - side / 2).rounded(), 0), height - side)
            square = image.cropped(x: Int(x), y: Int(y), width: Int(side), height: Int(side))
        }
        let method: Image.ResamplingMethod = square.width > size ? .area : .bilinear
        return square.resized(width: size, height: size, method: method).converted(toChannels: channels)
    }
}
