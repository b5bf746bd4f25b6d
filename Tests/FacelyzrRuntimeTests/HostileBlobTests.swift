import FacelyzrBlobBuilder
import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// Truncated, corrupted and crafted blobs get a typed `BlobError`, never a crash.
@Suite struct HostileBlobTests {
    typealias H = BlobFormat.Header
    typealias E = BlobFormat.SectionEntry
    typealias T = BlobFormat.TensorRecord
    typealias O = BlobFormat.OpRecord
    let blob = BlobPatch(TestModels.everyOp())

    @Test func builtBlobOpens() {
        #expect(blob.openError(seal: false) == nil)
    }

    @Test func everyTruncationIsRejected() {
        for length in 0..<blob.bytes.count {
            let error = BlobPatch(bytes: Array(blob.bytes[0..<length])).openError(seal: false)
            let headerSize = Int(blob.u32(H.headerSize))
            if length < H.size {
                #expect(error == .truncated(needed: UInt64(H.size), available: UInt64(length)))
            } else if length < headerSize {
                #expect(error == .truncated(needed: UInt64(headerSize), available: UInt64(length)))
            } else {
                #expect(error == .fileSizeMismatch(declared: UInt64(blob.bytes.count), actual: UInt64(length)))
            }
        }
    }

    /// Every byte is covered: on a blob of at most 4 KB, changing each byte once gives a typed error.
    @Test func changingAnyByteIsRejected() {
        #expect(blob.bytes.count <= 4096)
        for position in blob.bytes.indices {
            var patch = blob
            patch.bytes[position] ^= 0x5A
            #expect(patch.openError(seal: false) != nil, "byte \(position)")
        }
    }

    /// With the checksums recomputed, structural validation must catch what it can; whatever
    /// opens must run.
    @Test func changingAnyByteWithResealedChecksumsNeverCrashes() {
        var opened = 0
        for position in H.size..<blob.bytes.count {
            for value: UInt8 in [0x00, 0x01, 0x80, 0xFF] where blob.bytes[position] != value {
                var patch = blob
                patch.bytes[position] = value
                patch.seal()
                let ran = (try? withModel(patch.bytes) { model in
                    _ = run(model, TestModels.pixels(model.input.byteCount))
                }) != nil
                if ran { opened += 1 }
            }
        }
        // Weights, biases, scales and label bytes may change freely; structure may not.
        #expect(opened > 0)
    }

    @Test func headerFieldsAreChecked() {
        var p = blob
        p.set(H.magic, UInt8(ascii: "G"))
        #expect(p.openError() == .badMagic)
        p = blob
        p.set(H.version, BlobFormat.supportedVersions.upperBound + 1)
        #expect(p.openError() == .unsupportedVersion(BlobFormat.supportedVersions.upperBound + 1))
        p = blob
        p.set(H.version, UInt32(0))
        #expect(p.openError() == .unsupportedVersion(0))
        p = blob
        p.set(H.endiannessMark, BlobFormat.endiannessMark.byteSwapped)
        #expect(p.openError() == .wrongEndianness(mark: BlobFormat.endiannessMark.byteSwapped))
        p = blob
        p.set(H.sectionCount, UInt32(6))
        #expect(p.openError() == .badHeaderSize(headerSize: p.u32(H.headerSize), sectionCount: 6))
        p = blob
        p.set(H.sectionCount, UInt32.max)
        #expect(p.openError() == .badHeaderSize(headerSize: p.u32(H.headerSize), sectionCount: .max))
        p = blob
        p.set(H.fileSize, UInt64.max)
        #expect(p.openError() == .fileSizeMismatch(declared: .max, actual: UInt64(blob.bytes.count)))
        p = blob
        p.set(H.flags, UInt32(1))
        #expect(p.openError() == .reservedNotZero(offset: UInt64(H.flags)))
        p = blob
        p.bytes[H.size + 3] ^= 1
        if case .headerChecksumMismatch = p.openError(seal: false) {} else { Issue.record("header checksum not checked") }
        p = blob
        p.bytes[p.bytes.count - 1] ^= 1
        if case .payloadChecksumMismatch = p.openError(seal: false) {} else { Issue.record("payload checksum not checked") }
    }

