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
        var plan = ImportPlan()
        let partitionPath = source + "/" + partitionFile
        let partitions = try readPartitions(partitionPath, skipped: &plan.skipped)
        let path = source + "/" + attributeFile
        let lines = try AnnotationText.lines(of: path)
        guard lines.count >= 2 else { throw .malformedAnnotations(file: path, line: lines.count + 1, reason: "missing the count or names line") }
        guard let countLine = lines[0], let namesLine = lines[1] else {
            throw .malformedAnnotations(file: path, line: lines[0] == nil ? 1 : 2, reason: AnnotationText.notUTF8)
        }
        guard let declared = Int(countLine.trimmingSuffix(" ")) else {
            throw .malformedAnnotations(file: path, line: 1, reason: "expected the number of images, found '\(countLine)'")
        }
        let names = AnnotationText.whitespaceFields(namesLine).map(String.init)
        guard names == DatasetFormat.attributeNames else {
            throw .malformedAnnotations(file: path, line: 2,
                                        reason: "expected CelebA's 40 attribute names in order, found \(names.count) names")
        }
        if declared != lines.count - 2 {
            plan.notes.append("\(attributeFile) declares \(declared) images and has \(lines.count - 2) rows")
        }
        var seen = Set<Substring>()
        for (offset, line) in lines.dropFirst(2).enumerated() {
            let location = "\(path):\(offset + 3)"
            guard let line else {
                plan.skipped.append(SkippedItem(file: location, reason: .malformedRow, detail: AnnotationText.notUTF8))
                continue
            }
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
            let split: Split
            switch partitions[name] {
            case let .split(value)?: split = value
            case nil:
                plan.skipped.append(SkippedItem(file: location, reason: .noPartition,
                                                detail: "\(name) is not in \(partitionFile)"))
                continue
            case let .malformed(line, detail)?:
                plan.skipped.append(SkippedItem(file: "\(partitionPath):\(line)", reason: .malformedRow, detail: detail))
                continue
            case let .conflicting(line, detail)?:
                plan.skipped.append(SkippedItem(file: "\(partitionPath):\(line)", reason: .conflictingPartition, detail: detail))
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

    /// What the partition file says about one image.
    enum PartitionEntry: Equatable {
        case split(Split)
        /// Its row, at `line`, does not give a partition 0, 1 or 2; `detail` says why.
        case malformed(line: Int, detail: String)
        /// A later row, at `line`, gives it another partition: which split is right is unknown,
        /// so the image is left out rather than risk a test image in training.
        case conflicting(line: Int, detail: String)
    }

    /// File name to what the partition file says about it. Rows that are not UTF-8 (so name
    /// no image) are added to `skipped`; a repeated row with the same partition is harmless.
    static func readPartitions(_ path: String, skipped: inout [SkippedItem]) throws(ImportError) -> [Substring: PartitionEntry] {
        var entries: [Substring: PartitionEntry] = [:]
        var firstRows: [Substring: (line: Int, value: String)] = [:]
        for (offset, line) in try AnnotationText.lines(of: path).enumerated() {
            let number = offset + 1
            guard let line else {
                skipped.append(SkippedItem(file: "\(path):\(number)", reason: .malformedRow, detail: AnnotationText.notUTF8))
                continue
            }
            let fields = AnnotationText.whitespaceFields(line)
            guard let name = fields.first else { continue }
            let value = fields.dropFirst().joined(separator: " ")
            if let first = firstRows[name] {
                if case .conflicting? = entries[name] { continue }  // the first conflict is reported
                if value != first.value {
                    entries[name] = .conflicting(line: number, detail: "\(name): partition \(value.isEmpty ? "none" : value) here, "
                                                 + "\(first.value.isEmpty ? "none" : first.value) at line \(first.line)")
                }
                continue
            }
            firstRows[name] = (number, value)
            switch fields.count == 2 ? value : nil {
            case "0": entries[name] = .split(.train)
            case "1": entries[name] = .split(.calibration)
            case "2": entries[name] = .split(.test)
            case nil: entries[name] = .malformed(line: number, detail: "\(name): expected a file name and a partition")
            case let other?: entries[name] = .malformed(line: number, detail: "\(name): partition '\(other)' is not 0, 1 or 2")
            }
        }
        return entries
    }
}
