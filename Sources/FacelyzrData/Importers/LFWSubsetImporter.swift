import Foundation

/// The LFW subset in scikit-image's wheel (`skimage/data/lfw_subset.npy`, fetched by
/// tools/fetch_lfw_subset.sh): 200 gray 25x25 images as float64 in [0, 1]; the first 100
/// are faces, the last 100 are not. Labels: face / not face. Splits by hash of the index.
enum LFWSubsetImporter {
    static let fileName = "lfw_subset.npy"

    /// `source` is the .npy file or a directory holding `lfw_subset.npy`.
    static func plan(source: String) throws(ImportError) -> ImportPlan {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw .missingFile(file: source)
        }
        let path = isDirectory.boolValue ? source + "/" + fileName : source
        let array: NPYArray
        do {
            array = try NPYArray.read(file: path)
        } catch {
            throw .npy(error)
        }
        guard array.shape.count == 3, array.shape[0] % 2 == 0, array.shape[1] > 0, array.shape[2] > 0 else {
            throw .npy(.malformedHeader(file: path, reason: "shape \(array.shape), expected (images, height, width) with an even count"))
        }
        let (count, height, width) = (array.shape[0], array.shape[1], array.shape[2])
        var plan = ImportPlan()
        for index in 0..<count {
            let values = array.values[(index * height * width)..<((index + 1) * height * width)]
            guard values.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                plan.skipped.append(SkippedItem(file: "\(path)[\(index)]", reason: .unreadableImage,
                                                detail: "values outside 0...1"))
                continue
            }
            let pixels = values.map { UInt8(($0 * 255).rounded()) }
            let id = "lfw-subset/\(index)"
            plan.candidates.append(ImportCandidate(
                sourceID: id, picture: .decoded(Image(width: width, height: height, channels: 1, pixels: pixels)),
                labels: FaceLabels(), isFace: index < count / 2,
                split: .assigned(toIdentity: id), crop: .centerSquare))
        }
        return plan
    }
}
