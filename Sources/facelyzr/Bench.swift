import ArgumentParser
import FacelyzrBlobBuilder
import FacelyzrFiles
import FacelyzrHost
import FacelyzrRunCommands
import FacelyzrRuntime
import Foundation
import MallocInterposerSwift

/// `facelyzr bench [BLOB]`: latency of `Model.predict` per model and per op, MAC/s, arena bytes
/// and heap allocations per inference (docs/benchmarks.md).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time a model blob with the runtime: whole inference and each op.",
        discussion: """
            Runs BLOB (by default the random-weight reference encoder, RandomEncoder: 64x64x3, \
            conv 3x3 16/32/64/64 with max pools, 13.6 M MACs) on one thread: WARMUP inferences, \
            then RUNS timed ones, and prints the median, 10th and 90th percentile latency, \
            MAC/s, the arena against its liveness lower bound, then each op's median alone. \
            Heap allocations per inference are counted when malloc-interposer is preloaded \
            (LD_PRELOAD=.build/release/libMallocInterposerSwift.so), with a control allocation \
            proving the counter is live; otherwise they are reported as not counted. \
            --inferences N runs exactly N inferences and nothing else, for instruction counts \
            (valgrind --tool=callgrind; see docs/benchmarks.md).
            """)

    @Argument(help: "A model blob (default: the random-weight reference encoder).")
    var blob: String?

    @Option(help: "Timed inferences (and timed runs of each op).")
    var runs = 2000

    @Option(help: "Untimed inferences before timing.")
    var warmup = 200

    @Option(help: "Kernel set: fast or reference.")
    var kernels = "fast"

    @Option(help: "Only run this many inferences, untimed, and print the outputs' checksum.")
    var inferences: Int?

    @Option(help: "Write the model benchmarked (e.g. the default encoder) to this file and exit.")
    var saveModel: String?

    @Option(help: """
        Run input INDEX (pseudo-random pixels, RandomEncoder.pixels) once and write the pixels, \
        then every int8 op's output in op order, then the int32 head outputs to this file and exit \
        (tools/peers compares them layer by layer).
        """)
    var dumpLayers: String?

    @Flag(help: "Run on the blob's canonical weights instead of packing them at load.")
    var canonicalWeights = false

    @Option(help: "Input index for --dump-layers and timing.")
    var inputIndex = 0

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func validate() throws {
        let runsBound = OptionBounds.benchRuns
        try requireOption("--runs", runs, in: 1...runsBound, "in 1...\(runsBound) (timed inferences; every op's time of every run is kept)")
        try requireOption("--warmup", warmup, in: 0...runsBound, "in 0...\(runsBound) (untimed inferences)")
        if let inferences { try requireOption("--inferences", inferences, in: 1...OptionBounds.steps, "in 1...\(OptionBounds.steps) (untimed inferences)") }
        try requireOption("--input-index", inputIndex, in: 0...Int.max, "0 or more (an index of the random inputs)")
    }

    func run() throws {
        let loaded: LoadedModel
        do {
            loaded = try blob.map { try LoadedModel(path: $0) } ?? LoadedModel(bytes: RandomEncoder.builder().build().bytes)
        } catch {
            throw Failure(description: "\(error)")
        }
        if let saveModel {
            try AtomicFileWriter.write(Array(loaded.bytes), to: saveModel)
            print("wrote \(saveModel) (\(loaded.bytes.count) bytes)")
            return
        }
        let name = blob ?? "random-encoder-64 (RandomEncoder, seed 64)"
        try withExtendedLifetime(loaded) {
            switch kernels {
            case "fast": try measure(loaded.model, Fast.self, name: name)
            case "reference": try measure(loaded.model, Reference.self, name: name)
            default: throw ValidationError("--kernels must be fast or reference")
            }
        }
    }

    func measure<K: KernelSet>(_ model: Model, _ kernels: K.Type, name: String) throws {
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaByteCount, 1), alignment: 64)
        let outputs = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(model.outputCount, 1))
        let pixels = RandomEncoder.pixels(model.input.byteCount, index: inputIndex)
        let packedByteCount = canonicalWeights ? 0 : model.packedWeightsByteCount(for: K.self)
        let packedBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(packedByteCount, 1), alignment: 64)
        if packedByteCount > 0 { model.packWeights(for: K.self, into: packedBuffer.baseAddress!) }
        let packed = packedByteCount > 0 ? UnsafeRawPointer(packedBuffer.baseAddress!) : nil
        defer {
            arena.deallocate()
            outputs.deallocate()
            packedBuffer.deallocate()
        }
        if let dumpLayers {
            var layers = [Int8](repeating: 0, count: model.layerOutputByteCount)
            layers.withUnsafeMutableBufferPointer { l in
                pixels.withUnsafeBufferPointer { p in
                    model.predict(using: K.self, pixels: p.baseAddress!, arena: arena.baseAddress!,
                                  outputs: outputs.baseAddress!, layerOutputs: l.baseAddress!, packedWeights: packed)
                }
            }
            var file = pixels
            file += layers.map { UInt8(bitPattern: $0) }
            for value in outputs { withUnsafeBytes(of: value.littleEndian) { file += $0 } }
            try AtomicFileWriter.write(file, to: dumpLayers)
            return
        }
        let inference = {
            pixels.withUnsafeBufferPointer { p in
                model.predict(using: K.self, pixels: p.baseAddress!, arena: arena.baseAddress!,
                              outputs: outputs.baseAddress!, layerOutputs: nil, packedWeights: packed)
            }
        }
        if let inferences {
            for _ in 0..<inferences { inference() }
            print("inferences=\(inferences) outputs-checksum=\(checksum(outputs))")
            return
        }

        let macs = (0..<model.opCount).reduce(UInt64(0)) { $0 + model.multiplyAccumulates(op: $1) }
        for _ in 0..<warmup { inference() }
        let latencies = timings(runs, inference)
        let median = latencies.median
        let inspection = BlobInspection(model)
        print("model: \(name)")
        print("kernels: \(kernels), one thread, \(warmup) warm-up + \(runs) timed inferences")
        print(String(format: "latency: median %.1f us, min %.1f us, p10 %.1f us, p90 %.1f us",
                     median / 1000, latencies.percentile(0) / 1000, latencies.percentile(0.1) / 1000,
                     latencies.percentile(0.9) / 1000))
        print(String(format: "MACs: %.2f M per inference, %.2f G MAC/s at the median",
                     Double(macs) / 1e6, Double(macs) / median))
        print(String(format: "arena: %d bytes, liveness lower bound %d (%.3fx)", model.arenaByteCount,
                     inspection.livenessLowerBound,
                     Double(model.arenaByteCount) / Double(max(inspection.livenessLowerBound, 1))))
        print("packed weights: \(packedByteCount) bytes" + (canonicalWeights ? " (--canonical-weights)" : ", packed at load"))
        print("heap allocations per inference: \(allocationsPerInference(inference))")
        print("outputs checksum: \(checksum(outputs))")
        print("per op (median of \(runs) runs of the op alone; predict runs a conv2D and the max pool after it as one step),")
        print("with the kernel the plan gives it (facelyzr inspect says why):")
        for (index, op) in inspection.ops.enumerated() {
            let plan = model.kernelPlan(op: index, packedWeights: packed)
            let opTimes = timings(runs) {
                model.run(op: index, using: K.self, arena: arena.baseAddress!, outputs: outputs.baseAddress!,
                          packedWeights: packed)
            }.median
            let rate = op.macs > 0 ? String(format: ", %6.2f G MAC/s", Double(op.macs) / opTimes) : ""
            let kind = op.kind.padding(toLength: 26, withPad: " ", startingAt: 0)
            print(String(format: "  %2d ", index) + kind + String(format: " %9.1f us %9d MACs", opTimes / 1000, op.macs) + rate
                  + "  \(plan.variant.name) \(plan.mode.name)")
            if plan.fusesMaxPool {
                let fusedTimes = timings(runs) {
                    model.run(op: index, using: K.self, arena: arena.baseAddress!, outputs: outputs.baseAddress!,
                              packedWeights: packed, fusingMaxPool: true)
                }.median
                print(String(format: "  %2d+%d fused with the max pool    %9.1f us (as predict runs them)", index, index + 1, fusedTimes / 1000)
                      + ", max pool \(plan.maxPool.name)")
            }
        }
    }

    /// `count` wall-clock durations of `body`, in nanoseconds.
    func timings(_ count: Int, _ body: () -> Void) -> [Double] {
        var result = [Double](repeating: 0, count: count)
        for i in 0..<count {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            result[i] = Double(DispatchTime.now().uptimeNanoseconds - start)
        }
        return result
    }

    /// Mallocs per inference over 100 inferences, or why they were not counted.
    func allocationsPerInference(_ inference: () -> Void) -> String {
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.reset()
        MallocInterposerSwift.hook()
        for _ in 0..<100 { inference() }
        MallocInterposerSwift.unhook()
        let counted = MallocInterposerSwift.getStatistics().mallocCount
        // Control: one deliberate allocation must be seen, or the counter is not live.
        MallocInterposerSwift.reset()
        MallocInterposerSwift.hook()
        let control = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        MallocInterposerSwift.unhook()
        control.deallocate()
        guard MallocInterposerSwift.getStatistics().mallocCount > 0 else {
            return "not counted (run with LD_PRELOAD=.build/release/libMallocInterposerSwift.so)"
        }
        return String(format: "%.2f (%d mallocs in 100 inferences; control allocation counted)",
                      Double(counted) / 100, counted)
    }

    func checksum(_ outputs: UnsafeMutableBufferPointer<Int32>) -> UInt32 {
        outputs.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32(bitPattern: $1)) &* 16_777_619 }
    }
}

extension [Double] {
    var median: Double { percentile(0.5) }

    func percentile(_ p: Double) -> Double {
        let sorted = self.sorted()
        return sorted[Swift.min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
    }
}