    @Test func misalignedBufferIsRejected() {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: blob.bytes.count + 1, alignment: 16)
        defer { storage.deallocate() }
        storage.copyBytes(from: [0] + blob.bytes)
        let view = UnsafeRawBufferPointer(rebasing: storage[1...])
        #expect(throws: BlobError.misalignedBuffer) { try Model(bytes: view) }
    }

    @Test func sectionTableIsChecked() {
        let ops = blob.entry(.ops)
        var p = blob
        p.set(ops + E.offset, UInt64(blob.bytes.count + 16))
        #expect(p.openError() == .sectionOutOfBounds(kind: 4, offset: UInt64(blob.bytes.count + 16), length: p.u64(ops + E.length)))
        p = blob
        p.set(ops + E.length, UInt64.max)  // offset + length overflows
        #expect(p.openError() == .sectionOutOfBounds(kind: 4, offset: p.u64(ops + E.offset), length: .max))
        p = blob
        p.set(ops + E.offset, p.u64(ops + E.offset) + 8)
        if case .sectionMisaligned = p.openError() {} else { Issue.record("misaligned section accepted") }
        p = blob
        p.set(ops + E.alignment, UInt32(8))
        #expect(p.openError() == .sectionMisaligned(kind: 4, offset: p.u64(ops + E.offset), alignment: 8))
        p = blob
        p.set(ops + E.alignment, UInt32(48))
        if case .sectionMisaligned = p.openError() {} else { Issue.record("alignment 48 accepted") }
        p = blob
        p.set(ops + E.offset, UInt64(blob.section(.tensors)))
        if case .sectionsOverlap = p.openError() {} else { Issue.record("overlapping sections accepted") }
        p = blob
        p.set(ops + E.offset, UInt64(0))
        if case .sectionOutOfBounds = p.openError() {} else { Issue.record("section inside the header accepted") }
        p = blob
        p.set(ops + E.kind, UInt32(99))
        #expect(p.openError() == .unknownRequiredSection(kind: 99))
        p.set(ops + E.flags, BlobFormat.SectionFlags.optional)
        #expect(p.openError() == .missingSection(.ops))
        p = blob
        p.set(ops + E.kind, SectionKind.tensors.rawValue)
        #expect(p.openError() == .duplicateSection(kind: SectionKind.tensors.rawValue))
        p = blob
        p.set(ops + E.length, p.u64(ops + E.length) - 1)
        #expect(p.openError() == .badSectionLength(.ops, length: p.u64(ops + E.length)))
        p = blob
        p.set(ops + E.flags, UInt32(2))
        #expect(p.openError() == .reservedNotZero(offset: UInt64(ops + E.flags)))
    }

    @Test func unknownOptionalSectionsAreSkipped() throws {
        // Re-assemble the sections with an extra optional one (a future per-ISA packing).
        var sections: [(kind: UInt32, flags: UInt32, bytes: [UInt8])] = (1...7).map { raw in
            let e = blob.entry(SectionKind(rawValue: UInt32(raw))!)
            let offset = Int(blob.u64(e + E.offset)), length = Int(blob.u64(e + E.length))
            return (UInt32(raw), 0, Array(blob.bytes[offset..<(offset + length)]))
        }
        sections.insert((SectionKind.packedWeightsBase + 1, BlobFormat.SectionFlags.optional, [1, 2, 3]), at: 3)
        let extended = BlobBuilder.assemble(sections)
        let pixels = TestModels.pixels(8 * 8 * 3)
        let extendedOutputs = try withModel(extended) { run($0, pixels).outputs }
        let referenceOutputs = try withModel(blob.bytes) { run($0, pixels).outputs }
        #expect(extendedOutputs == referenceOutputs)
    }

    @Test func tensorRecordsAreChecked() {
        let t = blob.tensor(1)
        var p = blob
        p.set(t + T.height, UInt32(0))
        #expect(p.openError() == .invalidField(.dimension, section: .tensors, offset: UInt64(t + T.height), value: 0))
        p = blob
        p.set(t + T.channels, UInt32(70_000))
        #expect(p.openError() == .invalidField(.dimension, section: .tensors, offset: UInt64(t + T.channels), value: 70_000))
        p = blob
        for field in [T.height, T.width, T.channels] { p.set(t + field, UInt32(65_535)) }
        if case .tensorOutOfArena(tensor: 1, _, _, _) = p.openError() {} else { Issue.record("huge tensor accepted") }
        p = blob
        p.set(t + T.arenaOffset, UInt64.max - 15)  // offset + size overflows
        if case .tensorOutOfArena(tensor: 1, _, _, _) = p.openError() {} else { Issue.record("overflowing offset accepted") }
        p = blob
        p.set(t + T.arenaOffset, p.u64(t + T.arenaOffset) + 1)
        if case .invalidField(.arenaOffset, _, _, _) = p.openError() {} else { Issue.record("misaligned activation accepted") }
        p = blob
        p.set(t + T.zeroPoint, Int32(128))
        #expect(p.openError() == .invalidField(.zeroPoint, section: .tensors, offset: UInt64(t + T.zeroPoint), value: 128))
        p = blob
        p.set(t + T.scale, Float.nan.bitPattern)
        if case .invalidField(.scale, _, _, _) = p.openError() {} else { Issue.record("NaN scale accepted") }
        p = blob
        p.set(t + T.layout, UInt32(1))
        if case .invalidField(.tensorLayout, _, _, _) = p.openError() {} else { Issue.record("unknown layout accepted") }
    }

    /// A scale is at most 2^-31 x `Float.greatestFiniteMagnitude`, so `scale x accumulator` is
    /// finite for every int32 accumulator, and every int8 value less its zero point (docs/blob-format.md
    /// "Validation"): a model that opens never predicts inf or NaN for a JSON writer to choke on.
    @Test func scalesAreBoundedSoEveryDequantisedValueIsFinite() throws {
        let largest = Float.greatestFiniteMagnitude * 0x1p-31
        #expect(BlobFormat.maximumScale == largest)
        #expect(dequantizeHeadOutput(.min, scale: largest).isFinite)
        #expect(!dequantizeHeadOutput(.min, scale: largest.nextUp).isFinite)
        let output = blob.section(.outputs) + BlobFormat.OutputRecord.scale
        let input = blob.section(.metadata) + BlobFormat.Metadata.inputScale
        let tensor = blob.tensor(2) + T.scale
        for (offset, field, section) in [(output, BlobField.outputScale, SectionKind.outputs),
                                         (input, .inputScale, .metadata), (tensor, .scale, .tensors)] {
            for scale in [Float(3.4e38), largest.nextUp, .greatestFiniteMagnitude] {
                var p = blob
                p.set(offset, scale.bitPattern)
                #expect(p.openError() == .invalidField(field, section: section, offset: UInt64(offset),
                                                       value: Int64(scale.bitPattern)), "\(field) \(scale)")
            }
        }
        var p = blob
        p.set(output, largest.bitPattern)
        p.seal()
        #expect(p.openError() == nil)
        try withModel(p.bytes) { model in
            #expect(model.outputScale(0) == largest)
            let outputs = run(model, TestModels.pixels(model.input.byteCount)).outputs
            #expect(outputs.indices.allSatisfy { i in
                outputs.withUnsafeBufferPointer { model.prediction(output: i, outputs: $0.baseAddress!).isFinite }
            })
        }
    }

    @Test func metadataIsChecked() {
        let m = blob.section(.metadata)
        typealias M = BlobFormat.Metadata
        var p = blob
        p.set(m + M.pixelFormat, PixelFormat.gray8.rawValue)  // 3 channels are not gray
        if case .invalidField(.pixelFormat, _, _, _) = p.openError() {} else { Issue.record("pixel format mismatch accepted") }
        p = blob
        p.set(m + M.inputZeroPoint, Int32(1))
        if case .invalidField(.inputZeroPoint, _, _, _) = p.openError() {} else { Issue.record("input zero point accepted") }
        p = blob
        p.set(m + M.arenaByteCount, UInt64(1) << 40)
        if case .invalidField(.arenaByteCount, _, _, _) = p.openError() {} else { Issue.record("huge arena accepted") }
        p = blob
        p.set(m + M.arenaByteCount, UInt64(16))
        if case .tensorOutOfArena = p.openError() {} else { Issue.record("small arena accepted") }
        p = blob
        p.set(m + M.nameLength, UInt32.max)
        if case .stringOutOfBounds = p.openError() {} else { Issue.record("name past the strings accepted") }
        p = blob
        p.set(m + M.inputTensor, UInt32(1))
        if case .invalidField(.inputShape, _, _, _) = p.openError() {} else { Issue.record("wrong input tensor accepted") }
    }

    @Test func opRecordsAreChecked() {
        let conv = blob.op(0)  // conv 3x3 same
        var p = blob
        p.set(conv + O.opcode, UInt16(99))
        #expect(p.openError() == .unknownOp(code: 99, offset: UInt64(conv)))
        p = blob
        p.set(conv + O.kernelHeight, UInt8(6))
        if case .invalidField(.kernelSize, _, _, _) = p.openError() {} else { Issue.record("kernel 6 accepted") }
        p = blob
        p.set(conv + O.strideWidth, UInt8(3))
        if case .invalidField(.stride, _, _, _) = p.openError() {} else { Issue.record("stride 3 accepted") }
        p = blob
        p.set(conv + O.padding, UInt8(2))
        if case .invalidField(.padding, _, _, _) = p.openError() {} else { Issue.record("padding 2 accepted") }
        p = blob
        p.set(conv + O.rounding, UInt8(2))
        if case .invalidField(.rounding, _, _, _) = p.openError() {} else { Issue.record("rounding 2 accepted") }
        p = blob
        p.set(conv + O.fusion, UInt8(1))
        if case .invalidField(.fusion, _, _, _) = p.openError() {} else { Issue.record("fused op accepted") }
        p = blob
        p.set(conv + O.weightLayout, UInt8(1))
        if case .invalidField(.weightLayout, _, _, _) = p.openError() {} else { Issue.record("packed layout accepted") }
        p = blob
        p.set(conv + O.outputMin, Int32(100))
        p.set(conv + O.outputMax, Int32(50))
        if case .invalidField(.clamp, _, _, _) = p.openError() {} else { Issue.record("empty clamp accepted") }
        p = blob
        p.set(conv + O.padding, Padding.valid.rawValue)  // 8x8 valid 3x3 gives 6x6, the tensor says 8x8
        #expect(p.openError() == .shapeMismatch(
            op: 0, expected: TensorShape(height: 6, width: 6, channels: 4), actual: TensorShape(height: 8, width: 8, channels: 4)))
        p = blob
        p.set(conv + O.input, UInt32(2))  // written by op 1, read by op 0
        #expect(p.openError() == .tensorNotProduced(op: 0, tensor: 2))
        p = blob
        p.set(conv + O.input, UInt32(1000))
        if case .invalidField(.opInput, _, _, _) = p.openError() {} else { Issue.record("tensor index out of range accepted") }
        p = blob
        p.set(blob.op(1) + O.output, UInt32(1))  // depthwise writes conv's output again
        if case .tensorWrittenTwice(op: 1, tensor: 1) = p.openError() {} else { Issue.record("tensor written twice accepted") }
        p = blob
        p.set(blob.op(2) + O.kernelHeight, UInt8(2))  // pools use no kernel field
        if case .reservedNotZero = p.openError() {} else { Issue.record("pool with a kernel field accepted") }
        p = blob
        p.set(conv + O.weights, UInt64(blob.bytes.count))
        if case .weightsOutOfBounds(op: 0, _, _) = p.openError() {} else { Issue.record("weights past the section accepted") }
        p = blob
        p.set(blob.op(1) + O.weights, UInt64(0))  // overlaps op 0's arrays
        if case .weightsOutOfBounds(op: 1, _, _) = p.openError() {} else { Issue.record("weights out of order accepted") }
        p = blob
        p.set(conv + O.bias, p.u64(conv + O.bias) + 2)
        if case .weightsOutOfBounds(op: 0, _, _) = p.openError() {} else { Issue.record("misaligned bias accepted") }
    }

    @Test func requantizationAndWeightsAreChecked() {
        let conv = blob.op(0)
        let weights = blob.section(.weights)
        let shifts = weights + Int(blob.u64(conv + O.shifts))
        let multipliers = weights + Int(blob.u64(conv + O.multipliers))
        for (shift, rejected) in [(Int32(31), true), (-32, true), (30, false), (-31, false)] {
            var p = blob
            p.set(shifts + 4, shift)
            let error = p.openError()
            if rejected {
                #expect(error == .badRequantization(op: 0, channel: 1, multiplier: Int32(bitPattern: p.u32(multipliers + 4)), shift: shift))
            } else {
                #expect(error == nil)
            }
        }
        var p = blob
        p.set(multipliers, Int32(-1))
        if case .badRequantization(op: 0, channel: 0, multiplier: -1, _) = p.openError() {} else { Issue.record("negative multiplier accepted") }
        p = blob
        let firstWeight = weights + Int(blob.u64(conv + O.weights))
        p.bytes[firstWeight + 5] = 0x80
        #expect(p.openError() == .weightOutOfRange(op: 0, offset: UInt64(firstWeight + 5)))
    }

    @Test func arenaPlanIsChecked() {
        // The depthwise output (tensor 2) placed on the conv output it reads (tensor 1).
        var p = blob
        p.set(blob.tensor(2) + T.arenaOffset, blob.u64(blob.tensor(1) + T.arenaOffset))
        if case .arenaConflict(tensor: 1, writer: 1, reader: 1) = p.openError() {} else { Issue.record("in-place conv accepted") }
        // The max pool output (tensor 3) is read by op 3 and op 6 (global average pool); placing a
        // later tensor over it clobbers it before op 6 reads it.
        p = blob
        p.set(blob.tensor(4) + T.arenaOffset, blob.u64(blob.tensor(3) + T.arenaOffset))
        if case .arenaConflict(tensor: 3, _, _) = p.openError() {} else { Issue.record("clobbered live tensor accepted") }
    }

    @Test func headsAndOutputsAreChecked() {
        typealias R = BlobFormat.HeadRecord
        let heads = blob.section(.heads)
        var p = blob
        p.set(heads + R.kind, UInt32(7))
        if case .invalidField(.headKind, _, _, _) = p.openError() {} else { Issue.record("unknown head kind accepted") }
        p = blob
        p.set(heads + R.outputCount, UInt32(2))  // binary with two outputs, and a gap after
        if case .invalidField(.headOutputs, _, _, _) = p.openError() {} else { Issue.record("binary head with 2 outputs accepted") }
        p = blob
        p.set(heads + R.size + R.firstOutput, UInt32(2))
        #expect(p.openError() == .outputsNotCovered(index: 1))
        p = blob
        p.set(blob.section(.outputs) + BlobFormat.OutputRecord.scale, Float.infinity.bitPattern)
        if case .invalidField(.outputScale, _, _, _) = p.openError() {} else { Issue.record("infinite output scale accepted") }
        p = blob
        let head = blob.op(8)  // gender head: accumulators 0..<1
        p.set(head + O.output, UInt32(1))  // now overlaps the age head's output
        if case .outputsNotCovered = p.openError() {} else { Issue.record("overlapping accumulators accepted") }
        p = blob
        p.set(head + O.outputLength, UInt32(0))
        if case .invalidField(.opOutput, _, _, _) = p.openError() {} else { Issue.record("empty accumulator op accepted") }
    }

    @Test func dotProductsLongerThan65536TermsAreRejected() {
        // 257 x 256 = 65,792 terms.
        var gap = BlobBuilder(name: "long", height: 257, width: 256, pixelFormat: .gray8)
        let pooled = gap.globalAveragePool(gap.input)
        gap.head("h", kind: .regression, input: pooled, weights: [1], bias: [0], scales: [1], labels: ["x"])
        #expect(BlobPatch(gap).openError() == .dotProductTooLong(op: 0, terms: 65_792))

        var fc = BlobBuilder(name: "long", height: 257, width: 256, pixelFormat: .gray8)
        fc.head("h", kind: .regression, input: fc.input, weights: [Int8](repeating: 1, count: 65_792), bias: [0],
                scales: [1], labels: ["x"])
        #expect(BlobPatch(fc).openError() == .dotProductTooLong(op: 0, terms: 65_792))

        // Exactly 2^16 terms is allowed.
        var edge = BlobBuilder(name: "edge", height: 256, width: 256, pixelFormat: .gray8)
        edge.head("h", kind: .regression, input: edge.input, weights: [Int8](repeating: 1, count: 65_536), bias: [0],
                  scales: [1], labels: ["x"])
        #expect(BlobPatch(edge).openError() == nil)
    }
}

