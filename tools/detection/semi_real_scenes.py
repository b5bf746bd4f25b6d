#!/usr/bin/env python3
"""Semi-real detection scenes, for EVALUATION ONLY (docs/detection-data.md "Semi-real benchmark"):
320x240 gray crops of scikit-image's photographs with 0 to 3 real faces of its LFW subset
blended in, and the true boxes. Nothing made here may train a model or choose a threshold.

Deterministic from (--seed, scene index) with the pinned scikit-image of tools/peers/setup.sh:
- background: one of BACKGROUNDS (uniformly), a crop of aspect 4:3 whose width is log-uniform
  between min(320, the widest 4:3 crop) and the widest 4:3 crop, at a uniform position, resampled
  to 320x240 (area when shrinking, bilinear when enlarging; tools/detection/imaging.py) after the
  photograph is converted to gray (BT.601). astronaut and camera show a person: crops touching
  the rectangle around the head (HEADS) are redrawn, so no face is in a scene without its box;
- faces: 0 to 3 (uniformly; a quarter of the scenes are face-free), each one of the first 100
  LFW-subset images (the faces; uniformly, with replacement) enlarged bilinearly to a side of
  28 + 68 u^2 pixels (u uniform; the sizes docs/detection.md's localiser searches by default, small
  ones more often, as the synthetic scenes draw them), at a uniform position not overlapping
  another face (20 tries, then the face is left out), blended in through the synthetic scenes'
  feathered ellipse (half-axes 0.42 and 0.5 of the box, alpha = clamp((1.05 - r) / 0.15, 0, 1)).
  Its box is the square the face image occupies.

Writes DIR/scene-NNN.png (8-bit gray) and DIR/truth.json (boxes in pixels, x y width height).
Usage: .venv-peers/bin/python tools/detection/semi_real_scenes.py [--out out/semi-real]
       [--count 200] [--seed 0] [--sheet FILE.png]
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import skimage
import skimage.data
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imaging  # noqa: E402
import scenes  # noqa: E402

WIDTH, HEIGHT = scenes.WIDTH, scenes.HEIGHT
# scikit-image's photographs shipped in its wheel (not the ones it downloads on demand; `cat`
# is `chelsea`; stereo_motorcycle is a pair: its left image is used).
BACKGROUNDS = ["astronaut", "brick", "camera", "chelsea", "clock", "coffee", "coins", "grass", "gravel",
               "hubble_deep_field", "immunohistochemistry", "microaneurysms", "moon", "page", "retina",
               "rocket", "stereo_motorcycle", "text"]
# Head (hair to chin, with a margin) of the person in these photographs: x0, y0, x1, y1.
HEADS = {"astronaut": (140, 0, 320, 200), "camera": (150, 50, 290, 215)}
GENERATOR_VERSION = 1


def photograph(name):
    image = getattr(skimage.data, name)()
    if isinstance(image, tuple):
        image = image[0]
    return imaging.gray(np.asarray(image, np.uint8))


def background(rng, photos):
    while True:
        name = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
        image = photos[name]
        h, w = image.shape
        widest = min(w, h * WIDTH / HEIGHT)
        for _ in range(100):
            cw = math.exp(rng.uniform(math.log(min(WIDTH, widest)), math.log(widest)))
            cw = int(round(cw))
            ch = int(round(cw * HEIGHT / WIDTH))
            x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
            head = HEADS.get(name)
            if head and x < head[2] and head[0] < x + cw and y < head[3] and head[1] < y + ch:
                continue
            return name, (x, y, cw, ch), imaging.resize(image[y:y + ch, x:x + cw], WIDTH, HEIGHT)


def make_scene(index, seed, photos, faces):
    rng = np.random.Generator(np.random.PCG64([seed, index]))
    name, crop, scene = background(rng, photos)
    boxes = []
    for _ in range(int(rng.integers(0, 4))):
        placed = scenes.place(rng, boxes)
        if placed is None:
            continue
        x, y, size = placed
        lfw = int(rng.integers(0, 100))
        scenes.blend(scene, imaging.resize(faces[lfw], size, size), x, y)
        boxes.append({"x": x, "y": y, "width": size, "height": size, "lfw_index": lfw})
    return scene, {"background": name, "crop": list(crop), "faces": boxes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="out/semi-real")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sheet", help="also draw the first 20 scenes with their boxes into this PNG")
    args = parser.parse_args()

    photos = {name: photograph(name) for name in BACKGROUNDS}
    lfw = skimage.data.lfw_subset()
    faces = np.floor(lfw[:100] * 255 + 0.5).astype(np.uint8)  # the first 100 are the faces
    os.makedirs(args.out, exist_ok=True)
    pictures, truth = [], []
    for i in range(args.count):
        scene, record = make_scene(i, args.seed, photos, faces)
        record["file"] = f"scene-{i:03d}.png"
        Image.fromarray(scene).save(os.path.join(args.out, record["file"]))
        pictures.append(scene)
        truth.append(record)
    with open(os.path.join(args.out, "truth.json"), "w") as f:
        json.dump({"generator": "tools/detection/semi_real_scenes.py", "version": GENERATOR_VERSION,
                   "seed": args.seed, "scikit_image": skimage.__version__, "width": WIDTH, "height": HEIGHT,
                   "evaluation_only": True, "scenes": truth}, f, indent=1)
        f.write("\n")
    if args.sheet:
        scenes.sheet(args.sheet, pictures, truth)
    face_count = sum(len(t["faces"]) for t in truth)
    free = sum(1 for t in truth if not t["faces"])
    print(f"{args.out}: {args.count} scenes of {WIDTH}x{HEIGHT} (seed {args.seed}, scikit-image {skimage.__version__}), "
          f"{face_count} faces, {free} face-free scenes")


if __name__ == "__main__":
    main()
