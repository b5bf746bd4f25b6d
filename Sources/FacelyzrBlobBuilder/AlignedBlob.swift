import Foundation
import FacelyzrRuntime

/// A blob's bytes in 16-byte aligned memory (what `Model(bytes:)` requires), owned by this value.
public final class AlignedBlob: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    private let storage: UnsafeMutableRawPointer

    public init(_ source: [UInt8]) {
        let storage = UnsafeMutableRawPointer.allocate(
            byteCount: max(source.count, 1), alignment: Int(BlobFormat.minimumSectionAlignment))
        source.withUnsafeBytes { if let from = $0.baseAddress { storage.copyMemory(from: from, byteCount: $0.count) } }
        self.storage = storage
        bytes = UnsafeRawBufferPointer(start: storage, count: source.count)
    }

    /// Reads the file at `path`.
    public convenience init(contentsOf path: String) throws {
        self.init([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    deinit { storage.deallocate() }

    /// Opens the blob (validating it) and passes the model to `body`. The model points into this
    /// value's memory: it must not escape `body`.
    public func withModel<R>(_ body: (Model) throws -> R) throws -> R {
        try withExtendedLifetime(self) { try body(try Model(bytes: bytes)) }
    }
}
