// Opening a blob: every check of docs/blob-format.md "Validation", in 64-bit arithmetic so a
// 32-bit Int (armv7) cannot overflow. After this, reading the model cannot fail.

extension Model {
    /// Opens a blob in place, validating all of it (docs/blob-format.md).
    ///
    /// - Parameter bytes: the whole blob; its first byte must be 16-byte aligned. The model
    ///   points into these bytes: keep them alive and unchanged while the model is used.
    public init(bytes: UnsafeRawBufferPointer) throws(BlobError) {
        var v = try Validator(bytes: bytes)
        try v.validateHeader()
        try v.validateSectionTable()
        try v.validateMetadata()
        try v.validateTensors()
        try v.validateHeadsAndOutputs()
        try v.validateOps()
        self.init(
            base: v.base, byteCount: v.count, layout: v.layout, arenaByteCount: narrow(v.arena),
            input: v.input, inputTensor: v.inputTensor, layerOutputByteCount: v.layerOutputByteCount)
    }
}

/// The state of one validation pass.
private struct Validator {
    typealias H = BlobFormat.Header
    let base: UnsafeRawPointer
    let count: Int
    var headerSize = 0
    var version: UInt32 = 0
    var layout = SectionLayout()
    var arena: UInt64 = 0
    var input = ModelInput(height: 0, width: 0, channels: 0, pixelFormat: .gray8, scale: 0, zeroPoint: 0)
    var inputTensor = 0
    var tensorCount = 0
    var outputCount = 0
    var layerOutputByteCount = 0

    init(bytes: UnsafeRawBufferPointer) throws(BlobError) {
        guard let base = bytes.baseAddress, bytes.count >= H.size else {
            throw .truncated(needed: wide(H.size), available: wide(bytes.count))
        }
        guard UInt(bitPattern: base) % 16 == 0 else { throw .misalignedBuffer }
        self.base = UnsafeRawPointer(base)
        self.count = bytes.count
    }

    // MARK: Header and sections

    mutating func validateHeader() throws(BlobError) {
        guard base.u64(H.magic) == BlobFormat.magic else { throw .badMagic }
        version = base.u32(H.version)
        guard BlobFormat.supportedVersions.contains(version) else { throw .unsupportedVersion(version) }
        let mark = base.u32(H.endiannessMark)
        guard mark == BlobFormat.endiannessMark else { throw .wrongEndianness(mark: mark) }
        let declaredHeaderSize = base.u32(H.headerSize)
        let sectionCount = base.u32(H.sectionCount)
        guard sectionCount <= BlobFormat.maximumSectionCount,
              wide(declaredHeaderSize) == wide(H.size) + wide(sectionCount) * wide(BlobFormat.SectionEntry.size)
        else { throw .badHeaderSize(headerSize: declaredHeaderSize, sectionCount: sectionCount) }
        guard wide(declaredHeaderSize) <= wide(count) else {
            throw .truncated(needed: wide(declaredHeaderSize), available: wide(count))
        }
        headerSize = Int(declaredHeaderSize)
        let fileSize = base.u64(H.fileSize)
        guard fileSize == wide(count) else { throw .fileSizeMismatch(declared: fileSize, actual: wide(count)) }
        let storedHeader = base.u32(H.headerChecksum)
        let computedHeader = BlobFormat.headerChecksum(base, headerSize: headerSize)
        guard storedHeader == computedHeader else {
            throw .headerChecksumMismatch(stored: storedHeader, computed: computedHeader)
        }
        let storedPayload = base.u32(H.payloadChecksum)
        let computedPayload = BlobFormat.payloadChecksum(base, headerSize: headerSize, fileSize: count)
        guard storedPayload == computedPayload else {
            throw .payloadChecksumMismatch(stored: storedPayload, computed: computedPayload)
        }
        try zero(H.flags, 4)
        try zero(H.reserved, H.size - H.reserved)
    }