extension HostileBlobTests {
    @Test func poolsKeepTheirInputQuantization() {
        var p = blob
        p.set(blob.tensor(3) + T.zeroPoint, Int32(6))  // max pool output, its input has zero point 5
        #expect(p.openError() == .quantizationMismatch(op: 2))
        p = blob
        p.set(blob.tensor(3) + T.scale, Float(0.5).bitPattern)
        #expect(p.openError() == .quantizationMismatch(op: 2))
    }

    @Test func modelInputIsNeverWritten() {
        var p = blob
        p.set(blob.op(0) + O.output, UInt32(0))
        #expect(p.openError() == .tensorWrittenTwice(op: 0, tensor: 0))
    }
}

extension HostileBlobTests {
    @Test func namesMustBeUTF8() throws {
        var b = BlobBuilder(name: "Zoë 顔 😀", height: 2, width: 2, pixelFormat: .gray8)
        b.head("âge", kind: .regression, input: b.input, weights: [1, 1, 1, 1], bias: [0], scales: [1], labels: ["années"])
        let built = BlobPatch(b)
        #expect(try withModel(built.bytes) { String(decoding: $0.name, as: UTF8.self) } == "Zoë 顔 😀")
        let name = built.section(.strings)
        for (position, bad) in [(2, UInt8(0xFF)), (3, 0x41), (0, 0xC0), (4, 0xED)] {
            var p = built
            p.bytes[name + position] = bad
            if case .invalidUTF8 = p.openError() {} else { Issue.record("invalid UTF-8 accepted: byte \(position) = \(bad)") }
        }
    }
}
