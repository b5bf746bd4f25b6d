// Counts the heap allocations of `Model.predict` in a process of its own.
//
//     LD_PRELOAD=.build/debug/libMallocInterposerSwift.so \
//         .build/debug/facelyzr-alloc-probe MODE BLOB [ITERATIONS]
//
// Opens BLOB, runs MODE once, then ITERATIONS (default 10) more times, with malloc-interposer
// counting both apart, and prints `first-call-allocations=N allocations=N frees=N bytes=N`
// (the last three for the ITERATIONS calls after the first).
// MODE: `predict`, `predict-layers` (the debug variant that copies each layer's output),
// `detect` (BLOB is a face / not-face model; one `Localiser.detect` on a 128x96 frame per
// iteration, with packed weights), or `control`, which deliberately allocates each time: proof
// that the counter is live.
// Tests/FacelyzrAllocationTests runs it.
import FacelyzrDetection
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

/// The whole file, in 16-byte aligned memory (blobs are used in place).
func readFile(_ path: String) -> UnsafeMutableRawBufferPointer {
    guard let file = fopen(path, "rb") else { fail("\(path): cannot open") }
    defer { fclose(file) }
    fseek(file, 0, SEEK_END)
    let length = ftell(file)
    fseek(file, 0, SEEK_SET)
    guard length >= 0 else { fail("\(path): cannot size") }
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(length, 1), alignment: 16)
    guard fread(bytes.baseAddress, 1, length, file) == length else { fail("\(path): short read") }
    return UnsafeMutableRawBufferPointer(rebasing: bytes[..<length])
}

/// Keeps the control's allocation observable so the optimiser cannot remove it.
nonisolated(unsafe) var controlSink: [Int32] = []

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4,
      let iterations = arguments.count == 4 ? Int(arguments[3]) : 10, iterations > 0
else { fail("usage: facelyzr-alloc-probe predict|predict-layers|detect|control BLOB [ITERATIONS]") }
let mode = arguments[1]

let blob = readFile(arguments[2])
let model: Model
do {
    model = try Model(bytes: UnsafeRawBufferPointer(blob))
} catch {
    fail("\(arguments[2]): \(error)")
}
let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaByteCount, 1), alignment: 16)
let outputs = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(model.outputCount, 1))
let layerOutputs = UnsafeMutableBufferPointer<Int8>.allocate(capacity: max(model.layerOutputByteCount, 1))
let pixels = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(model.input.byteCount, 1))
for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: i &* 7919) }

let run: () -> Void
switch mode {
case "predict":
    run = { model.predict(pixels: pixels.baseAddress!, arena: arena.baseAddress!, outputs: outputs.baseAddress!) }
case "predict-layers":
    run = {
        model.predict(
            pixels: pixels.baseAddress!, arena: arena.baseAddress!, outputs: outputs.baseAddress!,
            layerOutputs: layerOutputs.baseAddress!)
    }
case "detect":
    let localiser: Localiser
    do {
        localiser = try Localiser(model: model, frameWidth: 128, frameHeight: 96)
    } catch {
        fail("\(arguments[2]): \(error)")
    }
    let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16)
    let packed = UnsafeMutableRawBufferPointer.allocate(
        byteCount: max(model.packedWeightsByteCount(for: DefaultKernels.self), 1), alignment: 64)
    model.packWeights(for: DefaultKernels.self, into: packed.baseAddress!)
    let frame = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 128 * 96)
    for i in frame.indices { frame[i] = UInt8(truncatingIfNeeded: (i % 128) ^ (i / 128) &* 3) }
    let boxes = UnsafeMutableBufferPointer<DetectionBox>.allocate(capacity: 64)
    run = {
        do {
            _ = try localiser.detect(frame: UnsafeBufferPointer(frame), workspace: workspace,
                                     packedWeights: UnsafeRawPointer(packed.baseAddress!), boxes: boxes)
        } catch {
            fail("detect: \(error)")
        }
    }
case "control":
    run = {
        model.predict(pixels: pixels.baseAddress!, arena: arena.baseAddress!, outputs: outputs.baseAddress!)
        controlSink = Array(outputs)
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
