import CBLAS
import FacelyzrRuntime

/// Shape arithmetic of one 2-D convolution on NHWC input with OHWI weights, using the runtime's
/// TensorFlow padding rule (`Padding.outputLength`), so an exported layer means the same thing.
public struct Conv2DGeometry: Sendable, Equatable {
    public var inputHeight: Int, inputWidth: Int, inputChannels: Int
    public var outputChannels: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var stride: Int
    public var padding: Padding
    public let outputHeight: Int, outputWidth: Int
    public let padTop: Int, padLeft: Int

    public init(
        inputHeight: Int, inputWidth: Int, inputChannels: Int, outputChannels: Int,
        kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Padding
    ) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
        (outputHeight, padTop) = padding.outputLength(input: inputHeight, kernel: kernelHeight, stride: stride)
        (outputWidth, padLeft) = padding.outputLength(input: inputWidth, kernel: kernelWidth, stride: stride)
    }

    /// Length of one im2col row: the weights of one output channel.
    public var patchLength: Int { kernelHeight * kernelWidth * inputChannels }
    /// Weight shape, OHWI.
    public var weightShape: [Int] { [outputChannels, kernelHeight, kernelWidth, inputChannels] }
    /// Multiply-accumulates per image.
    public var multiplyAccumulates: Int { outputHeight * outputWidth * outputChannels * patchLength }
}

/// What ``walkTaps`` does at each tap: `im2col` copies the tap into its place in the columns
/// (zeros for a tap in the padding); its adjoint `col2im` adds that place back onto the tap.
private enum TapTransfer { case gather, scatterAdd }

/// Moves `count` adjacent values between the input at `tap` and the columns as `transfer` says.
/// A plain loop adds them (cheaper than a saxpy call); copying is a loop for a few values and
/// memmove from 16 on.
@inline(__always)
private func move(_ transfer: TapTransfer, _ tap: UnsafeMutablePointer<Float>, _ column: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    switch transfer {
    case .gather:
        if count >= 16 {
            column.update(from: tap, count: count)
        } else {
            while i < count { column[i] = tap[i]; i += 1 }
        }
    case .scatterAdd:
        while i < count { tap[i] += column[i]; i += 1 }
    }
}

/// Walks every tap of every receptive field of `batch` images (`[N, H, W, C]`) in im2col order
/// (image, output row, output column, `ky`, `kx`), moving its `C` values between `input` and
/// the columns (`[N * outH * outW, kh * kw * C]`) as `transfer` says. `im2col` and `col2im`
/// share this walk, so they agree on every tap; `transfer` writes only its destination.
///
/// `while` loops over pointers and a `switch`, no closure: they run in debug builds too (the
/// tests), where range iteration costs a generic call per step.
private func walkTaps(
    _ transfer: TapTransfer, input: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>,
    batch: Int, _ g: Conv2DGeometry
) {
    let c = g.inputChannels, run = g.kernelWidth * c
    var column = columns
    var n = 0
    while n < batch {
        let image = input + n * g.inputHeight * g.inputWidth * c
        var oy = 0
        while oy < g.outputHeight {
            var ox = 0
            while ox < g.outputWidth {
                let ix0 = ox * g.stride - g.padLeft
                let rowInside = ix0 >= 0 && ix0 + g.kernelWidth <= g.inputWidth
                var ky = 0
                while ky < g.kernelHeight {
                    let iy = oy * g.stride - g.padTop + ky
                    if iy < 0 || iy >= g.inputHeight {
                        // The whole kernel row is in the padding.
                        if case .gather = transfer { column.update(repeating: 0, count: run) }
                        column += run
                    } else if rowInside {
                        // The kernel row's taps are adjacent pixels: one run of `kw * C` values.
                        move(transfer, image + (iy * g.inputWidth + ix0) * c, column, run)
                        column += run
                    } else {
                        var kx = 0
                        while kx < g.kernelWidth {
                            let ix = ix0 + kx
                            if ix >= 0 && ix < g.inputWidth {
                                move(transfer, image + (iy * g.inputWidth + ix) * c, column, c)
                            } else if case .gather = transfer {
                                column.update(repeating: 0, count: c)
                            }
                            column += c
                            kx += 1
                        }
                    }
                    ky += 1
                }
                ox += 1
            }
            oy += 1
        }
        n += 1
    }
}

