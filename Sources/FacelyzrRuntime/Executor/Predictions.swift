extension Model {
    /// The head that owns head output `index`.
    public func head(owning index: Int) -> HeadDescription {
        var h = 0
        while h + 1 < headCount && head(h + 1).firstOutput <= index { h += 1 }
        return head(h)
    }

    /// The real value of head output `index`, `Float(accumulator) * scale` (docs/quantization.md "Heads").
    @inlinable
    public func realOutput(_ index: Int, outputs: UnsafePointer<Int32>) -> Float {
        dequantizeHeadOutput(outputs[index], scale: outputScale(index))
    }

    /// What head output `index` means, from the int32 `outputs` `predict` wrote
    /// (docs/quantization.md "Heads"): a probability `sigmoid(real)` for binary and multi-label
    /// heads, the probability of its class or bin over the head (softmax) for softmax and
    /// expected-value heads, the real value `scale * accumulator` for regression and raw heads.
    /// For every output of a head at once, `predictions(outputs:into:)` is faster.
    public func prediction(output index: Int, outputs: UnsafePointer<Int32>) -> Float {
        let head = head(owning: index)
        switch head.kind {
        case .binary, .multiLabel: return sigmoid(realOutput(index, outputs: outputs))
        case .regression, .raw: return realOutput(index, outputs: outputs)
        case .softmax, .expectedValue:
            return softmaxTerms(head, outputs: outputs).probability(realOutput(index, outputs: outputs))
        }
    }

    /// `prediction(output:outputs:)` of all `outputCount` outputs, each head's softmax computed once.
    public func predictions(outputs: UnsafePointer<Int32>, into predictions: UnsafeMutablePointer<Float>) {
        var h = 0
        while h < headCount {
            let head = head(h)
            let terms = head.kind == .softmax || head.kind == .expectedValue ? softmaxTerms(head, outputs: outputs) : nil
            var i = head.firstOutput
            while i < head.firstOutput + head.outputCount {
                let real = realOutput(i, outputs: outputs)
                switch head.kind {
                case .binary, .multiLabel: predictions[i] = sigmoid(real)
                case .regression, .raw: predictions[i] = real
                case .softmax, .expectedValue: predictions[i] = terms!.probability(real)
                }
                i += 1
            }
            h += 1
        }
    }

    /// What head `index` decides, from the int32 `outputs` `predict` wrote: `decision`, the
    /// output (counted from the head's first) with the largest real value, the first on ties
    /// (a softmax head's class); `value`, the expected value `sum p_i * value_i` of an
    /// expected-value head (an age), else the decided output's prediction.
    public func headResult(_ index: Int, outputs: UnsafePointer<Int32>) -> HeadResult {
        let head = head(index)
        let terms = softmaxTerms(head, outputs: outputs)
        let first = head.firstOutput
        switch head.kind {
        case .expectedValue:
            let value = terms.expectedValue(
                count: head.outputCount, { realOutput(first + $0, outputs: outputs) }, binValue: { outputValue(first + $0) })
            return HeadResult(decision: terms.argmax, value: value)
        case .softmax:
            return HeadResult(decision: terms.argmax, value: terms.probability(terms.maximum))
        case .binary, .multiLabel, .regression, .raw:
            return HeadResult(decision: terms.argmax, value: prediction(output: first + terms.argmax, outputs: outputs))
        }
    }

    func softmaxTerms(_ head: HeadDescription, outputs: UnsafePointer<Int32>) -> SoftmaxTerms {
        SoftmaxTerms(count: head.outputCount) { realOutput(head.firstOutput + $0, outputs: outputs) }
    }
}

/// What a head decides (`Model.headResult(_:outputs:)`).
public struct HeadResult: Sendable, Equatable {
    /// The output with the largest real value, counted from the head's first output (first on ties).
    public var decision: Int
    /// The expected value of an expected-value head; otherwise the decided output's prediction.
    public var value: Float

    public init(decision: Int, value: Float) {
        self.decision = decision
        self.value = value
    }
}
