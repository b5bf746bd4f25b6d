#!/usr/bin/env python3
"""Photo scenes: synthetic faces with photographic variation in real photographs without people
(docs/detection-data.md "Photo scenes"), the localiser's training scenes (train split) and its
held-out validation scenes (test split), in the semi-real benchmark's format (scene-NNN.png and
truth.json, so tools/peers/detection_accuracy.py scores them). No LFW face and no scikit-image
photograph is read here.

Deterministic from (--seed, --split, scene index), PCG64:
- background: a photograph of tools/detection/negatives.tsv of the split (its SHA-256 rank, as
  real_negatives.py splits the patches), a 4:3 crop of width log-uniform between
  min(320, the widest crop) and the widest crop, >= 98% opaque (cut-outs; 50 tries per photograph),
  resampled to 320x240 (tools/detection/imaging.py);
- faces: 0 to 3 (uniformly), each a face of the synthetic faces dataset (`facelyzr synth --dataset
  --size 96`, the same split) whose face square (forehead to chin, the true box; scenes.py's
  FACE_SIDE and FACE_CENTRE_*, Sources/FacelyzrImaging/FaceFraming.swift) has side 28 + 68 u^2 and
  lies inside the scene, its picture drawn around it (side / 0.57, clipped at the scene's edges),
  no face square overlapping another face's picture (20 tries), with photographic variation drawn
  per face:
  * resolution: half of the pictures are rendered at a side log-uniform in [14, side] and enlarged
    bilinearly (a face that filled few sensor pixels), the others resampled to the side (area
    when shrinking the 96-pixel face, bilinear when enlarging it);
  * lighting: gray (BT.601), contrast x0.5..1.4 around its mean, brightness -40..+40, gamma
    0.6..1.6 (log-uniform);
  * focus: with probability 0.3 a Gaussian blur of sigma 0.3..1.2 pixels per 24 of face side;
  * blended through the synthetic scenes' feathered ellipse (docs/detection.md "Synthetic scenes");
  and per scene, each with probability 0.5: Gaussian pixel noise of sigma 1..6 levels, JPEG at
  quality 25..90 (Pillow). The true box is the face square, as in the synthetic scenes
  (docs/detection.md "Framing").
- --variation 2 (opt-in; 1, the default, draws exactly the scenes above) makes the faces further
  from the generator's look, drawing more numbers from the same generator (so other scenes):
  * pose: the 96-pixel picture turned by -12..12 degrees and stretched across by 0.85..1.15
    about the face square's centre (`posed`), before the steps above;
  * light and texture, after them (`lit`): light from one side, a ramp of up to +-45% of the
    level across the face (for a third of the faces a soft shadow edge instead), and for half of
    them the high frequencies of a crop of a Debian photograph of the same split at 0.1..0.4;
  --variation 3 also pastes half of the faces alone: their face square, not the picture around
  it, through the feathered ellipse, so no hair or generator background surrounds the face;
  --variation 4 is 3 with low-resolution pictures of 24 pixels and more (not 14: a face square
  of 8 pixels enlarged is a featureless oval); --variation 5 is 3 with light from above for 70%
  of the faces first (`top_lit`: eye-socket and under-nose shadows, which the generator draws
  faintly if at all and which make much of a real face at 24x24).

Faces: --faces may be given more than once (e.g. the drawn faces and `facelyzr synth --rendering
shaded`'s, docs/synthetic-faces.md "Shaded rendering"): a scene's face is drawn from all of them.

Usage: photo_scenes.py --photos EXTRACTED --faces SYNTH_DATASET_DIR [--faces DIR] --split train|calibration|test
       --out DIR [--count 1000] [--seed 0] [--sheet FILE.png] [--variation 1|2|3|4|5]
"""
import argparse
import io
import json
import math
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import fzds  # noqa: E402
import imaging  # noqa: E402
import real_negatives  # noqa: E402
import scenes  # noqa: E402

