"""Gray conversion and resampling as Facelyzr does them, in numpy, for the detection data scripts
(real_negatives.py, semi_real_scenes.py): BT.601 luma rounded to nearest (docs/data.md), and
separable area or bilinear resampling with the weights of `Image.resized`
(Sources/FacelyzrData/Images/Resampling.swift, docs/data.md "Resampling"): each axis is a
(target x source) matrix of the same taps, applied in float32 along x then y, rounded half up.
The sums run in numpy's order, so a pixel may differ by one level from the Swift result."""
import numpy as np


def gray(rgb):
    """uint8 (H, W) luma of uint8 (H, W, 3): (299 R + 587 G + 114 B + 500) // 1000; gray passes."""
    if rgb.ndim == 2:
        return rgb
    r, g, b = (rgb[..., c].astype(np.int32) for c in range(3))
    return ((299 * r + 587 * g + 114 * b + 500) // 1000).astype(np.uint8)


def weights(source, target, method):
    """(target, source) float32 matrix whose row i holds output sample i's taps."""
    matrix = np.zeros((target, source), np.float64)
    scale = source / target
    for output in range(target):
        if method == "area":
            start, end = output * scale, (output + 1) * scale
            index = int(np.floor(start))
            while index < end and index < source:
                overlap = min(end, index + 1) - max(start, index)
                if overlap > 1e-9:
                    matrix[output, index] = overlap / scale
                index += 1
        else:  # bilinear, pixel centres at half-integers, edges clamped
            centre = min(max((output + 0.5) * scale - 0.5, 0), source - 1)
            left = int(np.floor(centre))
            fraction = centre - left
            if left + 1 >= source or fraction == 0:
                matrix[output, left] = 1
            else:
                matrix[output, left], matrix[output, left + 1] = 1 - fraction, fraction
    return matrix.astype(np.float32)


def resize(image, width, height, method=None):
    """uint8 (H, W) gray image resized to (height, width); area when shrinking an axis pair,
    bilinear when enlarging (the default, as the callers here want), or as `method` says.
    Always a new array (a same-size image is copied), so the caller may draw into it."""
    h, w = image.shape
    if (w, h) == (width, height):
        return image.copy()
    if method is None:
        method = "area" if width <= w and height <= h else "bilinear"
    columns, rows = weights(w, width, method), weights(h, height, method)
    out = rows @ (image.astype(np.float32) @ columns.T)
    return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)
