extension Reference {
    /// Pad (docs/quantization.md "Pad"): each output cell is the input cell it covers, or its
    /// channel's value (the zero point without values). Exact; `output` does not overlap `input`.
    public static func pad(_ p: PadParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
        for y in 0..<p.output.height {
            for x in 0..<p.output.width {
                for c in 0..<p.output.channels {
                    let (inY, inX, inC) = (y - p.top, x - p.left, c - p.channelsBefore)
                    let inside = inY >= 0 && inY < p.input.height && inX >= 0 && inX < p.input.width
                        && inC >= 0 && inC < p.input.channels
                    output[(y * p.output.width + x) * p.output.channels + c] =
                        inside ? input[(inY * p.input.width + inX) * p.input.channels + inC] : p.values?[c] ?? p.zeroPoint
                }
            }
        }
    }
}