    mutating func validateSectionTable() throws(BlobError) {
        typealias E = BlobFormat.SectionEntry
        let sectionCount = Int(base.u32(H.sectionCount))
        var found: UInt32 = 0
        for i in 0..<sectionCount {
            let e = H.size + i * E.size
            let kind = base.u32(e + E.kind)
            let flags = base.u32(e + E.flags)
            let offset = base.u64(e + E.offset)
            let length = base.u64(e + E.length)
            let alignment = base.u32(e + E.alignment)
            guard flags & ~BlobFormat.SectionFlags.optional == 0 else { throw .reservedNotZero(offset: wide(e + E.flags)) }
            try zero(e + E.reserved, 4)
            let (end, overflow) = offset.addingReportingOverflow(length)
            guard !overflow, offset >= wide(headerSize), end <= wide(count) else {
                throw .sectionOutOfBounds(kind: kind, offset: offset, length: length)
            }
            guard alignment >= BlobFormat.minimumSectionAlignment, alignment & (alignment - 1) == 0,
                  offset % wide(alignment) == 0
            else { throw .sectionMisaligned(kind: kind, offset: offset, alignment: alignment) }
            for j in 0..<i {
                let p = H.size + j * E.size
                let otherOffset = base.u64(p + E.offset)
                let otherEnd = otherOffset + base.u64(p + E.length)
                if offset < otherEnd && otherOffset < end {
                    throw .sectionsOverlap(kind: kind, otherKind: base.u32(p + E.kind))
                }
            }
            guard let known = SectionKind(rawValue: kind) else {
                guard flags & BlobFormat.SectionFlags.optional != 0 else { throw .unknownRequiredSection(kind: kind) }
                continue
            }
            guard found & (1 << kind) == 0 else { throw .duplicateSection(kind: kind) }
            found |= 1 << kind
            var range = ByteRange()
            range.offset = narrow(offset)
            range.length = narrow(length)
            switch known {
            case .metadata: layout.metadata = range
            case .strings: layout.strings = range
            case .tensors: layout.tensors = range
            case .ops: layout.ops = range
            case .weights: layout.weights = range
            case .heads: layout.heads = range
            case .outputs: layout.outputs = range
            }
        }
        for raw in SectionKind.metadata.rawValue...SectionKind.outputs.rawValue where found & (1 << raw) == 0 {
            throw .missingSection(SectionKind(rawValue: raw)!)
        }
        try records(layout.metadata, .metadata, size: BlobFormat.Metadata.size, maximum: 1)
        try records(layout.tensors, .tensors, size: BlobFormat.TensorRecord.size, maximum: BlobFormat.maximumTensorCount)
        try records(layout.ops, .ops, size: BlobFormat.OpRecord.size, maximum: BlobFormat.maximumOpCount)
        try records(layout.heads, .heads, size: BlobFormat.HeadRecord.size, maximum: BlobFormat.maximumOutputCount)
        try records(layout.outputs, .outputs, size: BlobFormat.OutputRecord.size, maximum: BlobFormat.maximumOutputCount)
        tensorCount = layout.tensors.length / BlobFormat.TensorRecord.size
        outputCount = layout.outputs.length / BlobFormat.OutputRecord.size
    }

    /// A table section holds between 1 and `maximum` whole records.
    func records(_ range: ByteRange, _ kind: SectionKind, size: Int, maximum: Int) throws(BlobError) {
        guard range.length % size == 0, range.length >= size, range.length / size <= maximum else {
            throw .badSectionLength(kind, length: wide(range.length))
        }
    }

    // MARK: Metadata and tensors

    mutating func validateMetadata() throws(BlobError) {
        typealias M = BlobFormat.Metadata
        let m = layout.metadata.offset
        try string(m + M.nameOffset)
        let height = try dimension(m + M.inputHeight, .metadata)
        let width = try dimension(m + M.inputWidth, .metadata)
        let channels = try dimension(m + M.inputChannels, .metadata)
        let formatCode = base.u32(m + M.pixelFormat)
        guard let format = PixelFormat(rawValue: formatCode), format.channels == channels else {
            throw .invalidField(.pixelFormat, section: .metadata, offset: wide(m + M.pixelFormat), value: int64(formatCode))
        }
        let inputScale = base.f32(m + M.inputScale)
        try scale(inputScale, .inputScale, .metadata, m + M.inputScale)
        let zeroPoint = base.i32(m + M.inputZeroPoint)
        guard zeroPoint == 0 else {
            throw .invalidField(.inputZeroPoint, section: .metadata, offset: wide(m + M.inputZeroPoint), value: widen(zeroPoint))
        }
        input = ModelInput(height: height, width: width, channels: channels, pixelFormat: format, scale: inputScale, zeroPoint: 0)
        try zero(m + M.reserved0, 4)
        try zero(m + M.reserved1, M.size - M.reserved1)
        arena = base.u64(m + M.arenaByteCount)
        guard arena <= BlobFormat.maximumArenaByteCount else {
            throw .invalidField(.arenaByteCount, section: .metadata, offset: wide(m + M.arenaByteCount), value: Int64(bitPattern: arena))
        }
        let tensor = base.u32(m + M.inputTensor)
        guard tensor < tensorCount else {
            throw .invalidField(.inputTensor, section: .metadata, offset: wide(m + M.inputTensor), value: int64(tensor))
        }
        inputTensor = Int(tensor)
    }

