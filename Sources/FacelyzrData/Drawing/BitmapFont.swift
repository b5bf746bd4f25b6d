/// A tiny 3x5-pixel bitmap font (upper-case letters, digits and a little punctuation) for
/// labelling images without any font library: contact sheets and the demo's predictions.
/// Lower-case letters draw as upper case; characters it lacks draw as a box.
public enum BitmapFont {
    /// Width of a glyph cell, including one column of spacing, at scale 1.
    public static let advance = 4
    /// Height of a line, including one row of spacing, at scale 1.
    public static let lineHeight = 6

    /// Width in pixels of `text` at `scale`.
    public static func width(of text: String, scale: Int = 1) -> Int {
        text.count * advance * scale
    }

    /// Draws `text` with its top-left corner at (x, y), clipping at the image's edges.
    /// `color` has one value per channel of `image`.
    public static func draw(_ text: String, into image: inout Image, x: Int, y: Int, color: [UInt8], scale: Int = 1) {
        precondition(color.count == image.channels, "one colour value per channel")
        var left = x
        for character in text.uppercased() {
            let rows = glyphs[character] ?? box
            for row in 0..<5 {
                for column in 0..<3 where rows[row] & (4 >> column) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            image.setPixel(x: left + column * scale + dx, y: y + row * scale + dy, color)
                        }
                    }
                }
            }
            left += advance * scale
        }
    }

    private static let box: [UInt8] = [7, 5, 5, 5, 7]

    /// Each glyph: five rows of three bits, most significant bit leftmost.
    private static let glyphs: [Character: [UInt8]] = {
        let table: [(Character, String)] = [
            ("A", "010 101 111 101 101"), ("B", "110 101 110 101 110"), ("C", "011 100 100 100 011"),
            ("D", "110 101 101 101 110"), ("E", "111 100 110 100 111"), ("F", "111 100 110 100 100"),
            ("G", "011 100 101 101 011"), ("H", "101 101 111 101 101"), ("I", "111 010 010 010 111"),
            ("J", "001 001 001 101 010"), ("K", "101 101 110 101 101"), ("L", "100 100 100 100 111"),
            ("M", "101 111 111 101 101"), ("N", "110 101 101 101 101"), ("O", "010 101 101 101 010"),
            ("P", "110 101 110 100 100"), ("Q", "010 101 101 110 011"), ("R", "110 101 110 101 101"),
            ("S", "011 100 010 001 110"), ("T", "111 010 010 010 010"), ("U", "101 101 101 101 111"),
            ("V", "101 101 101 101 010"), ("W", "101 101 111 111 101"), ("X", "101 101 010 101 101"),
            ("Y", "101 101 010 010 010"), ("Z", "111 001 010 100 111"),
            ("0", "111 101 101 101 111"), ("1", "010 110 010 010 111"), ("2", "110 001 010 100 111"),
            ("3", "110 001 010 001 110"), ("4", "101 101 111 001 001"), ("5", "111 100 110 001 110"),
            ("6", "011 100 111 101 111"), ("7", "111 001 010 010 010"), ("8", "111 101 111 101 111"),
            ("9", "111 101 111 001 110"),
            (" ", "000 000 000 000 000"), (".", "000 000 000 000 010"), (",", "000 000 000 010 100"),
            (":", "000 010 000 010 000"), ("-", "000 000 111 000 000"), ("+", "000 010 111 010 000"),
            ("=", "000 111 000 111 000"), ("/", "001 001 010 100 100"), ("%", "101 001 010 100 101"),
            ("_", "000 000 000 000 111"), ("(", "010 100 100 100 010"), (")", "010 001 001 001 010"),
            ("?", "110 001 010 000 010"), ("!", "010 010 010 000 010"), ("#", "101 111 101 111 101"),
            ("'", "010 010 000 000 000"), ("<", "001 010 100 010 001"), (">", "100 010 001 010 100"),
        ]
        var glyphs: [Character: [UInt8]] = [:]
        for (character, pattern) in table {
            glyphs[character] = pattern.split(separator: " ").map { UInt8($0, radix: 2)! }
        }
        return glyphs
    }()
}

extension Image {
    /// Sets pixel (x, y) to `color` (one value per channel); points outside the image are ignored.
    public mutating func setPixel(x: Int, y: Int, _ color: [UInt8]) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let base = (y * width + x) * channels
        for c in 0..<channels { pixels[base + c] = color[c] }
    }
}
