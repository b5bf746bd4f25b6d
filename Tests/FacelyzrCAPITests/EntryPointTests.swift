import Testing
import FacelyzrBlobBuilder
import FacelyzrCAPI
import FacelyzrHost
import FacelyzrRuntime

/// The C entry points, called as C would (through raw storage), against the host's
/// `LoadedModel`.
@Suite struct EntryPointTests {
    /// A 6x5 RGB model: conv 3x3 + ReLU, max pool, fully connected, two heads.
    static func blob() -> [UInt8] {
        var b = BlobBuilder(name: "capi", height: 6, width: 5, pixelFormat: .rgb8)
        let q = BlobBuilder.Quantization(scale: 0.05, zeroPoint: -10)
        let weights = (0..<4 * 27).map { Int8(truncatingIfNeeded: ($0 * 37) % 255 - 127) }
        var x = b.conv2D(b.input, filters: 4, kernelHeight: 3, kernelWidth: 3, padding: .same,
                         weights: weights, bias: [100, -200, 300, -400],
                         requantization: (0..<4).map { _ in .init(real: 0.003) }, output: q, activation: .relu)
        x = b.maxPool2x2(x)
        let n = b.shape(x).elementCount
        b.head("gender", kind: .binary, input: x, weights: (0..<n).map { Int8($0 % 9 - 4) }, bias: [7],
               scales: [0.01], labels: ["male"])
        b.head("age", kind: .regression, input: x, weights: (0..<n).map { Int8($0 % 5 - 2) }, bias: [-3],
               scales: [0.1], labels: ["years"])
        return b.build().bytes
    }

    /// Storage laid out like facelyzr.h's `fz_model` and `fz_error`.
    static func withStorage<R>(_ body: (UnsafeMutableRawPointer, UnsafeMutableRawPointer) throws -> R) rethrows -> R {
        let model = UnsafeMutableRawPointer.allocate(byteCount: modelStorageByteCount, alignment: modelStorageAlignment)
        let error = UnsafeMutableRawPointer.allocate(byteCount: 24, alignment: 8)
        defer { model.deallocate(); error.deallocate() }
        return try body(model, error)
    }

    @Test func predictMatchesTheSwiftAPI() throws {
        let loaded = try LoadedModel(bytes: Self.blob())
        let swiftModel = loaded.model
        try Self.withStorage { storage, error in
            try #require(fz_model_open(loaded.bytes.baseAddress, loaded.bytes.count, storage, error) == CStatus.ok.rawValue)
            var height = 0, width = 0, channels = 0
            fz_model_input_shape(storage, &height, &width, &channels)
            #expect((height, width, channels) == (6, 5, 3))
            #expect(fz_model_arena_byte_count(storage) == swiftModel.arenaByteCount)
            #expect(fz_model_output_count(storage) == 2)
            #expect(fz_model_layer_count(storage) == swiftModel.opCount)
            let layerBytes = (0..<fz_model_layer_count(storage)).map { fz_model_layer_output_byte_count(storage, $0) }
            #expect(layerBytes.reduce(0, +) == swiftModel.layerOutputByteCount)
            #expect(fz_model_layer_output_byte_count(storage, -1) == 0)
            #expect(fz_model_layer_output_byte_count(storage, 99) == 0)

            let pixels = (0..<90).map { UInt8(truncatingIfNeeded: $0 &* 29) }
            pixels.withUnsafeBufferPointer { loaded.run($0, layerOutputs: true) }
            let expected = Array(loaded.rawOutputs), expectedLayers = Array(loaded.layerOutputs)
            #expect(expected.count == 2 && expectedLayers.count == swiftModel.layerOutputByteCount)

            var arena = [UInt8](repeating: 0, count: swiftModel.arenaByteCount)
            var outputs = [Int32](repeating: 0, count: 2)
            var layers = [Int8](repeating: 0, count: swiftModel.layerOutputByteCount)
            fz_model_predict(storage, pixels, &arena, &outputs)
            #expect(outputs == expected)
            outputs = [0, 0]
            fz_model_predict_layers(storage, pixels, &arena, &outputs, &layers)
            #expect(outputs == expected)
            #expect(layers == expectedLayers)

            // Weights packed by C give what LoadedModel's packed weights give.
            let packedByteCount = fz_model_packed_weights_byte_count(storage)
            #expect(packedByteCount == swiftModel.packedWeightsByteCount(for: DefaultKernels.self))
            #expect((loaded.packedWeights == nil) == (packedByteCount == 0))
            let packed = UnsafeMutableRawPointer.allocate(byteCount: max(packedByteCount, 1), alignment: 16)
            defer { packed.deallocate() }
            fz_model_pack_weights(storage, packed)
            outputs = [0, 0]
            fz_model_predict_packed(storage, pixels, &arena, packed, &outputs)
            #expect(outputs == expected)
        }
    }