    func validateTensors() throws(BlobError) {
        typealias T = BlobFormat.TensorRecord
        for t in 0..<tensorCount {
            let r = layout.tensors.offset + t * T.size
            let h = try dimension(r + T.height, .tensors)
            let w = try dimension(r + T.width, .tensors)
            let c = try dimension(r + T.channels, .tensors)
            let layoutCode = base.u32(r + T.layout)
            // int16 from version 5, with zero point 0 (docs/quantization.md "16-bit activations").
            guard let tensorLayout = TensorLayout(rawValue: layoutCode), tensorLayout.minimumVersion <= version else {
                throw .invalidField(.tensorLayout, section: .tensors, offset: wide(r + T.layout), value: int64(layoutCode))
            }
            try zeroPoint(r + T.zeroPoint, .tensors)
            if tensorLayout == .nhwcInt16 && base.i32(r + T.zeroPoint) != 0 {
                throw .invalidField(.zeroPoint, section: .tensors, offset: wide(r + T.zeroPoint), value: widen(base.i32(r + T.zeroPoint)))
            }
            try scale(base.f32(r + T.scale), .scale, .tensors, r + T.scale)
            let offset = base.u64(r + T.arenaOffset)
            guard offset % BlobFormat.arenaAlignment == 0 else {
                throw .invalidField(.arenaOffset, section: .tensors, offset: wide(r + T.arenaOffset), value: Int64(bitPattern: offset))
            }
            let byteCount = wide(h) * wide(w) * wide(c) * wide(tensorLayout.elementSize)
            guard byteCount <= BlobFormat.maximumTensorByteCount, offset <= arena, byteCount <= arena - offset else {
                throw .tensorOutOfArena(tensor: t, offset: offset, byteCount: byteCount, arenaByteCount: arena)
            }
        }
        let i = tensorShape(inputTensor)
        let record = layout.tensors.offset + inputTensor * T.size
        guard i == TensorShape(height: input.height, width: input.width, channels: input.channels) else {
            throw .invalidField(.inputShape, section: .tensors, offset: wide(record), value: int64(inputTensor))
        }
        guard base.i32(record + T.zeroPoint) == 0, base.f32(record + T.scale) == input.scale, elementLayout(inputTensor) == .nhwcInt8 else {
            throw .invalidField(.inputShape, section: .tensors, offset: wide(record + T.zeroPoint), value: int64(inputTensor))
        }
    }

    // MARK: Heads and outputs

    func validateHeadsAndOutputs() throws(BlobError) {
        typealias R = BlobFormat.HeadRecord
        var next: UInt64 = 0
        for h in 0..<(layout.heads.length / R.size) {
            let r = layout.heads.offset + h * R.size
            let code = base.u32(r + R.kind)
            // A head kind newer than the blob's version is unknown to that version.
            guard let kind = HeadKind(rawValue: code), kind.minimumVersion <= version else {
                throw .invalidField(.headKind, section: .heads, offset: wide(r + R.kind), value: int64(code))
            }
            try string(r + R.nameOffset)
            try zero(r + R.reserved, R.size - R.reserved)
            let first = wide(base.u32(r + R.firstOutput))
            let n = wide(base.u32(r + R.outputCount))
            guard first == next else { throw .outputsNotCovered(index: narrow(next)) }
            let classes = kind == .softmax || kind == .expectedValue
            guard n >= 1, kind != .binary || n == 1, !classes || n >= 2, first + n <= wide(outputCount) else {
                throw .invalidField(.headOutputs, section: .heads, offset: wide(r + R.outputCount), value: Int64(bitPattern: n))
            }
            // Bin values: finite and at most BlobFormat.maximumBinValue in magnitude in an
            // expected-value head (so the expected value is finite), the reserved zero elsewhere.
            for i in narrow(first)..<narrow(first + n) {
                let o = layout.outputs.offset + i * BlobFormat.OutputRecord.size + BlobFormat.OutputRecord.value
                if kind == .expectedValue {
                    let value = base.f32(o)
                    guard value.magnitude <= BlobFormat.maximumBinValue else {
                        throw .invalidField(.outputValue, section: .outputs, offset: wide(o), value: int64(value.bitPattern))
                    }
                } else {
                    try zero(o, 4)
                }
            }
            next = first + n
        }
        guard next == wide(outputCount) else { throw .outputsNotCovered(index: narrow(next)) }
        typealias O = BlobFormat.OutputRecord
        for i in 0..<outputCount {
            let r = layout.outputs.offset + i * O.size
            try scale(base.f32(r + O.scale), .outputScale, .outputs, r + O.scale)
            try string(r + O.labelOffset)
        }
    }

    // MARK: Ops