WIDTH, HEIGHT = scenes.WIDTH, scenes.HEIGHT
GENERATOR_VERSION = 2
# --variation 2 and 3: the share of faces pasted alone (their face square through the feathered
# ellipse, no hair or generator background around them).
TIGHT_RATE = {2: 0.0, 3: 0.5, 4: 0.5, 5: 0.5}
# The smallest low-resolution picture (pixels a side; its face square is 0.57 of it): variation 4
# keeps the face's eyes and mouth a few pixels wide (a face square of 14 pixels and more), where 14
# (a face square of 8) blurs many faces into featureless ovals.
SMALLEST = {2: 14, 3: 14, 4: 24, 5: 14}


def backgrounds(manifest, root, split):
    """(name, gray, opaque) of the split's photographs large enough for a 4:3 crop of 320 wide
    or a smaller one enlarged (short side >= 120)."""
    rows = real_negatives.read_manifest(manifest)
    paths = real_negatives.verify(rows, root)
    splits = real_negatives.photo_splits(rows)
    out = []
    for row, path, s in zip(rows, paths, splits):
        if real_negatives.SPLIT_NAMES[s] != split:
            continue
        gray, opaque = real_negatives.load(path)
        if min(gray.shape) >= 120:
            out.append((f"{row['package']}/{os.path.basename(row['path'])}", gray, opaque))
    return out


def background(rng, photos):
    while True:
        name, image, opaque = photos[int(rng.integers(len(photos)))]
        h, w = image.shape
        widest = min(w, h * WIDTH / HEIGHT)
        for _ in range(50):
            cw = int(round(math.exp(rng.uniform(math.log(min(WIDTH, widest)), math.log(widest)))))
            ch = min(h, int(round(cw * HEIGHT / WIDTH)))
            x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            if opaque[y:y + ch, x:x + cw].mean() >= 0.98:
                return name, (x, y, cw, ch), imaging.resize(image[y:y + ch, x:x + cw], WIDTH, HEIGHT)