    /// A softmax head (3 classes) and an expected-value head (5 bins): C's predictions, bin values
    /// and head results are the Swift API's, bit for bit, and the results are what they say.
    @Test func headResultsMatchTheSwiftAPI() throws {
        var b = BlobBuilder(name: "capi-heads", height: 4, width: 4, pixelFormat: .gray8)
        let x = b.conv2D(b.input, filters: 3, kernelHeight: 3, kernelWidth: 3, padding: .valid,
                         weights: (0..<27).map { Int8($0 % 7 - 3) }, bias: [10, -20, 30],
                         requantization: (0..<3).map { _ in .init(real: 0.01) }, output: .init(scale: 0.05, zeroPoint: 0))
        let n = b.shape(x).elementCount
        b.head("expression", kind: .softmax, input: x, weights: (0..<3 * n).map { Int8($0 % 11 - 5) }, bias: [0, 50, -50],
               scales: [0.02, 0.02, 0.03], labels: ["neutral", "smile", "frown"])
        b.head("age", kind: .expectedValue, input: x, weights: (0..<5 * n).map { Int8($0 % 13 - 6) }, bias: [0, 0, 0, 0, 0],
               scales: [Float](repeating: 0.05, count: 5), labels: ["10", "20", "30", "40", "50"], values: [10, 20, 30, 40, 50])
        let loaded = try LoadedModel(bytes: b.build().bytes)
        let model = loaded.model
        try Self.withStorage { storage, error in
            try #require(fz_model_open(loaded.bytes.baseAddress, loaded.bytes.count, storage, error) == CStatus.ok.rawValue)
            #expect(fz_model_head_kind(storage, 0) == 3 && fz_model_head_kind(storage, 1) == 4)
            var value: Float = -1
            fz_model_output_value(storage, 5, &value)
            #expect(value == 30)
            fz_model_output_value(storage, 1, &value)
            #expect(value == 0)
            var results = Set<Int>()
            for seed in 0..<12 {
                let pixels = (0..<16).map { UInt8(truncatingIfNeeded: ($0 + 3) &* (seed * 40 + 17)) }
                pixels.withUnsafeBufferPointer { loaded.run($0) }
                let outputs = Array(loaded.rawOutputs)
                var predictions = [Float](repeating: .nan, count: 8)
                fz_model_predictions(storage, outputs, &predictions)
                for i in 0..<8 { #expect(predictions[i].bitPattern == outputs.withUnsafeBufferPointer { model.prediction(output: i, outputs: $0.baseAddress!) }.bitPattern) }
                #expect(abs(predictions[0..<3].reduce(0, +) - 1) < 1e-6 && abs(predictions[3..<8].reduce(0, +) - 1) < 1e-6)
                for h in 0..<2 {
                    var decision = -1
                    var value: Float = .nan
                    fz_model_head_result(storage, h, outputs, &decision, &value)
                    let swift = outputs.withUnsafeBufferPointer { model.headResult(h, outputs: $0.baseAddress!) }
                    #expect(decision == swift.decision && value.bitPattern == swift.value.bitPattern)
                    let first = h == 0 ? 0 : 3, count = h == 0 ? 3 : 5
                    let best = predictions[first..<(first + count)].max()!
                    #expect(decision == predictions[first..<(first + count)].firstIndex(of: best)! - first)
                    if h == 0 { #expect(value == best) } else {
                        var expected: Float = 0
                        for k in 0..<5 { expected += predictions[3 + k] * Float(10 * (k + 1)) }
                        #expect(abs(value - expected) < 1e-4 && value > 10 && value < 50)
                        results.insert(decision)
                    }
                }
            }
            #expect(results.count > 1)
        }
    }

    /// What C reads from `fz_error` after a rejected blob (copied to 16-byte aligned memory, as
    /// the runtime requires).
    static func open(_ bytes: [UInt8]) -> (status: Int32, code: Int32, offset: UInt64, index: Int64) {
        let blob = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        defer { blob.deallocate() }
        blob.copyBytes(from: bytes)
        return withStorage { storage, error in
            let status = fz_model_open(blob.baseAddress, bytes.count, storage, error)
            return (status, error.load(fromByteOffset: 16, as: Int32.self),
                    error.load(fromByteOffset: 0, as: UInt64.self), error.load(fromByteOffset: 8, as: Int64.self))
        }
    }

    @Test func rejectedBlobsReportCodeAndOffset() {
        let good = Self.blob()
        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        let result = Self.open(badMagic)
        #expect(result.status == CStatus.badMagic.rawValue && result.code == result.status)
        #expect(result.offset == 0 && result.index == -1)

        let truncated = Self.open(Array(good.prefix(10)))
        #expect(truncated.status == CStatus.truncated.rawValue)
        #expect(truncated.offset == 10)

        var corrupted = good
        corrupted[good.count - 1] ^= 0xFF
        #expect(Self.open(corrupted).status == CStatus.payloadChecksumMismatch.rawValue)

        #expect(Self.open([]).status != CStatus.ok.rawValue)
        Self.withStorage { storage, _ in
            #expect(fz_model_open(nil, 100, storage, nil) == CStatus.truncated.rawValue)
        }
    }

    @Test func everyBlobErrorHasItsOwnStatus() {
        let errors: [BlobError] = [
            .truncated(needed: 64, available: 3), .misalignedBuffer, .badMagic, .unsupportedVersion(9),
            .wrongEndianness(mark: 1), .badHeaderSize(headerSize: 1, sectionCount: 2),
            .fileSizeMismatch(declared: 1, actual: 2), .headerChecksumMismatch(stored: 1, computed: 2),
            .payloadChecksumMismatch(stored: 1, computed: 2), .reservedNotZero(offset: 44),
            .sectionOutOfBounds(kind: 1, offset: 2, length: 3), .sectionMisaligned(kind: 1, offset: 2, alignment: 3),
            .sectionsOverlap(kind: 1, otherKind: 2), .duplicateSection(kind: 1), .missingSection(.ops),
            .unknownRequiredSection(kind: 99), .badSectionLength(.ops, length: 3),
            .invalidField(.stride, section: .ops, offset: 200, value: 9), .unknownOp(code: 77, offset: 300),
            .shapeMismatch(op: 1, expected: TensorShape(height: 1, width: 1, channels: 1),
                           actual: TensorShape(height: 2, width: 1, channels: 1)),
            .quantizationMismatch(op: 2), .dotProductTooLong(op: 3, terms: 1 << 20),
            .tensorOutOfArena(tensor: 4, offset: 0, byteCount: 1, arenaByteCount: 0),
            .tensorNotProduced(op: 5, tensor: 1), .tensorWrittenTwice(op: 6, tensor: 1),
            .arenaConflict(tensor: 7, writer: 1, reader: 2), .weightsOutOfBounds(op: 8, offset: 400, byteCount: 1),
            .weightOutOfRange(op: 9, offset: 500), .badRequantization(op: 10, channel: 0, multiplier: -1, shift: 0),
            .stringOutOfBounds(offset: 600, length: 1), .outputsNotCovered(index: 11),
            .layerOutputsTooLarge(byteCount: 1 << 40), .invalidUTF8(offset: 700),
        ]
        let statuses = errors.map { CError($0).status }
        #expect(Set(statuses.map(\.rawValue)).count == errors.count)
        #expect(!statuses.contains(.ok) && !statuses.contains(.storageTooSmall))
        #expect(CError(.invalidField(.stride, section: .ops, offset: 200, value: 9)).offset == 200)
        #expect(CError(.weightOutOfRange(op: 9, offset: 500)) == CError(status: .weightOutOfRange, offset: 500, index: 9))
        #expect(CError(.outputsNotCovered(index: 11)).index == 11)
    }
}
