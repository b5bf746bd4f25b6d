import FacelyzrData
import FacelyzrImaging
import FacelyzrRandom
import Testing

/// A frame's planes in arrays with padded rows, random content (padding included, so a read
/// past a row's end shows up as a wrong value).
struct TestFrame {
    var width: Int, height: Int, format: PixelFormat
    var planes: [[UInt8]]
    var strides: [Int]

    init(width: Int, height: Int, format: PixelFormat, padding: Int, random: inout SplitMix64) {
        self.width = width
        self.height = height
        self.format = format
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        let layout: [(rowBytes: Int, rows: Int)] = switch format {
        case .gray8: [(width, height)]
        case .rgb24: [(3 * width, height)]
        case .yuyv: [(4 * cw, height)]
        case .nv12: [(width, height), (2 * cw, ch)]
        case .yuv420p: [(width, height), (cw, ch), (cw, ch)]
        }
        strides = layout.map { $0.rowBytes + padding }
        planes = zip(layout, strides).map { plane, stride in
            (0..<stride * plane.rows).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
    }

    /// Calls `body` with a ``Frame`` over these planes.
    func with<R>(_ body: (Frame) -> R) -> R {
        func pointer(_ i: Int, _ rest: [UnsafePointer<UInt8>?], _ done: ([UnsafePointer<UInt8>?]) -> R) -> R {
            if i == planes.count { return done(rest) }
            return planes[i].withUnsafeBufferPointer { pointer(i + 1, rest + [$0.baseAddress], done) }
        }
        return pointer(0, []) { p in
            let s = strides + [0, 0, 0]
            let all = p + [nil, nil, nil]
            return body(Frame(width: width, height: height, format: format,
                              planes: (all[0], all[1], all[2]), strides: (s[0], s[1], s[2])))
        }
    }

    /// The frame as the host sees it: gray for gray8, RGB (``Frame/rgb(x:y:)``) otherwise.
    var image: Image {
        with { frame in
            var image = Image(width: width, height: height, channels: format.channels)
            for y in 0..<height {
                for x in 0..<width {
                    let i = (y * width + x) * format.channels
                    if format == .gray8 {
                        image.pixels[i] = frame.luma(x: x, y: y)
                    } else {
                        let (r, g, b) = frame.rgb(x: x, y: y)
                        image.pixels[i] = r; image.pixels[i + 1] = g; image.pixels[i + 2] = b
                    }
                }
            }
            return image
        }
    }

    var luma: [UInt8] {
        with { frame in
            [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
                frame.extractLuma(into: buffer.baseAddress!)
                count = width * height
            }
        }
    }
}

@Suite struct FrameTests {
    static let sizes = [(1, 1), (7, 5), (33, 20), (64, 64), (91, 77)]

    @Test func rgbLumaIsTheHostsGrayscaleBitForBit() {
        var random = SplitMix64(seed: 15, index: 0)
        for (w, h) in Self.sizes {
            let frame = TestFrame(width: w, height: h, format: .rgb24, padding: 5, random: &random)
            #expect(frame.luma == frame.image.grayscale().pixels, "\(w)x\(h)")
        }
    }

    @Test(arguments: [PixelFormat.gray8, .yuv420p, .nv12, .yuyv])
    func lumaOfGrayAndYUVIsTheYPlane(format: PixelFormat) {
        var random = SplitMix64(seed: 15, index: 1)
        for (w, h) in Self.sizes {
            let frame = TestFrame(width: w, height: h, format: format, padding: 3, random: &random)
            let step = format == .yuyv ? 2 : 1
            let expected = (0..<h).flatMap { y in (0..<w).map { x in frame.planes[0][y * frame.strides[0] + step * x] } }
            #expect(frame.luma == expected, "\(format) \(w)x\(h)")
        }
    }

