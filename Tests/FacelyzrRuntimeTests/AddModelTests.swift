import FacelyzrBlobBuilder
@testable import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// The add op in a model (format v2): the skip tensor survives in the arena until the add reads
/// it, every kernel set agrees, and hostile add records are refused (docs/blob-format.md).
@Suite struct AddModelTests {
    typealias O = BlobFormat.OpRecord
    typealias T = BlobFormat.TensorRecord
    let blob = BlobPatch(TestModels.residual())
    /// Ops of `TestModels.residual`: 0 conv (skip), 1 conv, 2 add, 3 max pool, 4 depthwise, 5 add,
    /// 6-7 pads, 8 global average pool, 9-10 heads.
    static let adds = [2, 5]

    @Test func residualModelIsVersion2AndChainsStayVersion1() throws {
        #expect(try withModel(blob.bytes) { $0.formatVersion } == 2)
        #expect(try withModel(TestModels.everyOp().build().bytes) { $0.formatVersion } == 1)
        #expect(try withModel(TestModels.convolutionsAndPools().build().bytes) { $0.formatVersion } == 1)
    }

    /// Each add's output, as predict wrote it, equals `Reference.add` on its two inputs as the
    /// earlier ops wrote them: had the arena put anything over the skip tensor before the add,
    /// the add would have read other bytes. Reference, Fast and Fast over packed weights agree.
    @Test func addsReadTheirInputsIntactAndEveryKernelSetAgrees() throws {
        try withModel(blob.bytes) { model in
            for seed in 0..<8 as Range<UInt64> {
                let pixels = TestModels.pixels(model.input.byteCount, seed: seed)
                let reference = run(model, pixels, Reference.self)
                #expect(run(model, pixels, Fast.self) == reference)
                #expect(run(model, pixels, Fast.self, packed: true) == reference)
                #expect(run(model, pixels, Fast.self, packed: true, layerOutputs: false).outputs == reference.outputs)
                for index in Self.adds {
                    let o = model.op(index)
                    #expect(o.kind == .add)
                    func layer(_ tensor: Int) -> [Int8] {
                        let writer = (0..<index).first { model.op($0).output == tensor }!
                        let range = model.layerOutputRange(op: writer)
                        return Array(reference.layers[range.offset..<(range.offset + range.count)])
                    }
                    let m: UnsafePointer<Int32> = model.weightArray(o.multipliersOffset)
                    let s: UnsafePointer<Int32> = model.weightArray(o.shiftsOffset)
                    let (a, b, y) = (model.tensor(o.input), model.tensor(o.secondInput), model.tensor(o.output))
                    let p = AddParameters(
                        count: y.shape.elementCount, input1ZeroPoint: a.zeroPoint, input2ZeroPoint: b.zeroPoint,
                        input1Multiplier: m[0], input1Shift: s[0], input2Multiplier: m[1], input2Shift: s[1],
                        outputMultiplier: m[2], outputShift: s[2], outputZeroPoint: y.zeroPoint,
                        outputMin: o.outputMin, outputMax: o.outputMax)
                    let second = layer(o.secondInput)
                    let expected = second.withUnsafeBufferPointer { b in
                        run(layer(o.input), outputCount: p.count) { Reference.add(p, input1: $0, input2: b.baseAddress!, output: $1) }
                    }
                    let range = model.layerOutputRange(op: index)
                    #expect(Array(reference.layers[range.offset..<(range.offset + range.count)]) == expected, "add op \(index), seed \(seed)")
                    // Not a vacuous check: the add changes its input.
                    #expect(expected != layer(o.input))
                }
            }
        }
    }

    @Test func skipTensorLivesUntilTheAdd() {
        let lifetimes = ArenaPlan.lifetimes(tensorCount: 4, inputTensor: 0, ops: [([0], 1), ([1], 2), ([1, 2], 3)])
        #expect(lifetimes[1] == 0...2 && lifetimes[2] == 1...2)
        let plan = TestModels.residual().arenaPlan()
        let skip = plan.offsets[1]..<(plan.offsets[1] + 384), branch = plan.offsets[2]..<(plan.offsets[2] + 384)
        #expect(!skip.overlaps(branch))
    }

    /// Pads: the output holds the input at its offset and the zero point elsewhere; hostile
    /// amounts (an input that does not fit the output) and a changed quantization are refused.
    @Test func padsCopyTheirInputAndAreChecked() throws {
        try withModel(blob.bytes) { model in
            let first = model.op(6), second = model.op(7)
            #expect(first.kind == .pad && second.kind == .pad)
            #expect((first.padTop, first.padLeft, first.padChannels) == (0, 0, 0) && (second.padTop, second.padChannels) == (1, 0))
            let layers = run(model, TestModels.pixels(model.input.byteCount)).layers
            func layer(_ op: Int) -> [Int8] {
                let range = model.layerOutputRange(op: op)
                return Array(layers[range.offset..<(range.offset + range.count)])
            }
            let (input, padded) = (layer(5), layer(6))
            let zp = Int8(model.tensor(first.output).zeroPoint)
            #expect(padded.count == 5 * 5 * 6 && input.count == 4 * 4 * 6)
            for y in 0..<5 {
                for x in 0..<5 {
                    for c in 0..<6 {
                        #expect(padded[(y * 5 + x) * 6 + c] == (y < 4 && x < 4 ? input[(y * 4 + x) * 6 + c] : zp))
                    }
                }
            }
        }
        let r = blob.op(7)
        var p = blob
        p.set(r + O.padChannels, UInt32(3))  // 6 channels at +3 do not fit 8
        if case .shapeMismatch(op: 7, _, _) = p.openError() {} else { Issue.record("pad overflowing its output accepted") }
        p = blob
        p.set(r + O.padTop, UInt32.max)
        if case .shapeMismatch(op: 7, _, _) = p.openError() {} else { Issue.record("huge pad accepted") }
        p = blob
        p.set(blob.tensor(8) + T.zeroPoint, Int32(4))
        #expect(p.openError() == .quantizationMismatch(op: 7))
        p = blob
        p.set(r + O.rounding, UInt8(1))
        #expect(p.openError() == .reservedNotZero(offset: UInt64(r + O.rounding)))
    }