    mutating func validateOps() throws(BlobError) {
        typealias O = BlobFormat.OpRecord
        let opCount = layout.ops.length / O.size
        var weightsCursor: UInt64 = 0
        var accumulatorsWritten: UInt64 = 0
        var layerBytes: UInt64 = 0
        for j in 0..<opCount {
            let r = layout.ops.offset + j * O.size
            let code = base.u16(r + O.opcode)
            // An op newer than the blob's version is unknown to that version.
            guard let kind = OpKind(rawValue: code), kind.minimumVersion <= version else {
                throw .unknownOp(code: code, offset: wide(r))
            }
            try field(r + O.fusion, .fusion, allowed: 0...0)
            try field(r + O.weightLayout, .weightLayout, allowed: 0...0)
            try zero(r + O.reserved0, 2)
            let inputIndex = base.u32(r + O.input)
            guard inputIndex < tensorCount else {
                throw .invalidField(.opInput, section: .ops, offset: wide(r + O.input), value: int64(inputIndex))
            }
            let input = Int(inputIndex)
            let inShape = tensorShape(input)
            let inTerms = wide(inShape.height) * wide(inShape.width) * wide(inShape.channels)
            _ = try producer(of: input, before: j)  // read only after it is written
            let outputField = base.u32(r + O.output)

            if kind == .fullyConnectedAccumulators {
                // Kernel and strides all 0 (fully connected) or, from version 4, all 1: a 1x1
                // convolution at each of the input's places, `outputLength / places` per place.
                let perPlace = version >= 4 && base.u32(r + O.kernelHeight) == 0x0101_0101
                if perPlace { try zero(r + O.padding, 1) }
                try unusedFieldsAreZero(r, kind, windowed: perPlace)
                let n = wide(base.u32(r + O.outputLength))
                let places = perPlace ? wide(inShape.height) * wide(inShape.width) : 1
                let terms = perPlace ? wide(inShape.channels) : inTerms
                guard n >= 1, n % places == 0, wide(outputField) + n <= wide(outputCount) else {
                    throw .invalidField(.opOutput, section: .ops, offset: wide(r + O.output), value: int64(outputField))
                }
                for k in 0..<j where OpKind(rawValue: base.u16(layout.ops.offset + k * O.size))! == .fullyConnectedAccumulators {
                    let other = layout.ops.offset + k * O.size
                    let otherFirst = wide(base.u32(other + O.output))
                    let otherEnd = otherFirst + wide(base.u32(other + O.outputLength))
                    if wide(outputField) < otherEnd && otherFirst < wide(outputField) + n {
                        throw .outputsNotCovered(index: Int(outputField))
                    }
                }
                accumulatorsWritten += n
                try dotProduct(j, terms: terms)
                try array(j, r + O.weights, count: n / places * terms, elementSize: 1, cursor: &weightsCursor, weights: true)
                try bias(j, r, count: n / places, wide: elementLayout(input) == .nhwcInt16, cursor: &weightsCursor)
                continue
            }

            guard outputField < tensorCount else {
                throw .invalidField(.opOutput, section: .ops, offset: wide(r + O.output), value: int64(outputField))
            }
            let output = Int(outputField)
            let outShape = tensorShape(output)
            try unusedFieldsAreZero(r, kind)
            // A 16x8 op (version 5): one of its tensors int16 (docs/quantization.md "16-bit activations").
            let outLayout = elementLayout(output)
            // (An add's three tensors have one type, checked below.)
            let isWide = elementLayout(input) == .nhwcInt16 || outLayout == .nhwcInt16
            // Written once, never the model input.
            if output == inputTensor { throw .tensorWrittenTwice(op: j, tensor: output) }
            if let earlier = try? producer(of: output, before: j), earlier >= 0 {
                throw .tensorWrittenTwice(op: j, tensor: output)
            }
            layerBytes += wide(outShape.elementCount) * wide(outLayout.elementSize)

            switch kind {
            case .conv2D, .depthwiseConv2D:
                let depthwise = kind == .depthwiseConv2D
                let kh = Int(base.u8(r + O.kernelHeight))
                let kw = Int(base.u8(r + O.kernelWidth))
                let allowedKernel = depthwise ? 3...3 : 1...(version >= 3 ? BlobFormat.maximumKernel : BlobFormat.maximumKernelVersion2)
                guard allowedKernel.contains(kh), allowedKernel.contains(kw) else {
                    throw .invalidField(.kernelSize, section: .ops, offset: wide(r + O.kernelHeight), value: int64(allowedKernel.contains(kh) ? kw : kh))
                }
                try field(r + O.strideHeight, .stride, allowed: 1...2)
                try field(r + O.strideWidth, .stride, allowed: 1...2)
                try field(r + O.padding, .padding, allowed: 0...1)
                try field(r + O.rounding, .rounding, allowed: isWide ? 0...0 : 0...1)
                try clamp(r, outLayout)
                let padding = Padding(rawValue: base.u8(r + O.padding))!
                let rows = padding.outputLength(input: inShape.height, kernel: kh, stride: Int(base.u8(r + O.strideHeight)))
                let columns = padding.outputLength(input: inShape.width, kernel: kw, stride: Int(base.u8(r + O.strideWidth)))
                let filters = depthwise ? inShape.channels : outShape.channels
                try shape(j, expected: TensorShape(height: rows.length, width: columns.length, channels: filters), actual: outShape)
                let taps = wide(kh * kw)
                try dotProduct(j, terms: depthwise ? taps : taps * wide(inShape.channels))
                let weightCount = depthwise ? taps * wide(filters) : taps * wide(inShape.channels) * wide(filters)
                try requantizedWeights(j, r, weights: weightCount, channels: wide(filters), wide: isWide, cursor: &weightsCursor)
            case .fullyConnected:
                try field(r + O.rounding, .rounding, allowed: isWide ? 0...0 : 0...1)
                try clamp(r, outLayout)
                try shape(j, expected: TensorShape(height: 1, width: 1, channels: outShape.channels), actual: outShape)
                try dotProduct(j, terms: inTerms)
                try requantizedWeights(j, r, weights: inTerms * wide(outShape.channels), channels: wide(outShape.channels), wide: isWide, cursor: &weightsCursor)
            case .maxPool2x2, .averagePool2x2, .globalAveragePool:
                let expected = kind == .globalAveragePool
                    ? TensorShape(height: 1, width: 1, channels: inShape.channels)
                    : TensorShape(height: inShape.height / 2, width: inShape.width / 2, channels: inShape.channels)
                try shape(j, expected: expected, actual: outShape)
                if kind == .globalAveragePool { try dotProduct(j, terms: wide(inShape.height) * wide(inShape.width)) }
                try sameQuantization(j, input, output)
            case .maxPool:
                let side: ClosedRange<UInt8> = 1...UInt8(BlobFormat.maximumKernel)
                try field(r + O.kernelHeight, .kernelSize, allowed: side)
                try field(r + O.kernelWidth, .kernelSize, allowed: side)
                try field(r + O.strideHeight, .stride, allowed: side)
                try field(r + O.strideWidth, .stride, allowed: side)
                try field(r + O.padding, .padding, allowed: 0...1)
                try clamp(r, outLayout)
                let padding = Padding(rawValue: base.u8(r + O.padding))!
                let rows = padding.outputLength(input: inShape.height, kernel: Int(base.u8(r + O.kernelHeight)), stride: Int(base.u8(r + O.strideHeight)))
                let columns = padding.outputLength(input: inShape.width, kernel: Int(base.u8(r + O.kernelWidth)), stride: Int(base.u8(r + O.strideWidth)))
                try shape(j, expected: TensorShape(height: rows.length, width: columns.length, channels: inShape.channels), actual: outShape)
                try sameQuantization(j, input, output)
            case .pad:
                // The input lies inside the output: the amounts before, plus the input, fit.
                guard wide(base.u32(r + O.padTop)) + wide(inShape.height) <= wide(outShape.height),
                      wide(base.u32(r + O.padLeft)) + wide(inShape.width) <= wide(outShape.width),
                      wide(base.u32(r + O.padChannels)) + wide(inShape.channels) <= wide(outShape.channels)
                else { throw .shapeMismatch(op: j, expected: inShape, actual: outShape) }
                try sameQuantization(j, input, output)
                // The fill: the zero point, or (version 3) one stored value per output channel (int8 only).
                try field(r + O.padFill, .padding, allowed: 0...(version >= 3 && !isWide ? 1 : 0))
                if base.u8(r + O.padFill) == 1 {
                    try array(j, r + O.weights, count: wide(outShape.channels), elementSize: 1, cursor: &weightsCursor)
                } else {
                    try zero(r + O.weights, 8)
                }
            case .add:
                try field(r + O.rounding, .rounding, allowed: 0...0)
                try clamp(r, outLayout)
                let second = try secondInput(j, r)
                // An int16 add has int16 inputs and output (TFLite's 16-bit ADD).
                guard elementLayout(input) == outLayout, elementLayout(second) == outLayout else { throw .quantizationMismatch(op: j) }
                try shape(j, expected: inShape, actual: tensorShape(second))
                try shape(j, expected: inShape, actual: outShape)
                try addRequantization(j, r, cursor: &weightsCursor)
            case .fullyConnectedAccumulators:
                break
            }
        }
        for j in 0..<opCount { try checkArena(reader: j) }
        guard accumulatorsWritten == wide(outputCount) else {
            throw .outputsNotCovered(index: narrow(accumulatorsWritten))
        }
        guard layerBytes <= BlobFormat.maximumArenaByteCount else { throw .layerOutputsTooLarge(byteCount: layerBytes) }
        layerOutputByteCount = narrow(layerBytes)
    }