    /// The three YUV layouts of the same samples give the same RGB, within one step of the
    /// BT.601 limited-range formula in Double.
    @Test func yuvLayoutsAgreeAndFollowLimitedRangeBT601() {
        var random = SplitMix64(seed: 15, index: 2)
        let (w, h) = (13, 9), cw = 7, ch = 5
        let i420 = TestFrame(width: w, height: h, format: .yuv420p, padding: 4, random: &random)
        var nv12 = TestFrame(width: w, height: h, format: .nv12, padding: 2, random: &random)
        var yuyv = TestFrame(width: w, height: h, format: .yuyv, padding: 6, random: &random)
        for y in 0..<h {
            for x in 0..<w {
                let luma = i420.planes[0][y * i420.strides[0] + x]
                nv12.planes[0][y * nv12.strides[0] + x] = luma
                yuyv.planes[0][y * yuyv.strides[0] + 2 * x] = luma
            }
        }
        for y in 0..<ch {
            for x in 0..<cw {
                let u = i420.planes[1][y * i420.strides[1] + x], v = i420.planes[2][y * i420.strides[2] + x]
                nv12.planes[1][y * nv12.strides[1] + 2 * x] = u
                nv12.planes[1][y * nv12.strides[1] + 2 * x + 1] = v
                for row in [2 * y, 2 * y + 1] where row < h {
                    yuyv.planes[0][row * yuyv.strides[0] + 4 * x + 1] = u
                    yuyv.planes[0][row * yuyv.strides[0] + 4 * x + 3] = v
                }
            }
        }
        let rgb = i420.image
        #expect(nv12.image.pixels == rgb.pixels)
        #expect(yuyv.image.pixels == rgb.pixels)
        for y in 0..<h {
            for x in 0..<w {
                let Y = Double(i420.planes[0][y * i420.strides[0] + x]) - 16
                let U = Double(i420.planes[1][(y / 2) * i420.strides[1] + x / 2]) - 128
                let V = Double(i420.planes[2][(y / 2) * i420.strides[2] + x / 2]) - 128
                let exact = [1.164 * Y + 1.596 * V, 1.164 * Y - 0.392 * U - 0.813 * V, 1.164 * Y + 2.017 * U]
                for c in 0..<3 {
                    let got = Double(rgb.pixels[(y * w + x) * 3 + c])
                    #expect(abs(got - min(255, max(0, exact[c]))) <= 1.5, "(\(x), \(y)) channel \(c)")
                }
            }
        }
    }

    /// A box of any frame becomes the same model input as the host's `analyze`
    /// (`prepareCenterSquare` of the crop): shrinking, enlarging, the same size, both channel counts.
    @Test(arguments: [PixelFormat.gray8, .rgb24, .yuv420p, .nv12, .yuyv])
    func cropIsTheHostsPreparedInputBitForBit(format: PixelFormat) {
        var random = SplitMix64(seed: 15, index: 3)
        let frame = TestFrame(width: 97, height: 71, format: format, padding: 7, random: &random)
        let image = frame.image
        let boxes = [(0, 0, 97, 71), (10, 3, 40, 41), (50, 20, 17, 17), (1, 2, 32, 32), (90, 60, 7, 11)]
        for (x, y, bw, bh) in boxes {
            for (side, channels) in [(32, 1), (32, 3), (24, 3), (48, 1)] {
                let expected = DatasetImporter.prepareCenterSquare(image.cropped(x: x, y: y, width: bw, height: bh),
                                                                   size: side, channels: channels)
                let square = FaceCrop.side(width: bw, height: bh)
                var workspace = [UInt8](repeating: 0, count: FaceCrop.workspaceBytes(side: square, format: format, inputSide: side, inputChannels: channels))
                var scratch = [Float](repeating: 0, count: FaceCrop.scratchFloats(side: square, format: format, inputSide: side))
                var input = [UInt8](repeating: 0, count: side * side * channels)
                frame.with { f in
                    FaceCrop.prepare(f, x: x, y: y, width: bw, height: bh, into: &input, inputSide: side,
                                     inputChannels: channels, workspace: &workspace, scratch: &scratch)
                }
                #expect(input == expected.pixels, "\(format) box \(x),\(y) \(bw)x\(bh) -> \(side)x\(side)x\(channels)")
            }
        }
    }

    @Test func validityNeedsThePlanesAndStridesOfTheFormat() {
        var random = SplitMix64(seed: 15, index: 4)
        let i420 = TestFrame(width: 9, height: 4, format: .yuv420p, padding: 0, random: &random)
        i420.with { f in
            #expect(f.isValid)
            var short = f; short.strides.1 = 4
            #expect(!short.isValid)
            var missing = f; missing.planes.2 = nil
            #expect(!missing.isValid)
            var yuyv = f; yuyv.format = .yuyv; yuyv.strides.0 = 18
            #expect(!yuyv.isValid)
            yuyv.strides.0 = 20
            #expect(yuyv.isValid)
        }
    }
}
