import FacelyzrData
import Foundation

/// PNG-ready pictures of a training run: loss curves, reconstruction grids, first-layer filters
/// (drawn with FacelyzrData's `Image` and `BitmapFont`).
public enum Plots {
    private static let white: [UInt8] = [255, 255, 255], black: [UInt8] = [0, 0, 0], gray: [UInt8] = [160, 160, 160]

    /// One panel per series (each phase of a run has its own scale): the loss against the step,
    /// with the series' name and its first, last, lowest and highest values written on it.
    public static func lossCurves(_ series: [(name: String, losses: [Float])], panelWidth: Int = 360, panelHeight: Int = 120) -> Image {
        let margin = 4, text = BitmapFont.lineHeight * 2
        var image = Image(width: panelWidth + 2 * margin, height: max(1, series.count) * (panelHeight + text + margin) + margin, channels: 3)
        image.pixels = [UInt8](repeating: 255, count: image.pixels.count)
        for (k, s) in series.enumerated() {
            let top = margin + k * (panelHeight + text + margin)
            let finite = s.losses.filter(\.isFinite)
            let low = finite.min() ?? 0, high = finite.max() ?? 1
            let first = finite.first ?? 0, last = finite.last ?? 0
            BitmapFont.draw("\(s.name): \(s.losses.count) steps, first \(short(first)) last \(short(last))", into: &image, x: margin, y: top, color: black)
            BitmapFont.draw("range \(short(low)) to \(short(high))", into: &image, x: margin, y: top + BitmapFont.lineHeight, color: gray)
            let y0 = top + text
            for x in 0..<panelWidth {
                image.setPixel(x: margin + x, y: y0 + panelHeight - 1, gray)
            }
            for y in 0..<panelHeight { image.setPixel(x: margin, y: y0 + y, gray) }
            guard s.losses.count > 1 else { continue }
            var previous: (Int, Int)?
            for (i, loss) in s.losses.enumerated() where loss.isFinite {
                let x = margin + i * (panelWidth - 1) / (s.losses.count - 1)
                let fraction = high > low ? (loss - low) / (high - low) : 0.5
                let y = y0 + Int((1 - fraction) * Float(panelHeight - 1))
                if let (px, py) = previous { line(&image, from: (px, py), to: (x, y), color: [200, 40, 40]) } else { image.setPixel(x: x, y: y, [200, 40, 40]) }
                previous = (x, y)
            }
        }
        return image
    }

    /// Rows of tiles, one row per tensor (e.g. clean, corrupted, reconstructed), one column per
    /// image of the batch (at most `columns`), each tile zoomed by `zoom`. Three-channel tensors on
    /// the network input's scale show as RGB (`value * 128 + 128`); others show their first channel
    /// in gray, scaled to the first row's range so rows compare.
    public static func reconstructionGrid(rows: [(name: String, tensor: Tensor)], columns: Int = 8, zoom: Int = 2) -> Image {
        guard let first = rows.first?.tensor else { return Image(width: 1, height: 1, channels: 3) }
        let (n, h, w, c) = (min(first.shape[0], columns), first.shape[1], first.shape[2], first.shape[3])
        let label = 14 * BitmapFont.advance, gap = 2
        var image = Image(width: label + n * (w * zoom + gap), height: rows.count * (h * zoom + gap), channels: 3)
        image.pixels = [UInt8](repeating: 255, count: image.pixels.count)
        var low: Float = 0, high: Float = 1
        if c != 3 {
            let channel0 = stride(from: 0, to: first.values.count, by: c).map { first.values[$0] }
            low = channel0.min() ?? 0
            high = max(channel0.max() ?? 1, low + 1e-6)
        }
        for (r, row) in rows.enumerated() {
            let top = r * (h * zoom + gap)
            BitmapFont.draw(row.name, into: &image, x: 1, y: top + 2, color: black)
            for i in 0..<n {
                let left = label + i * (w * zoom + gap)
                for y in 0..<h {
                    for x in 0..<w {
                        let base = ((i * h + y) * w + x) * c
                        let color: [UInt8] = c == 3
                            ? (0..<3).map { byte(row.tensor.values[base + $0] * 128 + 128) }
                            : [UInt8](repeating: byte((row.tensor.values[base] - low) / (high - low) * 255), count: 3)
                        for dy in 0..<zoom { for dx in 0..<zoom { image.setPixel(x: left + x * zoom + dx, y: top + y * zoom + dy, color) } }
                    }
                }
            }
        }
        return image
    }

    /// The filters of a convolution (OHWI weights) with three input channels as RGB tiles, each
    /// scaled symmetrically by its largest magnitude (gray is 0), `zoom` pixels per tap.
    public static func filters(_ weight: Tensor, zoom: Int = 10) -> Image {
        let (o, kh, kw, i) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let perRow = 8, gap = 3
        var image = Image(width: perRow * (kw * zoom + gap) + gap, height: ((o + perRow - 1) / perRow) * (kh * zoom + gap) + gap, channels: 3)
        image.pixels = [UInt8](repeating: 255, count: image.pixels.count)
        let size = kh * kw * i
        for f in 0..<o {
            let values = weight.values[(f * size)..<((f + 1) * size)]
            let scale = max(values.map(abs).max() ?? 1, 1e-12)
            let left = gap + (f % perRow) * (kw * zoom + gap), top = gap + (f / perRow) * (kh * zoom + gap)
            for y in 0..<kh {
                for x in 0..<kw {
                    let base = f * size + (y * kw + x) * i
                    let color: [UInt8] = (0..<3).map { weight.values[base + min($0, i - 1)] / scale * 127 + 128 }.map(byte)
                    for dy in 0..<zoom { for dx in 0..<zoom { image.setPixel(x: left + x * zoom + dx, y: top + y * zoom + dy, color) } }
                }
            }
        }
        return image
    }

    private static func byte(_ v: Float) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }

    private static func short(_ v: Float) -> String { String(format: "%.4g", Double(v)) }

    /// A straight line (Bresenham).
    private static func line(_ image: inout Image, from a: (Int, Int), to b: (Int, Int), color: [UInt8]) {
        var (x, y) = a
        let dx = abs(b.0 - x), dy = -abs(b.1 - y), sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
        var error = dx + dy
        while true {
            image.setPixel(x: x, y: y, color)
            if x == b.0 && y == b.1 { return }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x += sx }
            if e2 <= dx { error += dx; y += sy }
        }
    }
}