    /// Index of the op that writes `tensor` before op `j`; -1 for the model input.
    func producer(of tensor: Int, before j: Int) throws(BlobError) -> Int {
        if tensor == inputTensor { return -1 }
        typealias O = BlobFormat.OpRecord
        var k = j - 1
        while k >= 0 {
            let r = layout.ops.offset + k * O.size
            if OpKind(rawValue: base.u16(r + O.opcode)) != .fullyConnectedAccumulators,
               base.u32(r + O.output) == UInt32(tensor) { return k }
            k -= 1
        }
        throw .tensorNotProduced(op: j, tensor: tensor)
    }

    /// Op `j`'s output keeps its input's element type, scale and zero point (pools, pad).
    func sameQuantization(_ j: Int, _ input: Int, _ output: Int) throws(BlobError) {
        let t = layout.tensors.offset
        let inRecord = t + input * BlobFormat.TensorRecord.size
        let outRecord = t + output * BlobFormat.TensorRecord.size
        guard elementLayout(input) == elementLayout(output),
              base.u32(inRecord + BlobFormat.TensorRecord.zeroPoint) == base.u32(outRecord + BlobFormat.TensorRecord.zeroPoint),
              base.u32(inRecord + BlobFormat.TensorRecord.scale) == base.u32(outRecord + BlobFormat.TensorRecord.scale)
        else { throw .quantizationMismatch(op: j) }
    }

