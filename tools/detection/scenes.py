"""What the two scene generators share (semi_real_scenes.py, evaluation only, and photo_scenes.py,
training and validation): the 320x240 frame, the face sizes and their placement, the synthetic
scenes' feathered-ellipse paste (Sources/FacelyzrData/Scenes/SyntheticScenes.swift,
docs/detection.md "Synthetic scenes") and a contact sheet of scenes with their true boxes."""
import numpy as np
from PIL import Image, ImageDraw

WIDTH, HEIGHT = 320, 240
FACE_SIZES = (28, 96)


def place(rng, boxes):
    """(x, y, side) of a face not overlapping `boxes` (dicts with x, y, width, height): side
    28 + 68 u^2 (u uniform: small faces more often, as the synthetic scenes draw them), position
    uniform; 20 tries, then None."""
    for _ in range(20):
        u = rng.uniform()
        size = min(FACE_SIZES[1], int(FACE_SIZES[0] + (FACE_SIZES[1] - FACE_SIZES[0]) * u * u))
        x, y = int(rng.integers(0, WIDTH - size + 1)), int(rng.integers(0, HEIGHT - size + 1))
        if not any(x < b["x"] + b["width"] and b["x"] < x + size and y < b["y"] + b["height"] and b["y"] < y + size
                   for b in boxes):
            return x, y, size
    return None


def ellipse_alpha(size):
    """The paste's opacity over a size x size face (float32): half-axes 0.42 and 0.5 of the side,
    alpha = clamp((1.05 - r) / 0.15, 0, 1)."""
    centre = (np.arange(size, dtype=np.float32) + 0.5 - size / 2)
    u = centre[None, :] / np.float32(0.42 * size)
    v = centre[:, None] / np.float32(0.5 * size)
    return np.clip((np.float32(1.05) - np.sqrt(u * u + v * v)) / np.float32(0.15), 0, 1)


def blend(scene, face, x, y):
    """Pastes `face` (uint8 or float) into the uint8 `scene` at (x, y), in float32, rounded."""
    size = face.shape[0]
    alpha = ellipse_alpha(size)
    region = scene[y:y + size, x:x + size].astype(np.float32)
    mixed = alpha * face.astype(np.float32) + (1 - alpha) * region
    scene[y:y + size, x:x + size] = np.clip(np.floor(mixed + 0.5), 0, 255).astype(np.uint8)


def sheet(out, scenes, truth, columns=5):
    """The first 20 scenes with their true boxes (green) and background names, as one PNG."""
    count = min(len(scenes), 20)
    rows = -(-count // columns)
    canvas = Image.new("RGB", (columns * (WIDTH + 4), rows * (HEIGHT + 4)), (20, 20, 20))
    for i in range(count):
        tile = Image.fromarray(scenes[i]).convert("RGB")
        draw = ImageDraw.Draw(tile)
        for b in truth[i]["faces"]:
            draw.rectangle([b["x"], b["y"], b["x"] + b["width"] - 1, b["y"] + b["height"] - 1], outline=(0, 255, 0))
        draw.text((3, 2), f"{i} {truth[i]['background']}", fill=(255, 255, 0))
        canvas.paste(tile, ((i % columns) * (WIDTH + 4), (i // columns) * (HEIGHT + 4)))
    canvas.save(out)
