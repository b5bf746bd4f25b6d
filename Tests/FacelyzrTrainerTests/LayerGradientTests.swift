import FacelyzrRandom
import FacelyzrRuntime
import Testing
@testable import FacelyzrTrainer

@Suite struct LayerGradientTests {
    struct ConvCase: CustomTestStringConvertible, Sendable {
        var h: Int, w: Int, c: Int, o: Int, k: Int, stride: Int, padding: Padding
        var testDescription: String { "\(h)x\(w)x\(c)->\(o) k\(k) s\(stride) \(padding)" }
    }

    static let convCases: [ConvCase] = [
        ConvCase(h: 5, w: 6, c: 2, o: 3, k: 3, stride: 1, padding: .same),
        ConvCase(h: 7, w: 5, c: 3, o: 2, k: 3, stride: 2, padding: .same),
        ConvCase(h: 6, w: 6, c: 2, o: 2, k: 5, stride: 2, padding: .same),
        ConvCase(h: 6, w: 7, c: 3, o: 4, k: 1, stride: 1, padding: .valid),
        ConvCase(h: 7, w: 7, c: 2, o: 3, k: 4, stride: 2, padding: .valid),
        ConvCase(h: 4, w: 4, c: 1, o: 2, k: 2, stride: 1, padding: .same),
    ]