    /// The second input of add op `j` (record `r`): a tensor written before op `j` (which rules
    /// out forward references, cycles and reading its own output).
    func secondInput(_ j: Int, _ r: Int) throws(BlobError) -> Int {
        typealias O = BlobFormat.OpRecord
        let index = base.u32(r + O.secondInput)
        guard index < tensorCount else {
            throw .invalidField(.opInput, section: .ops, offset: wide(r + O.secondInput), value: int64(index))
        }
        _ = try producer(of: Int(index), before: j)
        return Int(index)
    }

    /// No op between the producer of each of `reader`'s inputs and `reader` itself writes over
    /// that input.
    func checkArena(reader j: Int) throws(BlobError) {
        typealias O = BlobFormat.OpRecord
        let r = layout.ops.offset + j * O.size
        try checkArena(reader: j, input: Int(base.u32(r + O.input)))
        if OpKind(rawValue: base.u16(r + O.opcode))! == .add {
            try checkArena(reader: j, input: Int(base.u32(r + O.secondInput)))
        }
    }

    func checkArena(reader j: Int, input: Int) throws(BlobError) {
        typealias O = BlobFormat.OpRecord
        let read = arenaRange(input)
        var k = (try producer(of: input, before: j)) + 1
        while k <= j {
            let r = layout.ops.offset + k * O.size
            if OpKind(rawValue: base.u16(r + O.opcode))! != .fullyConnectedAccumulators {
                let written = arenaRange(Int(base.u32(r + O.output)))
                if written.lowerBound < read.upperBound && read.lowerBound < written.upperBound {
                    throw .arenaConflict(tensor: input, writer: k, reader: j)
                }
            }
            k += 1
        }
    }

    // MARK: Field helpers

    func tensorShape(_ t: Int) -> TensorShape {
        let r = layout.tensors.offset + t * BlobFormat.TensorRecord.size
        return TensorShape(
            height: Int(base.u32(r + BlobFormat.TensorRecord.height)),
            width: Int(base.u32(r + BlobFormat.TensorRecord.width)),
            channels: Int(base.u32(r + BlobFormat.TensorRecord.channels)))
    }

    func arenaRange(_ t: Int) -> Range<UInt64> {
        let r = layout.tensors.offset + t * BlobFormat.TensorRecord.size
        let offset = base.u64(r + BlobFormat.TensorRecord.arenaOffset)
        return offset..<(offset + wide(tensorShape(t).elementCount) * wide(elementLayout(t).elementSize))
    }

    /// Tensor `t`'s element type (validated by `validateTensors`).
    func elementLayout(_ t: Int) -> TensorLayout {
        TensorLayout(rawValue: base.u32(layout.tensors.offset + t * BlobFormat.TensorRecord.size + BlobFormat.TensorRecord.layout))!
    }

