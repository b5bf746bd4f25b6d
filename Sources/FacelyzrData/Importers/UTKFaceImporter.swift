import Foundation
import FacelyzrFiles

/// UTKFace: every label is in the file name, `[age]_[gender]_[race]_[datetime].jpg`
/// (aligned and cropped set: `....jpg.chip.jpg`), age 0-116, gender 0 = male 1 = female
/// (the opposite of the project's convention, converted here), race 0-4 (not stored).
/// Names that do not match exactly (missing race, a space before `.jpg`, missing dot,
/// double underscore, ...) are skipped and reported. Splits by hash of the file name.
enum UTKFaceImporter {
    /// The labels in a UTKFace file name, or why the name does not parse.
    enum ParsedName: Equatable {
        /// `gender` in the project's convention: 1 = male, 0 = female.
        case labels(age: Int, gender: UInt8)
        case malformed(String)
        case ageOutOfRange(Int)
    }

    static func parse(fileName name: String) -> ParsedName {
        let stem: Substring
        if name.hasSuffix(".jpg.chip.jpg") {
            stem = name.dropLast(".jpg.chip.jpg".count)
        } else if name.hasSuffix(".jpg") {
            stem = name.dropLast(".jpg".count)
        } else {
            return .malformed("does not end in .jpg or .jpg.chip.jpg")
        }
        let parts = stem.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return .malformed("\(parts.count) fields, expected age_gender_race_datetime") }
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return .malformed("fields must be non-empty digits")
        }
        guard parts[3].count == 17 else { return .malformed("datetime has \(parts[3].count) digits, expected 17") }
        guard let age = Int(parts[0]) else { return .malformed("age") }
        guard let race = Int(parts[2]), (0...4).contains(race) else { return .malformed("race \(parts[2]) outside 0-4") }
        let gender: UInt8
        switch parts[1] {
        case "0": gender = 1  // UTKFace 0 = male
        case "1": gender = 0  // UTKFace 1 = female
        default: return .malformed("gender \(parts[1]) is neither 0 nor 1")
        }
        guard (0...116).contains(age) else { return .ageOutOfRange(age) }
        return .labels(age: age, gender: gender)
    }

    static func plan(source: String) throws(ImportError) -> ImportPlan {
        let entries: [DirectoryListing.Entry]
        do {
            entries = try DirectoryListing.entries(of: source)
        } catch {
            throw .missingFile(file: source)
        }
        var plan = ImportPlan()
        for entry in entries {
            guard let name = entry.name else {
                plan.skipped.append(SkippedItem(file: source + "/" + entry.readableName, reason: .malformedFileName,
                                                detail: AnnotationText.notUTF8))
                continue
            }
            let path = source + "/" + name
            let parsed = parse(fileName: name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                // Folders are not part of the layout; one named like a picture is counted.
                if case .malformed = parsed { continue }
                plan.skipped.append(SkippedItem(file: path, reason: .unreadableImage, detail: "a directory, not a file"))
                continue
            }
            switch parsed {
            case let .malformed(detail):
                plan.skipped.append(SkippedItem(file: path, reason: .malformedFileName, detail: detail))
            case let .ageOutOfRange(age):
                plan.skipped.append(SkippedItem(file: path, reason: .ageOutOfRange, detail: "age \(age) outside 0-116"))
            case let .labels(age, gender):
                plan.candidates.append(ImportCandidate(
                    sourceID: "utkface/\(name)", picture: .file(path),
                    labels: FaceLabels(gender: gender, age: Float(age)),
                    split: .assigned(toIdentity: name), crop: .centerSquare))
            }
        }
        return plan
    }
}
