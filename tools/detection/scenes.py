"""What the two scene generators share (semi_real_scenes.py, evaluation only, and photo_scenes.py,
training and validation): the 320x240 frame, the face sizes and their placement, the framing of a
synthetic face, the synthetic scenes' feathered-ellipse paste (Sources/FacelyzrData/Scenes/
SyntheticScenes.swift, docs/detection.md "Synthetic scenes") and a contact sheet of scenes with
their true boxes."""
import numpy as np

WIDTH, HEIGHT = 320, 240
# Sides of the true face boxes (face squares, forehead to chin): the localiser's smallest face to
# the largest the scenes draw.
FACE_SIZES = (28, 96)
# The face square of a synthetic face picture of side s: side FACE_SIDE * s, centre (FACE_CENTRE_X * s,
# FACE_CENTRE_Y * s). The constants of Sources/FacelyzrImaging/FaceFraming.swift (derived there
# from the face generator's geometry; docs/detection.md "Framing").
FACE_SIDE, FACE_CENTRE_X, FACE_CENTRE_Y = 0.57, 0.5, 0.44


def picture_of_face(x, y, side):
    """(x, y, side) in whole pixels of the synthetic picture drawn around the face square at (x, y)
    of `side`, as SyntheticScenes.picture(ofFace:) rounds FaceFraming.picture(ofFace:), in float32
    like it (rounded half up, where Swift's rounded() goes half away from zero: the two differ only
    at a negative exact half)."""
    f32 = np.float32
    picture = f32(side) / f32(FACE_SIDE)
    half = f32(side) / f32(2)
    px = f32(x) + half - f32(FACE_CENTRE_X) * picture
    py = f32(y) + half - f32(FACE_CENTRE_Y) * picture
    return int(np.floor(px + f32(0.5))), int(np.floor(py + f32(0.5))), int(np.floor(picture + f32(0.5)))


def overlaps(a, b):
    """Whether boxes (x, y, side) a and b share a pixel."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[2] and b[1] < a[1] + a[2]


def place(rng, boxes, pictures=None):
    """(x, y, side) of a face square: side 28 + 68 u^2 (u uniform: small faces more often, as the
    synthetic scenes draw them), position uniform inside the frame, not overlapping `boxes` (dicts
    with x, y, width, height); with `pictures` (the (x, y, side) drawn around each of `boxes`, for
    synthetic faces) the new face square overlaps no picture and its picture no face square, as
    SyntheticScenes places faces. 20 tries, then None."""
    for _ in range(20):
        u = rng.uniform()
        size = min(FACE_SIZES[1], int(FACE_SIZES[0] + (FACE_SIZES[1] - FACE_SIZES[0]) * u * u))
        x, y = int(rng.integers(0, WIDTH - size + 1)), int(rng.integers(0, HEIGHT - size + 1))
        faces = [(b["x"], b["y"], b["width"]) for b in boxes]
        if pictures is None:
            clash = any(overlaps((x, y, size), f) for f in faces)
        else:
            picture = picture_of_face(x, y, size)
            clash = any(overlaps((x, y, size), p) or overlaps(picture, f) for p, f in zip(pictures, faces))
        if not clash:
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


def blend_clipped(scene, face, x, y):
    """Blends `face` (float32, side x side) into the float32 `scene` at (x, y) through the feathered
    ellipse, drawing only the part inside the scene (a picture may reach past its edges)."""
    size = face.shape[0]
    alpha = ellipse_alpha(size)
    height, width = scene.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + size), min(height, y + size)
    a = alpha[y0 - y:y1 - y, x0 - x:x1 - x]
    scene[y0:y1, x0:x1] = a * face[y0 - y:y1 - y, x0 - x:x1 - x] + (1 - a) * scene[y0:y1, x0:x1]


def sheet(out, scenes, truth, columns=5):
    """The first 20 scenes with their true boxes (green) and background names, as one PNG."""
    from PIL import Image, ImageDraw  # only here, so the rest needs numpy alone (test_scenes.py)
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
