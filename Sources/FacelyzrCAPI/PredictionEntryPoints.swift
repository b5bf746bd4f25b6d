// The C entry points of include/facelyzr.h that say what the head outputs mean: the heads
// (kind, name, outputs), the outputs' labels, and the predictions the runtime computes from
// the raw int32 outputs (its own sigmoid and softmax, identical on every ISA). Floats cross the C
// boundary only through pointers, so the armv7 float ABI cannot matter.
import FacelyzrRuntime

@_cdecl("fz_model_head_count")
public func fz_model_head_count(_ storage: UnsafeRawPointer) -> Int {
    model(storage).headCount
}

/// `FZ_HEAD_BINARY` (0), `FZ_HEAD_REGRESSION` (1), `FZ_HEAD_MULTI_LABEL` (2), `FZ_HEAD_SOFTMAX` (3),
/// `FZ_HEAD_EXPECTED_VALUE` (4) or `FZ_HEAD_RAW` (5): `HeadKind`'s raw values.
@_cdecl("fz_model_head_kind")
public func fz_model_head_kind(_ storage: UnsafeRawPointer, _ index: Int) -> Int32 {
    Int32(bitPattern: model(storage).head(index).kind.rawValue)
}

@_cdecl("fz_model_head_name")
public func fz_model_head_name(_ storage: UnsafeRawPointer, _ index: Int, _ length: UnsafeMutablePointer<Int>) -> UnsafeRawPointer? {
    let name = model(storage).head(index).name
    length.pointee = name.count
    return name.baseAddress
}

@_cdecl("fz_model_head_outputs")
public func fz_model_head_outputs(
    _ storage: UnsafeRawPointer, _ index: Int, _ first: UnsafeMutablePointer<Int>, _ count: UnsafeMutablePointer<Int>
) {
    let head = model(storage).head(index)
    first.pointee = head.firstOutput
    count.pointee = head.outputCount
}

@_cdecl("fz_model_output_label")
public func fz_model_output_label(_ storage: UnsafeRawPointer, _ index: Int, _ length: UnsafeMutablePointer<Int>) -> UnsafeRawPointer? {
    let label = model(storage).outputLabel(index)
    length.pointee = label.count
    return label.baseAddress
}

@_cdecl("fz_model_output_value")
public func fz_model_output_value(_ storage: UnsafeRawPointer, _ index: Int, _ value: UnsafeMutablePointer<Float>) {
    value.pointee = model(storage).outputValue(index)
}

@_cdecl("fz_model_predictions")
public func fz_model_predictions(
    _ storage: UnsafeRawPointer, _ outputs: UnsafePointer<Int32>, _ predictions: UnsafeMutablePointer<Float>
) {
    model(storage).predictions(outputs: outputs, into: predictions)
}

@_cdecl("fz_model_head_result")
public func fz_model_head_result(
    _ storage: UnsafeRawPointer, _ index: Int, _ outputs: UnsafePointer<Int32>,
    _ decision: UnsafeMutablePointer<Int>, _ value: UnsafeMutablePointer<Float>
) {
    let result = model(storage).headResult(index, outputs: outputs)
    decision.pointee = result.decision
    value.pointee = result.value
}
