// Counts the heap allocations of predict in a process of its own.
//
//     LD_PRELOAD=.build/debug/libMallocInterposerSwift.so \
//         .build/debug/facelyzr-alloc-probe MODE BLOB [ITERATIONS]
//
// Opens BLOB as a `LoadedModel` (what the host programs run), runs MODE once, then ITERATIONS
// (default 10) more times, with malloc-interposer counting both apart, and prints
// `first-call-allocations=N allocations=N frees=N bytes=N` (the last three for the ITERATIONS
// calls after the first).
// MODE: `predict` (`LoadedModel.run`: packed weights, reused arena), `predict-layers` (the debug
// variant that copies each layer's output), `canonical` (`Model.predict` on the blob's own
// weights, as `fz_model_predict` runs, then what the heads make of the outputs, as
// `fz_model_predictions` and `fz_model_head_result` compute it), `detect` (BLOB is a face / not-face model; one
// `Localiser.detect` on a 128x96 frame per iteration, with the packed weights), or `control`,
// which deliberately allocates each time: proof that the counter is live.
// Tests/FacelyzrAllocationTests runs it.
import FacelyzrDetection
import FacelyzrHost
import FacelyzrRuntime
import MallocInterposerSwift

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String) -> Never {
    let line = "facelyzr-alloc-probe: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(1)
}

/// Keeps the control's allocation observable so the optimiser cannot remove it.
nonisolated(unsafe) var controlSink: [Int32] = []
/// Keeps the head results observable.
nonisolated(unsafe) var headSink: Float = 0

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4,
      let iterations = arguments.count == 4 ? Int(arguments[3]) : 10, iterations > 0
else { fail("usage: facelyzr-alloc-probe predict|predict-layers|canonical|detect|control BLOB [ITERATIONS]") }
let mode = arguments[1]

let loaded: LoadedModel
do {
    loaded = try LoadedModel(path: arguments[2])
} catch {
    fail("\(error)")
}
let model = loaded.model
let pixels = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: model.input.byteCount)
for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: i &* 7919) }

let run: () -> Void
switch mode {
case "predict":
    run = { loaded.run(UnsafeBufferPointer(pixels)) }
case "predict-layers":
    run = { loaded.run(UnsafeBufferPointer(pixels), layerOutputs: true) }
case "canonical":
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaByteCount, 1), alignment: 16)
    let outputs = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(model.outputCount, 1))
    let predictions = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(model.outputCount, 1))
    run = {
        model.predict(pixels: pixels.baseAddress!, arena: arena.baseAddress!, outputs: outputs.baseAddress!)
        model.predictions(outputs: outputs.baseAddress!, into: predictions.baseAddress!)
        for h in 0..<model.headCount { headSink += model.headResult(h, outputs: outputs.baseAddress!).value }
    }
case "detect":
    let localiser: Localiser
    do {
        localiser = try Localiser(model: model, frameWidth: 128, frameHeight: 96)
    } catch {
        fail("\(arguments[2]): \(error)")
    }
    let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16)
    let frame = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 128 * 96)
    for i in frame.indices { frame[i] = UInt8(truncatingIfNeeded: (i % 128) ^ (i / 128) &* 3) }
    let boxes = UnsafeMutableBufferPointer<DetectionBox>.allocate(capacity: 64)
    run = {
        do {
            _ = try localiser.detect(frame: UnsafeBufferPointer(frame), workspace: workspace,
                                     packedWeights: loaded.packedWeights, boxes: boxes)
        } catch {
            fail("detect: \(error)")
        }
    }
case "control":
    run = {
        loaded.run(UnsafeBufferPointer(pixels))
        controlSink = Array(loaded.rawOutputs)
    }
default:
    fail("unknown mode '\(mode)'")
}

MallocInterposerSwift.initialize()
// The first call is counted apart: it may initialise lazily.
MallocInterposerSwift.reset()
MallocInterposerSwift.hook()
run()
MallocInterposerSwift.unhook()
let first = MallocInterposerSwift.getStatistics()
MallocInterposerSwift.reset()
MallocInterposerSwift.hook()
for _ in 0..<iterations { run() }
MallocInterposerSwift.unhook()
let statistics = MallocInterposerSwift.getStatistics()
print("first-call-allocations=\(first.mallocCount) allocations=\(statistics.mallocCount) "
      + "frees=\(statistics.freeCount) bytes=\(statistics.mallocBytesCount)")
