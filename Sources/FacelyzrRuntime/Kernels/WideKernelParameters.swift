// The vocabulary of the 16x8 ops (docs/quantization.md "16-bit activations"): an op with an
// int16 input or output tensor, int8 weights and int64 bias, TFLite's 16x8 quantization.

/// An activation element type: int8 (`TensorLayout.nhwcInt8`) or int16 (`nhwcInt16`). The
/// wide kernels are generic over it, specialised at compile time (no existentials).
public protocol ActivationElement: FixedWidthInteger, SignedInteger, Sendable {
    /// The tensor layout whose elements these are.
    static var layout: TensorLayout { get }
    /// The value, sign-extended.
    var int32: Int32 { get }
    /// `value`, which is within this type's range.
    init(narrowing value: Int32)
}

extension Int8: ActivationElement {
    @inlinable public static var layout: TensorLayout { .nhwcInt8 }
    @inlinable public var int32: Int32 { Int32(self) }
    @inlinable public init(narrowing value: Int32) { self.init(truncatingIfNeeded: value) }
}

extension Int16: ActivationElement {
    @inlinable public static var layout: TensorLayout { .nhwcInt16 }
    @inlinable public var int32: Int32 { Int32(self) }
    @inlinable public init(narrowing value: Int32) { self.init(truncatingIfNeeded: value) }
}

/// Per-output-channel int8 weights of a 16x8 op, with int64 bias and Q31 multipliers and shifts
/// (shifts in `[-31, 7]`). All pointers are views into the blob.
public struct WideWeights: @unchecked Sendable {
    public var weights: UnsafePointer<Int8>
    public var bias: UnsafePointer<Int64>
    public var multipliers: UnsafePointer<Int32>
    public var shifts: UnsafePointer<Int32>

    @inlinable
    public init(weights: UnsafePointer<Int8>, bias: UnsafePointer<Int64>, multipliers: UnsafePointer<Int32>, shifts: UnsafePointer<Int32>) {
        self.weights = weights
        self.bias = bias
        self.multipliers = multipliers
        self.shifts = shifts
    }
}
