/// CelebA, aligned and cropped: `img_align_celeba/NNNNNN.jpg` (178x218),
/// `list_attr_celeba.txt` (a count line, a line of 40 attribute names, then rows of a file
/// name and 40 values -1/1 separated by runs of spaces) and `list_eval_partition.txt`
/// (file name and 0 train / 1 valid / 2 test; valid becomes calibration). Gender is the
/// `Male` attribute (1 = male), the project's own convention. CelebA has no ages.
enum CelebAImporter {
    static let attributeFile = "list_attr_celeba.txt"
    static let partitionFile = "list_eval_partition.txt"
    static let imageFolder = "img_align_celeba"

    static func plan(source: String) throws(ImportError) -> ImportPlan {
        let partitions = try readPartitions(source + "/" + partitionFile)
        let path = source + "/" + attributeFile
        let lines = try AnnotationText.lines(of: path)
        guard lines.count >= 2 else { throw .malformedAnnotations(file: path, line: lines.count + 1, reason: "missing the count or names line") }
        guard let declared = Int(lines[0].trimmingSuffix(" ")) else {
            throw .malformedAnnotations(file: path, line: 1, reason: "expected the number of images, found '\(lines[0])'")
        }
        let names = AnnotationText.whitespaceFields(lines[1]).map(String.init)
        guard names == DatasetFormat.attributeNames else {
            throw .malformedAnnotations(file: path, line: 2,
                                        reason: "expected CelebA's 40 attribute names in order, found \(names.count) names")
        }
        var plan = ImportPlan()
        if declared != lines.count - 2 {
            plan.notes.append("\(attributeFile) declares \(declared) images and has \(lines.count - 2) rows")
        }
        var seen = Set<Substring>()
        for (offset, line) in lines.dropFirst(2).enumerated() {
            let location = "\(path):\(offset + 3)"
            let fields = AnnotationText.whitespaceFields(line)
            if fields.isEmpty { continue }
            let name = fields[0]
            guard fields.count == 41 else {
                plan.skipped.append(SkippedItem(file: location, reason: .malformedRow,
                                                detail: "\(name): \(fields.count - 1) values, expected 40"))
                continue
            }
            let values = fields.dropFirst().map { $0 == "1" ? true : $0 == "-1" ? false : nil }
            guard values.allSatisfy({ $0 != nil }) else {
                plan.skipped.append(SkippedItem(file: location, reason: .malformedRow,
                                                detail: "\(name): values must be -1 or 1"))
                continue
            }
            guard seen.insert(name).inserted else {
                plan.skipped.append(SkippedItem(file: location, reason: .duplicateRow, detail: "\(name) listed again"))
                continue
            }
            guard let split = partitions[name] else {
                plan.skipped.append(SkippedItem(file: location, reason: .noPartition,
                                                detail: "\(name) is not in \(partitionFile)"))
                continue
            }
            var attributes = CelebAAttributes()
            for attribute in CelebAAttribute.allCases { attributes[attribute] = values[attribute.rawValue] }
            plan.candidates.append(ImportCandidate(
                sourceID: "celeba/\(name)", picture: .file(source + "/" + imageFolder + "/" + name),
                labels: FaceLabels(gender: attributes[.male]! ? 1 : 0, age: nil, attributes: attributes),
                split: split, crop: .centerSquare))
        }
        return plan
    }

    /// File name to split; rows that do not parse are left out (their images then count as
    /// "no partition entry").
    static func readPartitions(_ path: String) throws(ImportError) -> [Substring: Split] {
        var partitions: [Substring: Split] = [:]
        for line in try AnnotationText.lines(of: path) {
            let fields = AnnotationText.whitespaceFields(line)
            guard fields.count == 2 else { continue }
            switch fields[1] {
            case "0": partitions[fields[0]] = .train
            case "1": partitions[fields[0]] = .calibration
            case "2": partitions[fields[0]] = .test
            default: continue
            }
        }
        return partitions
    }
}