/// Unfolds every receptive field of `input` (`[N, H, W, C]`) into one row of `columns`
/// (`[N * outH * outW, kh * kw * C]`, the row in `ky, kx, c` order, like an OHWI filter).
/// Taps in the padding are zero.
private func im2col(_ input: UnsafePointer<Float>, batch: Int, _ g: Conv2DGeometry, into columns: UnsafeMutablePointer<Float>) {
    walkTaps(.gather, input: UnsafeMutablePointer(mutating: input), columns: columns, batch: batch, g)
}

/// The adjoint of `im2col`: adds every row of `columns` back onto the taps it came from.
private func col2im(_ columns: UnsafePointer<Float>, batch: Int, _ g: Conv2DGeometry, into input: UnsafeMutablePointer<Float>) {
    walkTaps(.scatterAdd, input: input, columns: UnsafeMutablePointer(mutating: columns), batch: batch, g)
}

/// Convolution forward: `output[n, oy, ox, o] = act(bias[o] + sum w[o, ky, kx, c] * x[n, iy, ix, c])`
/// by im2col and `sgemm`, a few images at a time. `columns` receives the whole batch's im2col
/// matrix, which `conv2DBackward` needs.
public func conv2DForward(
    _ input: Tensor, weight: Tensor, bias: Tensor, geometry g: Conv2DGeometry, activation: Activation,
    columns: inout [Float]
) -> Tensor {
    precondition(input.shape.count == 4 && Array(input.shape[1...]) == [g.inputHeight, g.inputWidth, g.inputChannels],
                 "conv2d input shape \(input.shape) does not match the geometry")
    precondition(weight.shape == g.weightShape && bias.shape == [g.outputChannels], "conv2d weight or bias shape")
    let batch = input.batch
    let rows = batch * g.outputHeight * g.outputWidth
    if columns.count != rows * g.patchLength { columns = [Float](repeating: 0, count: rows * g.patchLength) }
    var output = Tensor(uninitialized: [batch, g.outputHeight, g.outputWidth, g.outputChannels])
    // A few images at a time (about 1 MB of columns): `sgemm` packs each chunk's columns right
    // after `im2col` wrote them, while they are still in cache, instead of reading the whole
    // batch's back from memory. Each row of the product is the same dot product whatever the chunk.
    let rowsPerImage = g.outputHeight * g.outputWidth
    let imagesPerChunk = min(batch, max(1, (1 << 18) / max(rowsPerImage * g.patchLength, 1)))
    let imageSize = g.inputHeight * g.inputWidth * g.inputChannels
    input.values.withUnsafeBufferPointer { x in
        columns.withUnsafeMutableBufferPointer { cols in
            weight.values.withUnsafeBufferPointer { w in
                output.values.withUnsafeMutableBufferPointer { y in
                    fillRows(y.baseAddress!, rows: rows, with: bias.values)
                    var n = 0
                    while n < batch {
                        let images = min(imagesPerChunk, batch - n), first = n * rowsPerImage
                        let chunk = cols.baseAddress! + first * g.patchLength
                        im2col(x.baseAddress! + n * imageSize, batch: images, g, into: chunk)
                        matrixMultiply(chunk, transposeA: false, w.baseAddress!, transposeB: true,
                                       into: y.baseAddress! + first * g.outputChannels,
                                       m: images * rowsPerImage, n: g.outputChannels, k: g.patchLength, beta: 1)
                        n += images
                    }
                }
            }
        }
    }
    activationForward(&output.values, activation)
    return output
}

