import Foundation
import Testing
import FacelyzrCAPI
import FacelyzrRuntime

/// facelyzr.h and the Swift side must agree on every number a C caller compiles in.
@Suite struct HeaderTests {
    /// `#define NAME VALUE` lines of facelyzr.h.
    static let defines: [String: Int] = {
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/FacelyzrCAPI/include/facelyzr.h").standardizedFileURL
        let text = (try? String(contentsOf: header, encoding: .utf8)) ?? ""
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count >= 3, words[0] == "#define" else { continue }
            let value = words[2].hasSuffix("u") ? words[2].dropLast() : words[2]
            if let number = Int(value) { result[String(words[1])] = number }
        }
        return result
    }()

    @Test func modelFitsTheOpaqueStorage() {
        #expect(Self.defines["FZ_MODEL_STORAGE_BYTES"] == modelStorageByteCount)
        #expect(MemoryLayout<Model>.size <= modelStorageByteCount)
        #expect(MemoryLayout<Model>.alignment <= modelStorageAlignment)
    }

    @Test func versionAndAlignmentMatch() {
        #expect(Self.defines["FZ_API_VERSION"] == Int(apiVersion))
        #expect(Int(fz_api_version()) == Self.defines["FZ_API_VERSION"])
        #expect(Self.defines["FZ_ARENA_ALIGNMENT"] == modelStorageAlignment)
    }

    /// Every status code the header names exists in `CStatus` with the same number, and
    /// every `CStatus` is named in the header.
    @Test func statusCodesMatch() {
        let headerCodes = Self.defines.filter { $0.key.hasPrefix("FZ_ERROR_") || $0.key == "FZ_OK" }
        var swiftCodes = 0
        for raw in Int32(0)..<256 {
            guard let status = CStatus(rawValue: raw) else { continue }
            swiftCodes += 1
            #expect(headerCodes.values.contains(Int(raw)), "status \(raw) (\(status)) is not in facelyzr.h")
            let message = String(cString: fz_error_message(raw))
            #expect(!message.isEmpty && message != "unknown status code")
        }
        #expect(headerCodes.count == swiftCodes)
        for (name, value) in headerCodes {
            #expect(CStatus(rawValue: Int32(value)) != nil, "\(name) = \(value) has no CStatus")
        }
        #expect(String(cString: fz_error_message(9999)) == "unknown status code")
    }

    @Test func headKindsMatch() {
        #expect(Self.defines["FZ_HEAD_BINARY"] == Int(HeadKind.binary.rawValue))
        #expect(Self.defines["FZ_HEAD_REGRESSION"] == Int(HeadKind.regression.rawValue))
        #expect(Self.defines["FZ_HEAD_MULTI_LABEL"] == Int(HeadKind.multiLabel.rawValue))
        #expect(Self.defines["FZ_HEAD_SOFTMAX"] == Int(HeadKind.softmax.rawValue))
        #expect(Self.defines["FZ_HEAD_EXPECTED_VALUE"] == Int(HeadKind.expectedValue.rawValue))
        #expect(Self.defines["FZ_HEAD_RAW"] == Int(HeadKind.raw.rawValue))
    }
}