    /// A plain loop nest over the definition, the oracle for the im2col + sgemm path.
    static func directConvolution(_ x: Tensor, _ w: Tensor, _ b: Tensor, _ g: Conv2DGeometry) -> Tensor {
        var y = Tensor(zeros: [x.batch, g.outputHeight, g.outputWidth, g.outputChannels])
        for n in 0..<x.batch {
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for o in 0..<g.outputChannels {
                        var s = Double(b.values[o])
                        for ky in 0..<g.kernelHeight {
                            for kx in 0..<g.kernelWidth {
                                let iy = oy * g.stride - g.padTop + ky, ix = ox * g.stride - g.padLeft + kx
                                guard iy >= 0, iy < g.inputHeight, ix >= 0, ix < g.inputWidth else { continue }
                                for c in 0..<g.inputChannels {
                                    let xv = x.values[((n * g.inputHeight + iy) * g.inputWidth + ix) * g.inputChannels + c]
                                    let wv = w.values[((o * g.kernelHeight + ky) * g.kernelWidth + kx) * g.inputChannels + c]
                                    s += Double(xv) * Double(wv)
                                }
                            }
                        }
                        y.values[((n * g.outputHeight + oy) * g.outputWidth + ox) * g.outputChannels + o] = Float(s)
                    }
                }
            }
        }
        return y
    }

    static func geometry(_ t: ConvCase) -> Conv2DGeometry {
        Conv2DGeometry(inputHeight: t.h, inputWidth: t.w, inputChannels: t.c, outputChannels: t.o,
                       kernelHeight: t.k, kernelWidth: t.k, stride: t.stride, padding: t.padding)
    }

    @Test(arguments: convCases)
    func conv2DForwardMatchesTheDirectLoopNest(_ t: ConvCase) {
        var gen = SplitMix64(state: 1)
        let g = Self.geometry(t)
        let x = randomTensor([2, t.h, t.w, t.c], &gen), w = randomTensor(g.weightShape, &gen), b = randomTensor([t.o], &gen)
        var columns: [Float] = []
        let y = conv2DForward(x, weight: w, bias: b, geometry: g, activation: .none, columns: &columns)
        let reference = Self.directConvolution(x, w, b, g)
        #expect(y.shape == reference.shape)
        for i in 0..<y.count { #expect(abs(y.values[i] - reference.values[i]) < 1e-5) }
    }

    @Test(arguments: convCases)
    func conv2DBackwardMatchesFiniteDifferences(_ t: ConvCase) {
        var gen = SplitMix64(state: 2)
        let g = Self.geometry(t)
        let x = randomTensor([2, t.h, t.w, t.c], &gen), w = randomTensor(g.weightShape, &gen), b = randomTensor([t.o], &gen)
        var columns: [Float] = []
        let y = conv2DForward(x, weight: w, bias: b, geometry: g, activation: .none, columns: &columns)
        let r = randomValues(y.count, &gen)
        var dw = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
        let dx = conv2DBackward(Tensor(shape: y.shape, values: r), output: y, columns: columns, weight: w, geometry: g,
                                activation: .none, weightGradient: &dw, biasGradient: &db, needsInputGradient: true)!
        func loss(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Double {
            var scratch: [Float] = []
            return projection(conv2DForward(x, weight: w, bias: b, geometry: g, activation: .none, columns: &scratch), r)
        }
        expectGradientMatches("dx", at: x.values, analytic: dx.values) { loss(Tensor(shape: x.shape, values: $0), w, b) }
        expectGradientMatches("dw", at: w.values, analytic: dw.values) { loss(x, Tensor(shape: w.shape, values: $0), b) }
        expectGradientMatches("db", at: b.values, analytic: db.values) { loss(x, w, Tensor(shape: b.shape, values: $0)) }
    }

    /// The input gradient is made a few images at a time (a buffer of about 1 MB): with images
    /// large enough for one per chunk (64x64, 3x3 over 4 channels), a batch of 3 gives each image
    /// the input gradient it gets alone, and every tap of the column gradient lands (compared
    /// with the loop nest's transpose: `dx = sum over outputs of delta * w`).
    @Test func inputGradientMadeImageByImageEqualsEachImageAlone() {
        var gen = SplitMix64(state: 7)
        let g = Self.geometry(ConvCase(h: 64, w: 64, c: 4, o: 5, k: 3, stride: 1, padding: .same))
        let x = randomTensor([3, 64, 64, 4], &gen), w = randomTensor(g.weightShape, &gen), b = randomTensor([5], &gen)
        var columns: [Float] = []
        let y = conv2DForward(x, weight: w, bias: b, geometry: g, activation: .none, columns: &columns)
        let r = Tensor(shape: y.shape, values: randomValues(y.count, &gen))
        func inputGradient(_ images: Range<Int>) -> [Float] {
            let item = 64 * 64 * 4, outItem = 64 * 64 * 5
            var cols: [Float] = []
            let part = Tensor(shape: [images.count, 64, 64, 4], values: Array(x.values[images.lowerBound * item..<images.upperBound * item]))
            let out = conv2DForward(part, weight: w, bias: b, geometry: g, activation: .none, columns: &cols)
            var dw = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
            let dy = Tensor(shape: out.shape, values: Array(r.values[images.lowerBound * outItem..<images.upperBound * outItem]))
            return conv2DBackward(dy, output: out, columns: cols, weight: w, geometry: g, activation: .none,
                                  weightGradient: &dw, biasGradient: &db, needsInputGradient: true)!.values
        }
        let whole = inputGradient(0..<3)
        #expect(whole == (0..<3).flatMap { inputGradient($0..<$0 + 1) })
        // The adjoint identity <dy, conv(x)> = <dx, x> for the bias-free part checks every tap landed.
        let linear = zip(r.values, y.values).enumerated().reduce(0.0) { s, e in
            s + Double(e.element.0) * Double(e.element.1 - b.values[e.offset % 5])
        }
        let adjoint = zip(whole, x.values).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(linear - adjoint) < 1e-3 * max(1, abs(linear)))
    }

    /// Fused activation = the activation layer after a linear convolution, forward and backward.
    @Test(arguments: [Activation.relu, .relu6])
    func fusedActivationEqualsConvolutionThenActivation(_ activation: Activation) {
        var gen = SplitMix64(state: 3)
        let g = Self.geometry(ConvCase(h: 6, w: 5, c: 2, o: 3, k: 3, stride: 1, padding: .same))
        let x = randomTensor([2, 6, 5, 2], &gen)
        var w = randomTensor(g.weightShape, &gen)
        for i in w.values.indices { w.values[i] *= 8 }  // reach the ReLU6 ceiling too
        let b = randomTensor([3], &gen)
        var columns: [Float] = []
        let fused = conv2DForward(x, weight: w, bias: b, geometry: g, activation: activation, columns: &columns)
        let linear = conv2DForward(x, weight: w, bias: b, geometry: g, activation: .none, columns: &columns)
        var activated = linear.values
        activationForward(&activated, activation)
        #expect(fused.values == activated)
        #expect(fused.values.contains(0) && (activation != .relu6 || fused.values.contains(6)))

        let r = Tensor(shape: fused.shape, values: randomValues(fused.count, &gen))
        var dw1 = Tensor(zeros: w.shape), db1 = Tensor(zeros: b.shape), dw2 = dw1, db2 = db1
        let dxFused = conv2DBackward(r, output: fused, columns: columns, weight: w, geometry: g, activation: activation,
                                     weightGradient: &dw1, biasGradient: &db1, needsInputGradient: true)!
        let masked = activationBackward(r.values, output: fused.values, activation)
        let dxLinear = conv2DBackward(Tensor(shape: r.shape, values: masked), output: linear, columns: columns, weight: w,
                                      geometry: g, activation: .none, weightGradient: &dw2, biasGradient: &db2,
                                      needsInputGradient: true)!
        #expect(dxFused == dxLinear && dw1 == dw2 && db1 == db2)
    }

    @Test(arguments: [Activation.relu, .relu6])
    func activationBackwardMatchesFiniteDifferences(_ activation: Activation) {
        var gen = SplitMix64(state: 4)
        // Away from the kinks at 0 and 6 by more than the step.
        let x = (0..<60).map { i -> Float in
            let v = Float(i % 20) * 0.4 - 3.9 + gen.unit() * 0.1
            return v
        }
        let r = randomValues(x.count, &gen)
        var y = x
        activationForward(&y, activation)
        let dx = activationBackward(r, output: y, activation)
        expectGradientMatches("relu dx", at: x, analytic: dx, samples: 60) {
            var v = $0
            activationForward(&v, activation)
            return projection(Tensor(shape: [v.count], values: v), r)
        }
    }

    @Test func denseBackwardMatchesFiniteDifferences() {
        var gen = SplitMix64(state: 5)
        let x = randomTensor([3, 2, 2, 3], &gen), w = randomTensor([5, 12], &gen), b = randomTensor([5], &gen)
        let y = denseForward(x, weight: w, bias: b, activation: .none)
        #expect(y.shape == [3, 5])
        let r = randomValues(y.count, &gen)
        var dw = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
        let dx = denseBackward(Tensor(shape: y.shape, values: r), output: y, input: x, weight: w, activation: .none,
                               weightGradient: &dw, biasGradient: &db, needsInputGradient: true)!
        #expect(dx.shape == x.shape)
        func loss(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Double {
            projection(denseForward(x, weight: w, bias: b, activation: .none), r)
        }
        expectGradientMatches("dx", at: x.values, analytic: dx.values) { loss(Tensor(shape: x.shape, values: $0), w, b) }
        expectGradientMatches("dw", at: w.values, analytic: dw.values) { loss(x, Tensor(shape: w.shape, values: $0), b) }
        expectGradientMatches("db", at: b.values, analytic: db.values) { loss(x, w, Tensor(shape: b.shape, values: $0)) }
    }

    /// Distinct values 0.05 apart in random order, so no window's maximum changes within the step.
    static func maxPoolInput(_ shape: [Int], _ gen: inout SplitMix64) -> Tensor {
        var values = (0..<shape.reduce(1, *)).map { Float($0) * 0.05 - 1 }
        values.shuffle(using: &gen)
        return Tensor(shape: shape, values: values)
    }

    @Test func maxPoolForwardTakesTheWindowMaximumAndBackwardMatchesFiniteDifferences() {
        var gen = SplitMix64(state: 6)
        let x = Self.maxPoolInput([2, 5, 4, 3], &gen)  // odd height: the last row is dropped ("valid")
        var switches: [Int] = []
        let y = maxPool2x2Forward(x, switches: &switches)
        #expect(y.shape == [2, 2, 2, 3])
        let expected = x.values[((1 * 5 + 2) * 4 + 2) * 3 + 1 ..< ((1 * 5 + 2) * 4 + 2) * 3 + 2]
            + x.values[((1 * 5 + 2) * 4 + 3) * 3 + 1 ..< ((1 * 5 + 2) * 4 + 3) * 3 + 2]
            + x.values[((1 * 5 + 3) * 4 + 2) * 3 + 1 ..< ((1 * 5 + 3) * 4 + 2) * 3 + 2]
            + x.values[((1 * 5 + 3) * 4 + 3) * 3 + 1 ..< ((1 * 5 + 3) * 4 + 3) * 3 + 2]
        #expect(y.values[((1 * 2 + 1) * 2 + 1) * 3 + 1] == expected.max())
        let r = randomValues(y.count, &gen)
        let dx = maxPool2x2Backward(Tensor(shape: y.shape, values: r), switches: switches, inputShape: x.shape)
        expectGradientMatches("max pool dx", at: x.values, analytic: dx.values, samples: 120) {
            var s: [Int] = []
            return projection(maxPool2x2Forward(Tensor(shape: x.shape, values: $0), switches: &s), r)
        }
    }

    /// The pools' vectorised loops against a plain scan: several vectors of channels plus a
    /// remainder (6 and 9), ties (values from a small set: the first tap in scan order wins), an
    /// odd width (the last column, in no window, gets a zero gradient) and -0 gradients (+0 out,
    /// as a sum onto zero gives), compared bit for bit.
    @Test(arguments: [[2, 4, 6, 6], [1, 3, 5, 9]])
    func maxPoolMatchesAPlainScanBitForBit(shape: [Int]) {
        var gen = SplitMix64(state: 8)
        let x = Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(gen.next() % 3) })
        var switches: [Int] = []
        let y = maxPool2x2Forward(x, switches: &switches)
        let (h, w, c) = (shape[1], shape[2], shape[3])
        let dy = (0..<y.count).map { i in i % 5 == 0 ? -Float.zero : Float(i % 7) - 3 }
        var expectedDx = [Float](repeating: 0, count: x.count)
        var o = 0
        for n in 0..<shape[0] {
            for oy in 0..<h / 2 {
                for ox in 0..<w / 2 {
                    for ch in 0..<c {
                        let taps = [(0, 0), (0, 1), (1, 0), (1, 1)].map { ((n * h + 2 * oy + $0.0) * w + 2 * ox + $0.1) * c + ch }
                        var best = taps[0]
                        for t in taps.dropFirst() where x.values[t] > x.values[best] { best = t }
                        #expect(switches[o] == best && y.values[o] == x.values[best])
                        expectedDx[best] += dy[o]
                        o += 1
                    }
                }
            }
        }
        let dx = maxPool2x2Backward(Tensor(shape: y.shape, values: dy), switches: switches, inputShape: shape)
        #expect(dx.values.map(\.bitPattern) == expectedDx.map(\.bitPattern))
    }

    /// The convolution forward runs im2col and sgemm a few images at a time; a batch large
    /// enough to be split must give each image exactly what it gets alone, columns included.
    @Test func convolutionForwardOfASplitBatchEqualsEachImageAlone() {
        var gen = SplitMix64(state: 9)
        let g = Conv2DGeometry(inputHeight: 64, inputWidth: 64, inputChannels: 16, outputChannels: 3,
                               kernelHeight: 3, kernelWidth: 3, stride: 1, padding: .same)
        let x = randomTensor([3, 64, 64, 16], &gen)
        let weight = randomTensor(g.weightShape, &gen), bias = randomTensor([3], &gen)
        var columns: [Float] = []
        let y = conv2DForward(x, weight: weight, bias: bias, geometry: g, activation: .relu, columns: &columns)
        let image = 64 * 64 * 16, patches = 64 * 64 * g.patchLength
        for n in 0..<3 {
            var alone: [Float] = []
            let one = Tensor(shape: [1, 64, 64, 16], values: Array(x.values[n * image ..< (n + 1) * image]))
            let yn = conv2DForward(one, weight: weight, bias: bias, geometry: g, activation: .relu, columns: &alone)
            #expect(Array(y.values[n * yn.count ..< (n + 1) * yn.count]) == yn.values)
            #expect(Array(columns[n * patches ..< (n + 1) * patches]) == alone)
        }
    }

    @Test func maxUnpoolPutsValuesBackAtTheSwitchesAndBackwardMatchesFiniteDifferences() {
        var gen = SplitMix64(state: 7)
        let x = Self.maxPoolInput([1, 4, 4, 2], &gen)
        var switches: [Int] = []
        let pooled = maxPool2x2Forward(x, switches: &switches)
        let unpooled = maxUnpool2x2Forward(pooled, switches: switches, outputShape: x.shape)
        for i in 0..<x.count { #expect(unpooled.values[i] == (switches.contains(i) ? x.values[i] : 0)) }
        let r = randomValues(x.count, &gen)
        let dp = maxUnpool2x2Backward(Tensor(shape: x.shape, values: r), switches: switches, inputShape: pooled.shape)
        expectGradientMatches("unpool dx", at: pooled.values, analytic: dp.values) {
            projection(maxUnpool2x2Forward(Tensor(shape: pooled.shape, values: $0), switches: switches, outputShape: x.shape), r)
        }
    }

    /// A linear layer given as forward and backward closures.
    static func checkLinear(_ what: String, inputShape: [Int], seed: UInt64,
                            forward: (Tensor) -> Tensor, backward: (Tensor) -> Tensor) {
        var gen = SplitMix64(state: seed)
        let x = randomTensor(inputShape, &gen)
        let y = forward(x)
        let r = randomValues(y.count, &gen)
        let dx = backward(Tensor(shape: y.shape, values: r))
        #expect(dx.shape == x.shape)
        expectGradientMatches(what, at: x.values, analytic: dx.values) { projection(forward(Tensor(shape: x.shape, values: $0)), r) }
    }

    @Test func averagePoolBackwardMatchesFiniteDifferences() {
        let shape = [2, 5, 6, 3]
        #expect(averagePool2x2Forward(Tensor(shape: [1, 2, 2, 1], values: [1, 2, 3, 6])).values == [3])
        Self.checkLinear("average pool", inputShape: shape, seed: 8, forward: averagePool2x2Forward) {
            averagePool2x2Backward($0, inputShape: shape)
        }
    }

    @Test func globalAveragePoolBackwardMatchesFiniteDifferences() {
        let shape = [2, 3, 4, 5]
        Self.checkLinear("global average pool", inputShape: shape, seed: 9, forward: globalAveragePoolForward) {
            globalAveragePoolBackward($0, inputShape: shape)
        }
    }

    @Test func upsampleBackwardMatchesFiniteDifferences() {
        let inputShape = [2, 3, 3, 2], outputShape = [2, 5, 6, 2]
        Self.checkLinear("upsample", inputShape: inputShape, seed: 10, forward: { upsample2xForward($0, outputShape: outputShape) }) {
            upsample2xBackward($0, inputShape: inputShape)
        }
    }

    @Test func dropoutKeepsTheExpectedFractionAndBackwardMatchesFiniteDifferences() {
        var gen = SplitMix64(state: 11)
        var mask: [Float] = []
        let ones = Tensor(shape: [1000], values: [Float](repeating: 1, count: 1000))
        let y = dropoutForward(ones, rate: 0.25, generator: &gen, mask: &mask)
        let kept = y.values.filter { $0 != 0 }
        #expect(abs(Float(kept.count) / 1000 - 0.75) < 0.05)
        #expect(kept.allSatisfy { abs($0 - 4.0 / 3.0) < 1e-6 })
        Self.checkLinear("dropout", inputShape: [4, 10], seed: 12, forward: { x in
            var sameMask = SplitMix64(state: 13), m: [Float] = []
            return dropoutForward(x, rate: 0.5, generator: &sameMask, mask: &m)
        }) { dy in
            var sameMask = SplitMix64(state: 13), m: [Float] = []
            _ = dropoutForward(Tensor(zeros: [4, 10]), rate: 0.5, generator: &sameMask, mask: &m)
            return dropoutBackward(dy, mask: m)
        }
    }

    /// A small network through `Sequential`: the chain rule across layers, parameters included.
    @Test func sequentialBackwardMatchesFiniteDifferences() {
        var gen = SplitMix64(state: 14)
        let g = Conv2DGeometry(inputHeight: 6, inputWidth: 6, inputChannels: 2, outputChannels: 3,
                               kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .same)
        var net = Sequential([
            Conv2DLayer(geometry: g, activation: .none, generator: &gen),
            AveragePool2x2Layer(),
            GlobalAveragePoolLayer(),
            DenseLayer(inputCount: 3, outputCount: 2, activation: .none, generator: &gen),
        ])
        let x = randomTensor([2, 6, 6, 2], &gen)
        let y = net.forward(x, training: true, generator: &gen)
        let r = randomValues(y.count, &gen)
        let dx = net.backward(Tensor(shape: y.shape, values: r), needsInputGradient: true)!
        var names: [String] = []
        net.visitParameters { name, _ in names.append(name) }
        #expect(names == ["0.weight", "0.bias", "3.weight", "3.bias"])
        let frozen = net
        expectGradientMatches("network dx", at: x.values, analytic: dx.values) {
            var n = frozen, s = SplitMix64(state: 0)
            return projection(n.forward(Tensor(shape: x.shape, values: $0), training: false, generator: &s), r)
        }
        var convWeight = Parameter(Tensor(zeros: [0]))
        net.visitParameters { name, p in if name == "0.weight" { convWeight = p } }
        expectGradientMatches("network conv dw", at: convWeight.value.values, analytic: convWeight.gradient.values) { w in
            var n = frozen, s = SplitMix64(state: 0)
            n.visitParameters { name, p in if name == "0.weight" { p.value.values = w } }
            return projection(n.forward(x, training: false, generator: &s), r)
        }
    }
}