    func zero(_ offset: Int, _ length: Int) throws(BlobError) {
        for i in 0..<length where base.u8(offset + i) != 0 { throw .reservedNotZero(offset: wide(offset + i)) }
    }

    func dimension(_ offset: Int, _ section: SectionKind) throws(BlobError) -> Int {
        let value = base.u32(offset)
        guard value >= 1, value <= BlobFormat.maximumDimension else {
            throw .invalidField(.dimension, section: section, offset: wide(offset), value: int64(value))
        }
        return Int(value)
    }

    func zeroPoint(_ offset: Int, _ section: SectionKind) throws(BlobError) {
        let value = base.i32(offset)
        guard value >= -128, value <= 127 else {
            throw .invalidField(.zeroPoint, section: section, offset: wide(offset), value: widen(value))
        }
    }

    /// A scale is in (0, `BlobFormat.maximumScale`] (NaN fails both comparisons).
    func scale(_ value: Float, _ name: BlobField, _ section: SectionKind, _ offset: Int) throws(BlobError) {
        guard value > 0, value <= BlobFormat.maximumScale else {
            throw .invalidField(name, section: section, offset: wide(offset), value: int64(value.bitPattern))
        }
    }

    /// A `(u32 offset, u32 length)` pair at `offset` names bytes inside the strings section.
    func string(_ offset: Int) throws(BlobError) {
        let start = wide(base.u32(offset))
        let length = wide(base.u32(offset + 4))
        guard start + length <= wide(layout.strings.length) else {
            throw .stringOutOfBounds(offset: wide(offset), length: length)
        }
        let first = layout.strings.offset + narrow(start)
        if let bad = firstInvalidUTF8(base + first, count: narrow(length)) {
            throw .invalidUTF8(offset: wide(first + bad))
        }
    }

    /// Index of the first byte that makes `bytes` invalid UTF-8 (overlong forms, surrogates and
    /// code points above U+10FFFF are invalid), or nil.
    func firstInvalidUTF8(_ bytes: UnsafeRawPointer, count: Int) -> Int? {
        var i = 0
        while i < count {
            let lead = bytes.u8(i)
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= count else { return i }
            for k in 1..<length {
                let byte = bytes.u8(i + k)
                let (minimum, maximum) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
                if byte < minimum || byte > maximum { return i + k }
            }
            i += length
        }
        return nil
    }

    /// A u8 op field holds a value in `allowed`.
    func field(_ offset: Int, _ name: BlobField, allowed: ClosedRange<UInt8>) throws(BlobError) {
        let value = base.u8(offset)
        guard allowed.contains(value) else {
            throw .invalidField(name, section: .ops, offset: wide(offset), value: int64(UInt32(value)))
        }
    }

    /// Fields op kind `kind` does not use are zero in record `r` (kernel and strides too unless
    /// the op is `windowed`, which a per-place head is).
    func unusedFieldsAreZero(_ r: Int, _ kind: OpKind, windowed perPlace: Bool = false) throws(BlobError) {
        typealias O = BlobFormat.OpRecord
        let convolution = kind == .conv2D || kind == .depthwiseConv2D
        let windowed = convolution || kind == .maxPool || perPlace
        let requantized = convolution || kind == .fullyConnected || kind == .add
        let weighted = convolution || kind == .fullyConnected || kind == .fullyConnectedAccumulators
        if !requantized {
            try zero(r + O.rounding, 1)
            if kind != .pad && kind != .maxPool { try zero(r + O.outputMin, 8) }  // outputMin, outputMax (pad: padTop, padLeft)
            try zero(r + O.multipliers, 16)    // multipliers, shifts
        }
        if !windowed {
            try zero(r + O.kernelHeight, 4)    // kernel and stride
            if kind != .pad { try zero(r + O.padding, 1) }  // a pad's fill
        }
        if !weighted { try zero(r + (kind == .pad ? O.bias : O.weights), kind == .pad ? 8 : 16) }  // weights (but a pad's values), bias
        if kind != .fullyConnectedAccumulators && kind != .add && kind != .pad { try zero(r + O.outputLength, 4) }  // or secondInput, padChannels
    }

    /// The fused activation clamp is a non-empty range of the output's element type.
    func clamp(_ r: Int, _ output: TensorLayout) throws(BlobError) {
        let low = base.i32(r + BlobFormat.OpRecord.outputMin)
        let high = base.i32(r + BlobFormat.OpRecord.outputMax)
        let (minimum, maximum): (Int32, Int32) = output == .nhwcInt16 ? (-32768, 32767) : (-128, 127)
        guard low >= minimum, high <= maximum, low <= high else {
            throw .invalidField(.clamp, section: .ops, offset: wide(r + BlobFormat.OpRecord.outputMin), value: widen(low))
        }
    }