/// Convolution backward. Adds the weight and bias gradients into `weightGradient` and
/// `biasGradient`; returns the input gradient when `needsInputGradient` (the first layer of a
/// network does not need one).
public func conv2DBackward(
    _ outputGradient: Tensor, output: Tensor, columns: [Float], weight: Tensor, geometry g: Conv2DGeometry,
    activation: Activation, weightGradient: inout Tensor, biasGradient: inout Tensor, needsInputGradient: Bool
) -> Tensor? {
    precondition(outputGradient.shape == output.shape, "conv2d output gradient shape")
    let batch = output.batch
    let rows = batch * g.outputHeight * g.outputWidth
    let delta = activationBackward(outputGradient.values, output: output.values, activation)
    delta.withUnsafeBufferPointer { d in
        columns.withUnsafeBufferPointer { cols in
            weightGradient.values.withUnsafeMutableBufferPointer { dw in
                matrixMultiply(d.baseAddress!, transposeA: true, cols.baseAddress!, transposeB: false,
                               into: dw.baseAddress!, m: g.outputChannels, n: g.patchLength, k: rows, beta: 1)
            }
        }
        sumRows(d.baseAddress!, rows: rows, into: &biasGradient.values)
    }
    guard needsInputGradient else { return nil }
    // The column gradient `delta · W` is made and folded back (`col2im`) a few images at a time
    // in one reused buffer of about 1 MB: the whole batch's is as large as the im2col matrix
    // (75 MB for a decoder at 64x64), and a fresh buffer that size costs a page fault per 4 KB
    // every step. Each row of the product is the same dot products whatever the chunk.
    let rowsPerImage = g.outputHeight * g.outputWidth
    let imagesPerChunk = min(batch, max(1, (1 << 18) / max(rowsPerImage * g.patchLength, 1)))
    let chunkCount = imagesPerChunk * rowsPerImage * g.patchLength
    var columnGradient = [Float](unsafeUninitializedCapacity: chunkCount) { _, initialized in initialized = chunkCount }
    var inputGradient = Tensor(zeros: [batch, g.inputHeight, g.inputWidth, g.inputChannels])
    let imageSize = g.inputHeight * g.inputWidth * g.inputChannels
    delta.withUnsafeBufferPointer { d in
        weight.values.withUnsafeBufferPointer { w in
            columnGradient.withUnsafeMutableBufferPointer { dc in
                inputGradient.values.withUnsafeMutableBufferPointer { dx in
                    var n = 0
                    while n < batch {
                        let images = min(imagesPerChunk, batch - n)
                        matrixMultiply(d.baseAddress! + n * rowsPerImage * g.outputChannels, transposeA: false,
                                       w.baseAddress!, transposeB: false, into: dc.baseAddress!,
                                       m: images * rowsPerImage, n: g.patchLength, k: g.outputChannels)
                        col2im(dc.baseAddress!, batch: images, g, into: dx.baseAddress! + n * imageSize)
                        n += images
                    }
                }
            }
        }
    }
    return inputGradient
}

/// Sets each of the `rows` rows of `y` to `values` (a bias, before a product adds onto it).
func fillRows(_ y: UnsafeMutablePointer<Float>, rows: Int, with values: [Float]) {
    values.withUnsafeBufferPointer { b in fillRows(y, rows: rows, pointer: b.baseAddress!, count: b.count) }
}

/// Sets each of the `rows` rows of `count` values of `y` to the `count` values at `row`.
func fillRows(_ y: UnsafeMutablePointer<Float>, rows: Int, pointer row: UnsafePointer<Float>, count: Int) {
    var destination = y, r = 0
    while r < rows {
        // A loop, not a memmove call per row: rows are often a few values (a decoder's 3 channels).
        var i = 0
        while i < count { destination[i] = row[i]; i += 1 }
        destination += count
        r += 1
    }
}

/// `sums[o] += sum over rows of d[r][o]` (a bias gradient), as `dᵀ · 1` by `sgemv`.
func sumRows(_ d: UnsafePointer<Float>, rows: Int, into sums: inout [Float]) {
    let ones = [Float](repeating: 1, count: rows)
    let n = sums.count
    sums.withUnsafeMutableBufferPointer { s in
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(n), 1, d, Int32(n), ones, 1, 1, s.baseAddress!, 1)
    }
}
