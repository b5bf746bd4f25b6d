extension Fast {
    /// Bit-exact with `Reference.pad`: the whole output filled with the zero point, or pixel by
    /// pixel with the channel values, then each input pixel's channels copied into place
    /// (contiguous loops the compiler vectorises).
    public static func pad(_ p: PadParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
        trace(.pad, .portable, .direct)
        if let values = p.values {
            let channels = p.output.channels
            for pixel in 0..<(p.output.height * p.output.width) {
                let destination = output + pixel * channels
                for c in 0..<channels { destination[c] = values[c] }
            }
        } else {
            for i in 0..<p.output.elementCount { output[i] = p.zeroPoint }
        }
        let channels = p.input.channels
        for y in 0..<p.input.height {
            for x in 0..<p.input.width {
                let source = input + (y * p.input.width + x) * channels
                let destination = output + ((y + p.top) * p.output.width + x + p.left) * p.output.channels + p.channelsBefore
                for c in 0..<channels { destination[c] = source[c] }
            }
        }
    }
}
