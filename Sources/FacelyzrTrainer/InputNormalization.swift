/// How 8-bit pixels become the float model's input: `(pixel - offset) / scale`. Fixed by the
/// numeric contract at offset 128, scale 128, so the int8 model's input is `pixel - 128` with
/// scale 1/128 and zero point 0, and zero padding means the same thing in float and int8.
public struct InputNormalization: Codable, Sendable, Equatable {
    public var offset: Float
    public var scale: Float

    public init(offset: Float, scale: Float) {
        self.offset = offset
        self.scale = scale
    }

    /// `(pixel - 128) / 128`.
    public static let standard = InputNormalization(offset: 128, scale: 128)

    /// A batch `[count, height, width, channels]` from `count` images of interleaved 8-bit pixels
    /// stored one after the other.
    public func normalize(_ pixels: [UInt8], count: Int, height: Int, width: Int, channels: Int) -> Tensor {
        precondition(pixels.count == count * height * width * channels, "pixel count does not match the batch shape")
        let inverse = 1 / scale
        return Tensor(shape: [count, height, width, channels], values: pixels.map { (Float($0) - offset) * inverse })
    }
}