    @Test func addIsUnknownToVersion1() {
        var p = blob
        p.set(BlobFormat.Header.version, UInt32(1))
        #expect(p.openError() == .unknownOp(code: OpKind.add.rawValue, offset: UInt64(blob.op(2))))
    }

    @Test func hostileAddRecordsAreRefused() {
        let r = blob.op(2)
        let tensorCount = Int(blob.u64(blob.entry(.tensors) + BlobFormat.SectionEntry.length)) / T.size
        // Second input out of range.
        var p = blob
        p.set(r + O.secondInput, UInt32(tensorCount))
        #expect(p.openError() == .invalidField(.opInput, section: .ops, offset: UInt64(r + O.secondInput), value: Int64(tensorCount)))
        // A forward reference (tensor 5, written by op 4) and its own output (a cycle): not yet written.
        for tensor in [5, 3] as [UInt32] {
            p = blob
            p.set(r + O.secondInput, tensor)
            #expect(p.openError() == .tensorNotProduced(op: 2, tensor: Int(tensor)), "second input \(tensor)")
        }
        // Shapes: the second input 4x4 (the max pool's output, written later: use op 5's add,
        // whose inputs are 4x4, and point it at the 8x8 skip tensor).
        p = blob
        p.set(blob.op(5) + O.secondInput, UInt32(1))
        if case .shapeMismatch(op: 5, _, _) = p.openError() {} else { Issue.record("add of two shapes accepted") }
        // The output over the skip tensor (tensor 1, read by this add): aliasing.
        p = blob
        p.set(blob.tensor(3) + T.arenaOffset, blob.u64(blob.tensor(1) + T.arenaOffset))
        if case .arenaConflict(tensor: 1, _, reader: 2) = p.openError() {} else { Issue.record("add writing over its skip input accepted") }
        // The output over the second input (tensor 2): the second input's bytes are checked too.
        p = blob
        p.set(blob.tensor(3) + T.arenaOffset, blob.u64(blob.tensor(2) + T.arenaOffset))
        #expect(p.openError() == .arenaConflict(tensor: 2, writer: 2, reader: 2))
        // Single rounding, a kernel, weights: not an add's.
        p = blob
        p.set(r + O.rounding, UInt8(1))
        #expect(p.openError() == .invalidField(.rounding, section: .ops, offset: UInt64(r + O.rounding), value: 1))
        p = blob
        p.set(r + O.kernelHeight, UInt8(3))
        #expect(p.openError() == .reservedNotZero(offset: UInt64(r + O.kernelHeight)))
        p = blob
        p.set(r + O.weights, UInt64(16))
        #expect(p.openError() == .reservedNotZero(offset: UInt64(r + O.weights)))
    }

    @Test func addRequantizationIsBounded() {
        let r = blob.op(2)
        let weights = blob.section(.weights)
        let multipliers = weights + Int(blob.u64(r + O.multipliers))
        let shifts = weights + Int(blob.u64(r + O.shifts))
        for c in 0..<3 {
            var p = blob
            p.set(shifts + 4 * c, Int32(1))  // a factor of 1 or more: no left shift in an add
            if case .badRequantization(op: 2, channel: c, _, shift: 1) = p.openError() {} else { Issue.record("shift 1 accepted, channel \(c)") }
            p = blob
            p.set(multipliers + 4 * c, Int32(-1))
            if case .badRequantization(op: 2, channel: c, multiplier: -1, _) = p.openError() {} else { Issue.record("negative multiplier accepted, channel \(c)") }
        }
        // The arrays hold 3 values, after the earlier ops' arrays.
        var p = blob
        p.set(r + O.shifts, UInt64(blob.u64(blob.entry(.weights) + BlobFormat.SectionEntry.length)) - 8)
        if case .weightsOutOfBounds(op: 2, _, _) = p.openError() {} else { Issue.record("short shift array accepted") }
        p = blob
        p.set(r + O.multipliers, UInt64(0))
        if case .weightsOutOfBounds(op: 2, _, _) = p.openError() {} else { Issue.record("multipliers over an earlier op's weights accepted") }
    }

    @Test func quantizerFactorsFollowTFLite() throws {
        // docs/quantization.md "Add", hand-worked: scales 0.5, 0.25 -> 0.5.
        let r = try #require(BlobBuilder.addRequantization(input1: 0.5, input2: 0.25, output: 0.5))
        #expect(r.map(\.multiplier) == [1 << 30, 1 << 30, 1 << 30] && r.map(\.shift) == [0, -1, -18])
        let p = AddParameters(
            count: 1, input1ZeroPoint: 0, input2ZeroPoint: 1, input1Multiplier: r[0].multiplier, input1Shift: r[0].shift,
            input2Multiplier: r[1].multiplier, input2Shift: r[1].shift, outputMultiplier: r[2].multiplier,
            outputShift: r[2].shift, outputZeroPoint: 0, outputMin: -128, outputMax: 127)
        #expect([p.element(3, 5), p.element(1, 2), p.element(-1, 0), p.element(127, 127), p.element(-128, -128)] == [5, 2, -2, 127, -128])
        // An output 2^19 times finer than its inputs needs a factor of 1: refused.
        #expect(BlobBuilder.addRequantization(input1: 1, input2: 1, output: Float(2.0 / 1_048_576)) == nil)
    }
}
