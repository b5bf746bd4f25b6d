/// The pixel layouts a camera frame can come in (docs/frames.md). The raw values are the C
/// API's `FACELYZR_FORMAT_*` constants.
public enum PixelFormat: Int32, Sendable {
    /// One 8-bit luma plane.
    case gray8 = 0
    /// One plane of interleaved 8-bit R, G, B.
    case rgb24 = 1
    /// I420: a Y plane, then a U and a V plane of half width and half height (rounded up).
    case yuv420p = 2
    /// A Y plane, then one plane of interleaved U, V pairs at half width and half height.
    case nv12 = 3
    /// YUYV 4:2:2: one plane of Y0 U Y1 V quadruples, a U, V pair per two pixels.
    case yuyv = 4

    /// The channels a crop of a frame of this format is resampled in: 1 for gray8, 3 otherwise.
    @inlinable
    public var channels: Int { self == .gray8 ? 1 : 3 }
}

/// A camera frame in caller memory: its size, format, and each plane's start and stride (bytes
/// from one row to the next, at least the row's bytes). Planes a format does not use are nil.
public struct Frame {
    public var width: Int
    public var height: Int
    public var format: PixelFormat
    public var planes: (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?)
    public var strides: (Int, Int, Int)

    /// A frame of `format`; `planes` and `strides` as docs/frames.md lays them out per format.
    @inlinable
    public init(width: Int, height: Int, format: PixelFormat,
                planes: (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?),
                strides: (Int, Int, Int)) {
        self.width = width
        self.height = height
        self.format = format
        self.planes = planes
        self.strides = strides
    }

    /// Whether the planes the format needs are present and every stride holds a row.
    @inlinable
    public var isValid: Bool {
        guard width > 0, height > 0, planes.0 != nil else { return false }
        let chromaWidth = (width + 1) / 2
        switch format {
        case .gray8: return strides.0 >= width
        case .rgb24: return strides.0 >= 3 * width
        case .yuyv: return strides.0 >= 2 * 2 * chromaWidth
        case .nv12: return strides.0 >= width && planes.1 != nil && strides.1 >= 2 * chromaWidth
        case .yuv420p:
            return strides.0 >= width && planes.1 != nil && planes.2 != nil
                && strides.1 >= chromaWidth && strides.2 >= chromaWidth
        }
    }

    /// The luma of pixel (`x`, `y`): the Y sample for the YUV formats, ``bt601Luma(r:g:b:)``
    /// for rgb24.
    @inlinable @inline(__always)
    public func luma(x: Int, y: Int) -> UInt8 {
        let row = planes.0! + y * strides.0
        switch format {
        case .gray8, .yuv420p, .nv12: return row[x]
        case .yuyv: return row[2 * x]
        case .rgb24: return bt601Luma(r: row[3 * x], g: row[3 * x + 1], b: row[3 * x + 2])
        }
    }

    /// Pixel (`x`, `y`) as R, G, B: gray replicated, rgb24 as it is, the YUV formats through
    /// ``limitedRangeBT601RGB(y:u:v:)`` with the chroma sample that covers the pixel.
    @inlinable @inline(__always)
    public func rgb(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let row = planes.0! + y * strides.0
        switch format {
        case .gray8: return (row[x], row[x], row[x])
        case .rgb24: return (row[3 * x], row[3 * x + 1], row[3 * x + 2])
        case .yuyv:
            let pair = row + 4 * (x / 2)
            return limitedRangeBT601RGB(y: row[2 * x], u: pair[1], v: pair[3])
        case .nv12:
            let chroma = planes.1! + (y / 2) * strides.1 + 2 * (x / 2)
            return limitedRangeBT601RGB(y: row[x], u: chroma[0], v: chroma[1])
        case .yuv420p:
            return limitedRangeBT601RGB(y: row[x], u: planes.1![(y / 2) * strides.1 + x / 2],
                                        v: planes.2![(y / 2) * strides.2 + x / 2])
        }
    }

    /// Writes the frame's luma, `width * height` bytes row-major, into `gray`: what the
    /// localiser reads. Allocation-free.
    @inlinable
    public func extractLuma(into gray: UnsafeMutablePointer<UInt8>) {
        for y in 0..<height {
            let to = gray + y * width
            switch format {
            case .gray8, .yuv420p, .nv12:
                // The luma plane's row as it is: a plain loop over bytes the compiler vectorises,
                // where `luma(x:y:)` per pixel took 10 instructions a byte on aarch64.
                let row = planes.0! + y * strides.0
                for x in 0..<width { to[x] = row[x] }
            case .rgb24, .yuyv:
                for x in 0..<width { to[x] = luma(x: x, y: y) }
            }
        }
    }
}

