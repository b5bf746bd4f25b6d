// Softmax and expected value over a head's real outputs, docs/quantization.md "Softmax and
// expected value": float32 operations in a fixed order with the runtime's own exponential, so
// the probabilities and the expected value are bit-identical on every ISA.

/// What every probability of a softmax over `count` real values needs: the largest value, its
/// index (the first one on ties) and the sum of `e^(value_i - maximum)` in index order.
public struct SoftmaxTerms: Sendable, Equatable {
    /// The largest value.
    public var maximum: Float
    /// The index of the first largest value (the decision of a softmax head).
    public var argmax: Int
    /// `((e_0 + e_1) + e_2) + ...`, each `e_i = exponential(nonPositive: value_i - maximum)`; at least 1.
    public var sum: Float

    /// The terms of the values `value(0) ..< value(count)` (`count >= 1`, values finite).
    @inlinable
    public init(count: Int, _ value: (Int) -> Float) {
        var maximum = value(0), argmax = 0
        var i = 1
        while i < count {
            let v = value(i)
            if v > maximum { maximum = v; argmax = i }
            i += 1
        }
        var sum: Float = 0
        i = 0
        while i < count {
            sum = sum + exponential(nonPositive: value(i) - maximum)
            i += 1
        }
        self.maximum = maximum
        self.argmax = argmax
        self.sum = sum
    }

    /// The probability of a value: `e^(value - maximum) / sum`, one float32 division.
    @inlinable
    public func probability(_ value: Float) -> Float {
        exponential(nonPositive: value - maximum) / sum
    }

    /// The expected value `((p_0 * b_0 + p_1 * b_1) + ...)` in index order (each `p_i` as
    /// `probability(value(i))`, each product and sum one float32 operation, starting from 0),
    /// with `b_i = binValue(i)`.
    @inlinable
    public func expectedValue(count: Int, _ value: (Int) -> Float, binValue: (Int) -> Float) -> Float {
        var sum: Float = 0
        var i = 0
        while i < count {
            sum = sum + probability(value(i)) * binValue(i)
            i += 1
        }
        return sum
    }
}
