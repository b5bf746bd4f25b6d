/// Lays out images in a grid, each enlarged by an integer factor with a caption of a few
/// lines of ``BitmapFont`` text under it, on a dark background: a contact sheet.
public struct ContactSheet {
    /// Images per row.
    public var columns: Int
    /// Integer enlargement of every image (nearest neighbour, so pixels stay visible).
    public var zoom: Int
    /// Caption lines reserved under each image.
    public var captionLines: Int
    /// Pixels between cells and around the sheet.
    public var margin = 4

    public init(columns: Int, zoom: Int = 2, captionLines: Int = 2) {
        precondition(columns > 0 && zoom > 0 && captionLines >= 0, "columns and zoom must be positive")
        self.columns = columns
        self.zoom = zoom
        self.captionLines = captionLines
    }

    /// The sheet of `images` (all the same size, RGB or gray) with `captions[i]` under image i;
    /// caption lines longer than the cell are cut.
    public func compose(_ images: [Image], captions: [[String]]) -> Image {
        precondition(!images.isEmpty && images.count == captions.count, "one caption per image")
        let cellWidth = images[0].width * zoom
        let cellHeight = images[0].height * zoom + captionLines * BitmapFont.lineHeight
        let rows = (images.count + columns - 1) / columns
        let width = margin + columns * (cellWidth + margin), height = margin + rows * (cellHeight + margin)
        var sheet = Image(width: width, height: height, channels: 3,
                          pixels: [UInt8](repeating: 24, count: width * height * 3))
        let maxCharacters = cellWidth / BitmapFont.advance
        for (n, image) in images.enumerated() {
            precondition(image.width == images[0].width && image.height == images[0].height, "images differ in size")
            let rgb = image.channels == 3 ? image : image.converted(toChannels: 3)
            let left = margin + (n % columns) * (cellWidth + margin)
            let top = margin + (n / columns) * (cellHeight + margin)
            for y in 0..<cellHeight - captionLines * BitmapFont.lineHeight {
                for x in 0..<cellWidth {
                    let source = ((y / zoom) * rgb.width + x / zoom) * 3
                    let target = ((top + y) * sheet.width + left + x) * 3
                    sheet.pixels[target] = rgb.pixels[source]
                    sheet.pixels[target + 1] = rgb.pixels[source + 1]
                    sheet.pixels[target + 2] = rgb.pixels[source + 2]
                }
            }
            for (line, text) in captions[n].prefix(captionLines).enumerated() {
                BitmapFont.draw(String(text.prefix(maxCharacters)), into: &sheet, x: left,
                                y: top + rgb.height * zoom + 1 + line * BitmapFont.lineHeight, color: [235, 235, 225])
            }
        }
        return sheet
    }
}
