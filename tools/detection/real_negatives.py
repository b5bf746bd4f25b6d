#!/usr/bin/env python3
"""Cuts gray not-a-face patches from the real photographs listed in tools/detection/negatives.tsv
(extracted by tools/detection/real-negatives.sh) and writes them as a Facelyzr dataset
(samples.fzds + manifest.json, label face = 0) that `facelyzr train --dataset` reads.
docs/detection-data.md "Real negatives" describes the sources and the sampling:

- every file's SHA-256 must equal the manifest's, or nothing is written;
- a photograph gives clamp(area / 16,384, 16, --max-per-photo) patches; a patch is a square
  crop of side c, log-uniform in [max(24, short side / 20), max(24, short side / 2)] (the faces
  a 320x240 frame of the whole photograph would hold are 28 to 96 pixels, 1/9 to 2/5 of its
  height), at a uniform position, area-resampled to --size (tools/detection/imaging.py);
- crops must be opaque (>= 98% of pixels with alpha > 250; stamps are cut-outs); the few
  transparent pixels left are composited over mid gray;
- a photograph's patches all go to one split, the manifest's `split` column (pinned with the
  photograph, so adding photographs moves none: docs/detection-data.md "Real negatives");
- the random stream of a photograph is PCG64 seeded by (--seed, its SHA-256), so the patches
  do not depend on the manifest's order.

Usage: real_negatives.py --root EXTRACTED --out DIR [--manifest TSV] [--seed 0] [--size 24]
       [--max-per-photo 400] [--sheet FILE.png]
"""
import argparse
import hashlib
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

SPLIT_NAMES = ("train", "calibration", "test")


def read_manifest(path):
    with open(path) as f:
        lines = [line.rstrip("\n") for line in f if not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


def verify(rows, root):
    """Returns each row's file path; exits naming every missing or altered file."""
    paths, problems = [], []
    for row in rows:
        path = os.path.join(root, row["package"], row["path"])
        if not os.path.isfile(path):
            problems.append(f"missing: {row['package']} {row['version']} {row['path']}")
        else:
            digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
            if digest != row["sha256"]:
                problems.append(f"SHA-256 differs: {row['package']} {row['version']} {row['path']}: "
                                f"{digest}, manifest {row['sha256']}")
        paths.append(path)
    if problems:
        sys.exit("real_negatives.py: the photographs are not the pinned ones; nothing written.\n  "
                 + "\n  ".join(problems))
    return paths


def photo_splits(rows):
    """The split index (SPLIT_NAMES) of each manifest row: its `split` column."""
    unknown = sorted({row.get("split") for row in rows} - set(SPLIT_NAMES), key=str)
    if unknown:
        sys.exit(f"real_negatives.py: the manifest's split column holds {unknown}, not one of {SPLIT_NAMES}")
    return [SPLIT_NAMES.index(row["split"]) for row in rows]


def load(path):
    """(gray uint8 (H, W), opaque bool (H, W)) of a picture."""
    image = Image.open(path)
    image.load()
    rgba = np.asarray(image.convert("RGBA"))
    alpha = rgba[..., 3].astype(np.float32) / 255
    rgb = rgba[..., :3].astype(np.float32) * alpha[..., None] + 128 * (1 - alpha[..., None])
    return imaging.gray(np.floor(rgb + 0.5).astype(np.uint8)), rgba[..., 3] > 250


def patches(gray, opaque, rng, count, size):
    """Up to `count` (patch, (x, y, side)) from one photograph."""
    height, width = gray.shape
    short = min(width, height)
    if short < size:
        return []
    low, high = max(size, short / 20), max(size, short / 2)
    cover = np.pad(np.cumsum(np.cumsum(opaque, 0, dtype=np.int64), 1, dtype=np.int64), ((1, 0), (1, 0)))
    out = []
    for _ in range(count):
        for _ in range(50):  # rejection sampling: opaque crops only
            side = int(round(math.exp(rng.uniform(math.log(low), math.log(high)))))
            side = min(max(side, size), short)
            x, y = int(rng.integers(0, width - side + 1)), int(rng.integers(0, height - side + 1))
            covered = cover[y + side, x + side] - cover[y, x + side] - cover[y + side, x] + cover[y, x]
            if covered >= 0.98 * side * side:
                out.append((imaging.resize(gray[y:y + side, x:x + side], size, size, "area"), (x, y, side)))
                break
    return out


def contact_sheet(pixels, path, columns=40):
    rows = -(-len(pixels) // columns)
    size = pixels.shape[1]
    sheet = np.full((rows * (size + 1), columns * (size + 1)), 32, np.uint8)
    for i, p in enumerate(pixels):
        r, c = divmod(i, columns)
        sheet[r * (size + 1):r * (size + 1) + size, c * (size + 1):c * (size + 1) + size] = p[..., 0]
    Image.fromarray(sheet).save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", default=os.path.join(HERE, "negatives.tsv"))
    parser.add_argument("--root", required=True, help="directory holding each package extracted as PACKAGE/")
    parser.add_argument("--out", required=True, help="dataset directory to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=24)
    parser.add_argument("--max-per-photo", type=int, default=400)
    parser.add_argument("--sheet", help="also write a PNG of (up to 2,000 of) the patches")
    args = parser.parse_args()

    rows = read_manifest(args.manifest)
    paths = verify(rows, args.root)
    photo_split = photo_splits(rows)
    pixels, splits, sources, per_package = [], [], [], {}
    for row, path, split in zip(rows, paths, photo_split):
        gray, opaque = load(path)
        count = min(max(round(gray.size / 16384), 16), args.max_per_photo)
        rng = np.random.Generator(np.random.PCG64([args.seed, int(row["sha256"][:16], 16)]))
        cut = patches(gray, opaque, rng, count, args.size)
        for patch, (x, y, side) in cut:
            pixels.append(patch[..., None])
            splits.append(split)
            sources.append(f"{row['package'][:28]}/{os.path.basename(row['path'])[-48:]}@{x},{y},{side}")
        stats = per_package.setdefault(row["package"], [0, 0])
        stats[0] += 1
        stats[1] += len(cut)
    if not pixels:
        sys.exit("real_negatives.py: no patch cut")
    pixels = np.stack(pixels)
    fzds.write_directory(args.out, {"pixels": pixels, "is_face": np.zeros(len(pixels), np.float32), "split": splits,
                                    "source_id": sources}, "debian-photographs")
    if args.sheet:
        step = max(1, len(pixels) // 2000)
        contact_sheet(pixels[::step][:2000], args.sheet)
    for package, (photos, cut) in sorted(per_package.items()):
        print(f"{package}: {photos} photographs, {cut} patches")
    print(f"{args.out}: {len(pixels)} not-a-face patches of {args.size}x{args.size} from {len(rows)} photographs; "
          + ", ".join(f"{name} {splits.count(i)}" for i, name in enumerate(SPLIT_NAMES)))


if __name__ == "__main__":
    main()