    func shape(_ op: Int, expected: TensorShape, actual: TensorShape) throws(BlobError) {
        guard expected == actual else { throw .shapeMismatch(op: op, expected: expected, actual: actual) }
    }

    func dotProduct(_ op: Int, terms: UInt64) throws(BlobError) {
        guard terms <= BlobFormat.maximumDotProductLength else { throw .dotProductTooLong(op: op, terms: terms) }
    }

    /// Weights, bias, multipliers and shifts of a requantized op: in bounds, in op order,
    /// weights in [-127, 127], multipliers >= 0, shifts in [-31, 30]; a 16x8 op's (`wide`)
    /// bias int64 and shifts in [-31, 7] (docs/quantization.md "16-bit activations").
    func requantizedWeights(_ j: Int, _ r: Int, weights: UInt64, channels: UInt64, wide isWide: Bool, cursor: inout UInt64) throws(BlobError) {
        typealias O = BlobFormat.OpRecord
        try array(j, r + O.weights, count: weights, elementSize: 1, cursor: &cursor, weights: true)
        try bias(j, r, count: channels, wide: isWide, cursor: &cursor)
        try array(j, r + O.multipliers, count: channels, elementSize: 4, cursor: &cursor)
        try array(j, r + O.shifts, count: channels, elementSize: 4, cursor: &cursor)
        let w = layout.weights.offset
        let multipliers = w + narrow(base.u64(r + O.multipliers))
        let shifts = w + narrow(base.u64(r + O.shifts))
        for c in 0..<narrow(channels) {
            let m = base.i32(multipliers + 4 * c)
            let s = base.i32(shifts + 4 * c)
            guard m >= 0, s >= -31, s <= (isWide ? 7 : 30) else { throw .badRequantization(op: j, channel: c, multiplier: m, shift: s) }
        }
    }

    /// The bias array of op `j`: `count` int32, or for a 16x8 op (`wide`) int64 of magnitude at
    /// most `BlobFormat.maximumWideBias`.
    func bias(_ j: Int, _ r: Int, count: UInt64, wide isWide: Bool, cursor: inout UInt64) throws(BlobError) {
        let field = r + BlobFormat.OpRecord.bias
        try array(j, field, count: count, elementSize: isWide ? 8 : 4, cursor: &cursor)
        guard isWide else { return }
        let start = layout.weights.offset + narrow(base.u64(field))
        for c in 0..<narrow(count) {
            let value = Int64(bitPattern: base.u64(start + 8 * c))
            guard value >= -BlobFormat.maximumWideBias, value <= BlobFormat.maximumWideBias else {
                throw .invalidField(.bias, section: .weights, offset: wide(start + 8 * c), value: value)
            }
        }
    }

    /// The three requantisations of add op `j` (input 1, input 2, output; docs/quantization.md
    /// "Add"): in bounds, in op order, multipliers >= 0, shifts in [-31, 0].
    func addRequantization(_ j: Int, _ r: Int, cursor: inout UInt64) throws(BlobError) {
        typealias O = BlobFormat.OpRecord
        try array(j, r + O.multipliers, count: 3, elementSize: 4, cursor: &cursor)
        try array(j, r + O.shifts, count: 3, elementSize: 4, cursor: &cursor)
        let w = layout.weights.offset
        let multipliers = w + narrow(base.u64(r + O.multipliers))
        let shifts = w + narrow(base.u64(r + O.shifts))
        for c in 0..<3 {
            let m = base.i32(multipliers + 4 * c)
            let s = base.i32(shifts + 4 * c)
            guard m >= 0, s >= -31, s <= 0 else { throw .badRequantization(op: j, channel: c, multiplier: m, shift: s) }
        }
    }

    /// The array whose u64 offset (in the weights section) is at `field` holds `count` elements
    /// inside the section, aligned to its element size, after every earlier array (`cursor`).
    func array(_ j: Int, _ field: Int, count: UInt64, elementSize: UInt64, cursor: inout UInt64, weights: Bool = false) throws(BlobError) {
        let offset = base.u64(field)
        let byteCount = count * elementSize
        guard offset >= cursor, offset % elementSize == 0, offset <= wide(layout.weights.length),
              byteCount <= wide(layout.weights.length) - offset
        else { throw .weightsOutOfBounds(op: j, offset: offset, byteCount: byteCount) }
        cursor = offset + byteCount
        guard weights else { return }
        let start = layout.weights.offset + narrow(offset)
        for i in 0..<narrow(count) where base.u8(start + i) == 0x80 {
            throw .weightOutOfRange(op: j, offset: wide(start + i))
        }
    }
}