/// BT.601 luma of an RGB pixel, `(299 R + 587 G + 114 B + 500) / 1000` in integers: the host's
/// `Image.grayscale()` (docs/data.md "Resampling, crops, colour").
@inlinable @inline(__always)
public func bt601Luma(r: UInt8, g: UInt8, b: UInt8) -> UInt8 {
    UInt8(truncatingIfNeeded: (299 * Int(r) + 587 * Int(g) + 114 * Int(b) + 500) / 1000)
}

/// Limited-range ("studio swing", Y in 16...235, U and V in 16...240) BT.601 YCbCr to full-range
/// RGB in 8.8 fixed point, each result clamped to 0...255 (docs/frames.md "Colour"):
/// `R = (298 (Y-16) + 409 (V-128) + 128) >> 8`, `G = (298 (Y-16) - 100 (U-128) - 208 (V-128) + 128) >> 8`,
/// `B = (298 (Y-16) + 516 (U-128) + 128) >> 8`.
@inlinable @inline(__always)
public func limitedRangeBT601RGB(y: UInt8, u: UInt8, v: UInt8) -> (UInt8, UInt8, UInt8) {
    let c = 298 * (Int(y) - 16) + 128, d = Int(u) - 128, e = Int(v) - 128
    @inline(__always) func clamp(_ value: Int) -> UInt8 { UInt8(truncatingIfNeeded: min(255, max(0, value >> 8))) }
    return (clamp(c + 409 * e), clamp(c - 100 * d - 208 * e), clamp(c + 516 * d))
}

/// Turns a box of a frame into a model's input the way the host's `analyze` does
/// (docs/frames.md "Crop and resample"): the centred square of the box, resampled to the
/// input's side (area when shrinking, bilinear otherwise) in the frame's own channels
/// (``PixelFormat/channels``), then converted to the input's channels (gray replicated, or
/// ``bt601Luma(r:g:b:)``). Allocation-free; the workspace sizes come from
/// ``workspaceBytes(side:format:inputSide:inputChannels:)`` and ``scratchFloats(side:format:inputSide:)``.
public enum FaceCrop {
    /// The side of the centred square of a `width` x `height` box.
    @inlinable
    public static func side(width: Int, height: Int) -> Int { min(width, height) }

    /// Bytes of `workspace` for a square of `side` pixels of a `format` frame.
    @inlinable
    public static func workspaceBytes(side: Int, format: PixelFormat, inputSide: Int, inputChannels: Int) -> Int {
        let channels = format.channels
        return side * side * channels + (inputChannels == channels ? 0 : inputSide * inputSide * channels)
    }

    /// Floats of `scratch` for a square of `side` pixels of a `format` frame.
    @inlinable
    public static func scratchFloats(side: Int, format: PixelFormat, inputSide: Int) -> Int {
        side * inputSide * format.channels
    }

    /// Writes the `inputSide * inputSide * inputChannels` input bytes of the box at (`x`, `y`),
    /// `width` x `height` (inside the frame) into `input`.
    @inlinable
    public static func prepare(
        _ frame: Frame, x: Int, y: Int, width: Int, height: Int,
        into input: UnsafeMutablePointer<UInt8>, inputSide: Int, inputChannels: Int,
        workspace: UnsafeMutablePointer<UInt8>, scratch: UnsafeMutablePointer<Float>
    ) {
        let side = side(width: width, height: height), channels = frame.format.channels
        let left = x + (width - side) / 2, top = y + (height - side) / 2
        let square = workspace
        for row in 0..<side {
            for column in 0..<side {
                let to = square + (row * side + column) * channels
                if channels == 1 {
                    to[0] = frame.luma(x: left + column, y: top + row)
                } else {
                    let (r, g, b) = frame.rgb(x: left + column, y: top + row)
                    to[0] = r; to[1] = g; to[2] = b
                }
            }
        }
        let resized = inputChannels == channels ? input : workspace + side * side * channels
        if side == inputSide {
            resized.update(from: square, count: side * side * channels)
        } else if side > inputSide {
            resampleArea(square, width: side, height: side, channels: channels,
                         into: resized, width: inputSide, height: inputSide, scratch: scratch)
        } else {
            resampleSeparable(square, width: side, height: side, channels: channels,
                              into: resized, width: inputSide, height: inputSide,
                              columns: BilinearTaps(from: side, to: inputSide),
                              rows: BilinearTaps(from: side, to: inputSide), scratch: scratch)
        }
        guard inputChannels != channels else { return }
        for i in 0..<inputSide * inputSide {
            if inputChannels == 1 {
                input[i] = bt601Luma(r: resized[3 * i], g: resized[3 * i + 1], b: resized[3 * i + 2])
            } else {
                input[3 * i] = resized[i]; input[3 * i + 1] = resized[i]; input[3 * i + 2] = resized[i]
            }
        }
    }
}
