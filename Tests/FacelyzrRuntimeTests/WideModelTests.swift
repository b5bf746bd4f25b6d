import FacelyzrBlobBuilder
@testable import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// 16x8 models (format version 5, docs/quantization.md section 11) through the executor: every
/// op's output is its Reference wide kernel's on the previous outputs, Fast equals Reference,
/// int8 models keep their version, and hostile int16 records are refused.
@Suite struct WideModelTests {
    typealias O = BlobFormat.OpRecord
    typealias T = BlobFormat.TensorRecord

    @Test func opensAsVersion5WithItsOpsWide() throws {
        try withModel(TestModels.wide().build().bytes) { model in
            #expect(model.formatVersion == 5)
            #expect((0..<model.opCount).allSatisfy { model.op($0).isWide })
            #expect(model.tensor(model.inputTensor).layout == .nhwcInt8)
            let narrow = (0..<model.tensorCount).filter { model.tensor($0).layout == .nhwcInt8 }
            #expect(narrow.count == 2)  // the pixels and the int8 boundary
        }
        // A model without int16 tensors is the blob it was.
        try withModel(TestModels.residual().build().bytes) { #expect($0.formatVersion == 2) }
    }

    /// Each op's layer output is what its Reference wide kernel computes from the layer outputs
    /// before it (the executor's element types, offsets and parameters), and the heads'
    /// accumulators too.
    @Test func everyLayerIsItsKernelsOutput() throws {
        try withModel(TestModels.wide().build().bytes) { model in
            let pixels = TestModels.pixels(model.input.byteCount)
            let result = run(model, pixels, Reference.self)
            var arena = [UInt8](repeating: 0, count: model.arenaByteCount)
            var outputs = [Int32](repeating: 0, count: model.outputCount)
            arena.withUnsafeMutableBytes { a in
                outputs.withUnsafeMutableBufferPointer { o in
                    let inputOffset = model.tensor(model.inputTensor).arenaOffset
                    for i in pixels.indices { a[inputOffset + i] = pixels[i] ^ 0x80 }
                    for index in 0..<model.opCount {
                        model.runWide(op: index, using: Reference.self, arena: a.baseAddress!, outputs: o.baseAddress!)
                        let op = model.op(index)
                        guard op.kind != .fullyConnectedAccumulators else { continue }
                        let range = model.layerOutputRange(op: index)
                        let t = model.tensor(op.output)
                        let written = (0..<t.byteCount).map { Int8(bitPattern: a[t.arenaOffset + $0]) }
                        #expect(written == Array(result.layers[range.offset..<(range.offset + range.count)]), "op \(index) \(op.kind)")
                        #expect(range.count == t.shape.elementCount * t.layout.elementSize)
                    }
                }
            }
            #expect(outputs == result.outputs)
            // The head over the int16 dense layer saturates its bias of 2^40 (x 1e-9 = 1100 real) to int32.
            #expect(result.outputs[0] == Int32.max && result.outputs[1] == Int32.min)
            // ReLU in int16: the stem's outputs are all >= 0, and some are above int8's range.
            let stem = model.layerOutputRange(op: 0)
            let values = stride(from: stem.offset, to: stem.offset + stem.count, by: 2).map {
                Int16(bitPattern: UInt16(UInt8(bitPattern: result.layers[$0])) | UInt16(UInt8(bitPattern: result.layers[$0 + 1])) << 8)
            }
            #expect(values.allSatisfy { $0 >= 0 } && values.contains { $0 > 127 })
        }
    }

    @Test func fastEqualsReference() throws {
        try withModel(TestModels.wide().build().bytes) { model in
            for seed in UInt64(1)...8 {
                let pixels = TestModels.pixels(model.input.byteCount, seed: seed)
                let reference = run(model, pixels, Reference.self)
                #expect(run(model, pixels, Fast.self) == reference, "seed \(seed)")
                #expect(run(model, pixels, Fast.self, packed: true) == reference, "seed \(seed), packed")
                #expect(run(model, pixels, Fast.self, packed: true, layerOutputs: false).outputs == reference.outputs, "seed \(seed), fused")
            }
        }
    }

    @Test func hostileWideRecordsAreRefused() throws {
        let built = BlobPatch(TestModels.wide())
        // Layout 1 in a blob stamped 4.
        var old = built
        old.set(BlobFormat.Header.version, UInt32(4))
        #expect(old.openError() == .invalidField(.tensorLayout, section: .tensors, offset: UInt64(old.tensor(1) + T.layout), value: 1))
        // An int16 tensor with a zero point.
        var zero = built
        zero.set(zero.tensor(1) + T.zeroPoint, Int32(3))
        #expect(zero.openError() == .invalidField(.zeroPoint, section: .tensors, offset: UInt64(zero.tensor(1) + T.zeroPoint), value: 3))
        // The input tensor int16.
        var input = built
        input.set(input.tensor(0) + T.layout, UInt32(1))
        #expect(input.openError() != nil)
        // A bias beyond 2^46.
        var bias = built
        let biasOffset = bias.section(.weights) + Int(bias.u64(bias.op(0) + O.bias))
        bias.set(biasOffset, (Int64(1) << 46) + 1)
        #expect(bias.openError() == .invalidField(.bias, section: .weights, offset: UInt64(biasOffset), value: (Int64(1) << 46) + 1))
        // A shift above 7.
        var shift = built
        shift.set(shift.section(.weights) + Int(shift.u64(shift.op(0) + O.shifts)), Int32(8))
        if case .badRequantization(op: 0, channel: 0, _, shift: 8)? = shift.openError() {} else { Issue.record("shift 8") }
        // The rounding byte set.
        var rounding = built
        rounding.set(rounding.op(0) + O.rounding, UInt8(1))
        #expect(rounding.openError() == .invalidField(.rounding, section: .ops, offset: UInt64(rounding.op(0) + O.rounding), value: 1))
        // A clamp beyond int16.
        var clamp = built
        clamp.set(clamp.op(0) + O.outputMax, Int32(32768))
        #expect(clamp.openError() == .invalidField(.clamp, section: .ops, offset: UInt64(clamp.op(0) + O.outputMin), value: 0))
        // An average pool whose output is int8 while its input is int16.
        var pool = built
        pool.set(pool.tensor(Int(pool.u32(pool.op(4) + O.output))) + T.layout, UInt32(0))
        #expect(pool.openError() == .quantizationMismatch(op: 4))
        // An add of an int16 and an int8 tensor.
        var add = built
        add.set(add.op(3) + O.secondInput, UInt32(0))
        #expect(add.openError() == .quantizationMismatch(op: 3))
    }
}
