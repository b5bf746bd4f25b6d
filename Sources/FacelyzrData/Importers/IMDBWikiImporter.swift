/// IMDB-WIKI, through the CSV that tools/imdb_wiki_to_csv.py writes from imdb.mat or
/// wiki.mat (one row per picture, nothing filtered: the filters are applied here so every
/// skip is counted). Columns: full_path, age (years, computed by the script; empty when the
/// birth date is invalid), gender (1 = male, 0 = female, empty when NaN), face_x1, face_y1,
/// face_x2, face_y2, face_score (-inf when no face), second_face_score (empty when none).
/// Kept: face_score >= 1, no second face, 0 <= age <= 100, gender known. Splits by hash of
/// the person (the file name's part before the first `_`: IMDb `nm` id or Wikipedia id).
enum IMDBWikiImporter {
    static let defaultCSV = "imdb-wiki.csv"
    static let columns = ["full_path", "age", "gender", "face_x1", "face_y1", "face_x2", "face_y2",
                          "face_score", "second_face_score"]
    /// Margin around the face box, as a fraction of its longer side.
    static let faceMargin = 0.4

    static func plan(source: String, csvPath: String?) throws(ImportError) -> ImportPlan {
        let path = csvPath ?? source + "/" + defaultCSV
        let lines = try AnnotationText.lines(of: path)
        guard let header = lines.first ?? nil, AnnotationText.csvFields(header) == columns else {
            throw .malformedAnnotations(file: path, line: 1, reason: "expected the header \(columns.joined(separator: ","))")
        }
        var plan = ImportPlan()
        for (offset, line) in lines.dropFirst().enumerated() {
            let location = "\(path):\(offset + 2)"
            guard let line else {
                plan.skipped.append(SkippedItem(file: location, reason: .malformedRow, detail: AnnotationText.notUTF8))
                continue
            }
            guard let fields = AnnotationText.csvFields(line), fields.count == columns.count else {
                plan.skipped.append(SkippedItem(file: location, reason: .malformedRow, detail: "expected \(columns.count) fields"))
                continue
            }
            let file = fields[0]
            func skip(_ reason: SkipReason, _ detail: String) {
                plan.skipped.append(SkippedItem(file: "\(location) (\(file))", reason: reason, detail: detail))
            }
            guard !file.isEmpty, !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                skip(.malformedRow, "full_path must be a relative path inside the source")
                continue
            }
            let gender: UInt8  // IMDB-WIKI's convention is the project's: 1 = male, 0 = female
            switch fields[2].lowercased() {
            case "", "nan": skip(.unknownGender, "gender is NaN"); continue
            case "1", "1.0": gender = 1
            case "0", "0.0": gender = 0
            default: skip(.malformedRow, "gender '\(fields[2])'"); continue
            }
            guard let faceScore = Double(fields[7]) else { skip(.malformedRow, "face_score '\(fields[7])'"); continue }
            guard faceScore != -.infinity else { skip(.noFace, "face_score is -inf"); continue }
            guard faceScore >= 1 else { skip(.lowFaceScore, "face_score \(fields[7])"); continue }
            let second = fields[8].lowercased()
            guard second == "" || second == "nan" else { skip(.secondFace, "second_face_score \(fields[8])"); continue }
            guard !fields[1].isEmpty else { skip(.unknownAge, "no valid birth date"); continue }
            guard let age = Double(fields[1]), age.isFinite else { skip(.malformedRow, "age '\(fields[1])'"); continue }
            guard (0...100).contains(age) else { skip(.ageOutOfRange, "age \(fields[1]) outside 0-100"); continue }
            let box = fields[3...6].compactMap { Double($0) }
            guard box.count == 4, box.allSatisfy(\.isFinite) else { skip(.malformedRow, "face_location"); continue }
            let fileName = file.split(separator: "/").last ?? Substring(file)
            let person = fileName.split(separator: "_").first ?? fileName
            plan.candidates.append(ImportCandidate(
                sourceID: "imdb-wiki/\(file)", picture: .file(source + "/" + file),
                labels: FaceLabels(gender: gender, age: Float(age)),
                split: .assigned(toIdentity: String(person)),
                crop: .faceBox(x1: box[0], y1: box[1], x2: box[2], y2: box[3], margin: faceMargin)))
        }
        return plan
    }
}