def gaussian_blur(image, sigma):
    radius = max(1, int(math.ceil(3 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    padded = np.pad(image.astype(np.float32), radius, mode="edge")
    rows = sum(t * padded[:, k:k + image.shape[1]] for k, t in enumerate(taps))
    return sum(t * rows[k:k + image.shape[0], :] for k, t in enumerate(taps))


def render_face(rng, face96, side, smallest=14):
    """The gray face at `side` pixels with its resolution, lighting and focus varied (float32); a
    low-resolution picture has at least `smallest` pixels a side."""
    gray = imaging.gray(face96)
    if rng.uniform() < 0.5:
        source = int(round(math.exp(rng.uniform(math.log(smallest), math.log(side)))))
        face = imaging.resize(imaging.resize(gray, source, source, "area"), side, side, "bilinear")
    else:
        face = imaging.resize(gray, side, side)  # area when shrinking, bilinear when enlarging
    face = face.astype(np.float32)
    mean = face.mean()
    face = (face - mean) * rng.uniform(0.5, 1.4) + mean + rng.uniform(-40, 40)
    face = 255 * (np.clip(face, 0, 255) / 255) ** math.exp(rng.uniform(math.log(0.6), math.log(1.6)))
    if rng.uniform() < 0.3:
        face = gaussian_blur(face, rng.uniform(0.3, 1.2) * side / 24)
    return face


def posed(rng, face96):
    """The 96-pixel picture turned by up to 12 degrees and stretched by 0.85..1.15 across, about the
    face square's centre (FACE_CENTRE_*), the corners filled with the picture's mean (bilinear)."""
    side = face96.shape[0]
    angle, stretch = math.radians(rng.uniform(-12, 12)), rng.uniform(0.85, 1.15)
    cx, cy = scenes.FACE_CENTRE_X * side, scenes.FACE_CENTRE_Y * side
    c, s = math.cos(angle), math.sin(angle)
    # output (u, v) -> input: rotate by -angle, then undo the stretch along x
    a, b, d, e = c / stretch, s / stretch, -s, c
    matrix = (a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy)
    image = Image.fromarray(face96)
    fill = tuple(int(v) for v in np.asarray(face96).reshape(-1, face96.shape[-1] if face96.ndim == 3 else 1).mean(0))
    out = image.transform(image.size, Image.AFFINE, matrix, resample=Image.BILINEAR,
                          fillcolor=fill if face96.ndim == 3 else fill[0])
    return np.asarray(out)


def top_lit(rng, face96):
    """For 70% of the faces, light from above: soft shadows of depth 0.15..0.5 in the eye sockets
    and under the nose, placed by the generator's adult geometry (Sources/FacelyzrSynthetic/
    FacePainter.swift: eyes 0.2 units above the face centre and 0.36 units to each side, the nose
    0.24 below it; the face centre at (0.5, 0.47) of the picture, 0.26 of its side a unit)."""
    if rng.uniform() >= 0.7:
        return face96
    side = face96.shape[0]
    yy, xx = (np.mgrid[0:side, 0:side].astype(np.float32) + 0.5) / side
    unit, cy = 0.26, 0.47
    depth = rng.uniform(0.15, 0.5)
    shade = np.zeros((side, side), np.float32)
    for ex in (0.5 - 0.36 * unit, 0.5 + 0.36 * unit):
        shade += np.exp(-(((xx - ex) / (0.33 * unit)) ** 2 + ((yy - (cy - 0.24 * unit)) / (0.22 * unit)) ** 2))
    shade += 0.8 * np.exp(-(((xx - 0.5) / (0.2 * unit)) ** 2 + ((yy - (cy + 0.32 * unit)) / (0.08 * unit)) ** 2))
    factor = 1 - depth * np.clip(shade, 0, 1)
    if face96.ndim == 3:
        factor = factor[..., None]
    return np.clip(face96 * factor + 0.5, 0, 255).astype(np.uint8)


def lit(rng, face, photos):
    """Light falling from one side (a ramp of up to +-45% across the face, for a third of the faces
    a soft shadow edge instead) and, for half of the faces, the high frequencies of a real
    photograph's texture at 0.1..0.4 (skin, pores, hair and shadows have texture; the generator's
    painted surfaces have little)."""
    side = face.shape[0]
    yy, xx = (np.mgrid[0:side, 0:side].astype(np.float32) + 0.5) / side - 0.5
    theta = rng.uniform(0, 2 * math.pi)
    ramp = math.cos(theta) * xx + math.sin(theta) * yy
    if rng.uniform() < 1 / 3:
        ramp = 0.5 * np.tanh(ramp * rng.uniform(6, 30) + rng.uniform(-2, 2))
    face = face * (1 + rng.uniform(0, 0.9) * ramp)
    if rng.uniform() < 0.5:
        _, image, _ = photos[int(rng.integers(len(photos)))]
        h, w = image.shape
        crop = int(rng.integers(max(8, min(h, w) // 20), max(9, min(h, w) // 4) + 1))
        x, y = int(rng.integers(0, w - crop + 1)), int(rng.integers(0, h - crop + 1))
        texture = imaging.resize(image[y:y + crop, x:x + crop], side, side).astype(np.float32)
        texture -= gaussian_blur(texture, max(1.0, side / 12))
        face = face + rng.uniform(0.1, 0.4) * texture
    return np.clip(face, 0, 255)


def make_scene(index, seed, split, photos, faces, variation=1):
    rng = np.random.Generator(np.random.PCG64([seed, real_negatives.SPLIT_NAMES.index(split), index]))
    name, crop, scene = background(rng, photos)
    scene = scene.astype(np.float32)
    boxes, pictures = [], []
    for _ in range(int(rng.integers(0, 4))):
        placed = scenes.place(rng, boxes, pictures)
        if placed is None:
            continue
        x, y, size = placed
        px, py, side = scenes.picture_of_face(x, y, size)
        k = int(rng.integers(len(faces)))
        if variation == 1:
            scenes.blend_clipped(scene, render_face(rng, faces[k], side), px, py)
        else:
            face96 = top_lit(rng, faces[k]) if variation == 5 else faces[k]
            picture = render_face(rng, posed(rng, face96), side, SMALLEST[variation])
            picture = lit(rng, picture, photos)
            if rng.uniform() < TIGHT_RATE[variation]:
                # the face alone, its square pasted through the feathered ellipse
                fx, fy = x - px, y - py
                scenes.blend_clipped(scene, picture[fy:fy + size, fx:fx + size], x, y)
            else:
                scenes.blend_clipped(scene, picture, px, py)
        boxes.append({"x": x, "y": y, "width": size, "height": size, "synthetic_index": k})
        pictures.append((px, py, side))
    if rng.uniform() < 0.5:
        scene += rng.normal(0, rng.uniform(1, 6), scene.shape).astype(np.float32)
    scene = np.clip(np.floor(scene + 0.5), 0, 255).astype(np.uint8)
    if rng.uniform() < 0.5:
        buffer = io.BytesIO()
        Image.fromarray(scene).save(buffer, format="JPEG", quality=int(rng.integers(25, 91)))
        scene = np.asarray(Image.open(buffer).convert("L"))
    return scene, {"background": name, "crop": list(crop), "faces": boxes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", required=True, help="directory holding each package extracted as PACKAGE/")
    parser.add_argument("--manifest", default=os.path.join(HERE, "negatives.tsv"))
    parser.add_argument("--faces", required=True, action="append",
                        help="`facelyzr synth --dataset --size 96` directory; given twice (e.g. drawn and "
                        "`--rendering shaded` faces), the scenes draw from both, pooled in the order given")
    parser.add_argument("--split", required=True, choices=real_negatives.SPLIT_NAMES)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sheet", help="also draw the first 20 scenes with their boxes into this PNG")
    parser.add_argument("--variation", type=int, choices=(1, 2, 3, 4, 5), default=1,
                        help="photographic variation of the faces: 1 as before, 2 also posed and lit, "
                        "3 also half pasted alone, 4 as 3 with no picture rendered below 24 pixels, "
                        "5 as 3 with shadows of light from above")
    args = parser.parse_args()

    pools = []
    for directory in args.faces:
        synthetic = fzds.read(os.path.join(directory, "samples.fzds"))
        pool = synthetic["pixels"][synthetic["split"] == real_negatives.SPLIT_NAMES.index(args.split)]
        if len(pool) == 0 or synthetic["width"] != 96:
            sys.exit(f"photo_scenes.py: {directory} holds no 96x96 face of the {args.split} split")
        pools.append(pool)
    faces = np.concatenate(pools) if len(pools) > 1 else pools[0]
    photos = backgrounds(args.manifest, args.photos, args.split)
    os.makedirs(args.out, exist_ok=True)
    pictures, truth = [], []
    for i in range(args.count):
        scene, record = make_scene(i, args.seed, args.split, photos, faces, args.variation)
        record["file"] = f"scene-{i:04d}.png"
        Image.fromarray(scene).save(os.path.join(args.out, record["file"]))
        if i < 20:
            pictures.append(scene)
        truth.append(record)
    with open(os.path.join(args.out, "truth.json"), "w") as f:
        meta = {"generator": "tools/detection/photo_scenes.py", "version": GENERATOR_VERSION, "seed": args.seed,
                "split": args.split, "scikit_image": "none", "width": WIDTH, "height": HEIGHT}
        if args.variation != 1:
            meta["variation"] = args.variation
        json.dump({**meta, "scenes": truth}, f, indent=1)
        f.write("\n")
    if args.sheet:
        scenes.sheet(args.sheet, pictures, truth)
    face_count = sum(len(t["faces"]) for t in truth)
    print(f"{args.out}: {args.count} {args.split} scenes from {len(photos)} photographs and {len(faces)} synthetic "
          f"faces, {face_count} faces, {sum(1 for t in truth if not t['faces'])} face-free scenes")


if __name__ == "__main__":
    main()
