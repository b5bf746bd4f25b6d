#!/usr/bin/env python3
"""Reads and writes a Facelyzr dataset file (samples.fzds, format versions 1 and 2) with numpy, written
from the layout in docs/data.md "Dataset file" (not from the Swift code), so it doubles as an
independent check of the format.

    python3 tools/fzds.py out/lfw-dataset/samples.fzds      # prints a summary

    from fzds import read, write
    dataset = read("samples.fzds")   # dict of numpy arrays, see read()
    write("copy.fzds", dataset)      # the same bytes back (tools/test_fzds.py checks it)
"""
import json
import os
import struct
import sys
import zlib

import numpy as np

MAGIC = b"FZDS"
SOURCE_ID_BYTES = 96
# CelebA's 40 attribute names in their column order: the names every version 1 file carries.
CELEBA_ATTRIBUTES = (
    "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose "
    "Black_Hair Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee "
    "Gray_Hair Heavy_Makeup High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard "
    "Oval_Face Pale_Skin Pointy_Nose Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair "
    "Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young"
).split()


class FormatError(ValueError):
    pass


def read(path):
    """Returns a dict: width, height, channels, attribute_names, pixels (N, H, W, C) uint8,
    gender / age / is_face (float32, NaN where unknown), face_box (N, 3) float32 (x, y, log scale of
    the face box relative to the picture, NaN where unknown; always so in version 1),
    attribute_values and attribute_known (N, A) bool, split (N,) uint8, source_id (list of str),
    version. Checks every CRC."""
    data = open(path, "rb").read()
    if data[:4] != MAGIC:
        raise FormatError(f"{path}: no FZDS magic")
    (version, header_bytes, width, height, channels, count, record_bytes, id_bytes,
     attribute_count, split_crc) = struct.unpack_from("<IIIIIQIIII", data, 4)
    if version not in (1, 2):
        raise FormatError(f"{path}: version {version}")
    if zlib.crc32(data[:header_bytes - 4]) != struct.unpack_from("<I", data, header_bytes - 4)[0]:
        raise FormatError(f"{path}: header checksum")
    names, offset = [], 48
    for _ in range(attribute_count):
        (length,) = struct.unpack_from("<H", data, offset)
        names.append(data[offset + 2:offset + 2 + length].decode())
        offset += 2 + length
    pixel_bytes = width * height * channels
    if record_bytes != pixel_bytes + (124 if version == 1 else 136) or id_bytes != SOURCE_ID_BYTES:
        raise FormatError(f"{path}: record layout")
    if len(data) != header_bytes + count * (record_bytes + 1):
        raise FormatError(f"{path}: {len(data)} bytes, expected {header_bytes + count * (record_bytes + 1)}")
    table = data[header_bytes + count * record_bytes:]
    if zlib.crc32(table) != split_crc:
        raise FormatError(f"{path}: split table checksum")

    records = np.frombuffer(data, np.uint8, count * record_bytes, header_bytes).reshape(count, record_bytes)
    for index in range(count):
        body = records[index, :record_bytes - 4].tobytes()
        if zlib.crc32(body) != struct.unpack_from("<I", records[index, record_bytes - 4:].tobytes())[0]:
            raise FormatError(f"{path}: record {index} checksum")
    labels = records[:, pixel_bytes:]
    flags = labels[:, 0]
    age = labels[:, 4:8].copy().view("<f4")[:, 0]
    values = labels[:, 8:16].copy().view("<u8")[:, 0]
    known = labels[:, 16:24].copy().view("<u8")[:, 0]
    bits = np.arange(attribute_count, dtype=np.uint64)
    if version >= 2:
        box = labels[:, 120:132].copy().view("<f4").astype(np.float32)
        face_box = np.where((flags & 8 != 0)[:, None], box, np.nan).astype(np.float32)
    else:
        face_box = np.full((count, 3), np.nan, np.float32)
    return {
        "version": version, "face_box": face_box,
        "width": width, "height": height, "channels": channels, "attribute_names": names,
        "pixels": records[:, :pixel_bytes].reshape(count, height, width, channels),
        "gender": np.where(flags & 1, labels[:, 1], np.nan).astype(np.float32),
        "age": np.where(flags & 2, age, np.nan).astype(np.float32),
        "is_face": np.where(flags & 4, labels[:, 2], np.nan).astype(np.float32),
        "attribute_values": (values[:, None] >> bits) & 1 == 1,
        "attribute_known": (known[:, None] >> bits) & 1 == 1,
        "split": labels[:, 3].copy(),
        "split_table": np.frombuffer(table, np.uint8),
        "source_id": [labels[i, 24:24 + SOURCE_ID_BYTES].tobytes().rstrip(b"\0").decode() for i in range(count)],
    }


def write(path, dataset):
    """Writes `dataset` (the keys read() returns, except split_table) to `path`. Only pixels,
    split and source_id are required: gender, age, is_face and face_box default to unknown (NaN),
    attributes to unknown, attribute_names to CelebA's. Writes version 2 when some face_box is
    known, else version 1."""
    pixels = np.asarray(dataset["pixels"], np.uint8)
    count, height, width, channels = pixels.shape
    names = list(dataset.get("attribute_names", CELEBA_ATTRIBUTES))
    unknown = np.full(count, np.nan, np.float32)
    gender = np.asarray(dataset.get("gender", unknown), np.float32)
    age = np.asarray(dataset.get("age", unknown), np.float32)
    is_face = np.asarray(dataset.get("is_face", unknown), np.float32)
    face_box = np.asarray(dataset.get("face_box", np.full((count, 3), np.nan, np.float32)), np.float32)
    box_known = ~np.isnan(face_box).any(axis=1)
    version = 2 if box_known.any() else 1
    for i in np.flatnonzero(box_known):
        x, y, log_scale = face_box[i]
        if not (np.isfinite(face_box[i]).all() and abs(x) <= 1 and abs(y) <= 1 and abs(log_scale) <= np.log(8)):
            raise FormatError(f"record {i}: face box offset ({x}, {y}, {log_scale}) outside |x|, |y| <= 1, |log scale| <= ln 8")
    no_attributes = np.zeros((count, len(names)), bool)
    values = np.asarray(dataset.get("attribute_values", no_attributes), bool)
    known = np.asarray(dataset.get("attribute_known", no_attributes), bool)
    split = np.asarray(dataset["split"], np.uint8)
    bits = np.uint64(1) << np.arange(len(names), dtype=np.uint64)
    value_words = (values & known).astype(np.uint64) @ bits if len(names) else np.zeros(count, np.uint64)
    known_words = known.astype(np.uint64) @ bits if len(names) else np.zeros(count, np.uint64)
    pixel_bytes = width * height * channels
    record_bytes = pixel_bytes + (124 if version == 1 else 136)

    records = bytearray()
    for i in range(count):
        source = dataset["source_id"][i].encode()
        if len(source) > SOURCE_ID_BYTES:
            raise FormatError(f"record {i}: source ID longer than {SOURCE_ID_BYTES} bytes")
        flags = ((0 if np.isnan(gender[i]) else 1) | (0 if np.isnan(age[i]) else 2) | (0 if np.isnan(is_face[i]) else 4)
                 | (8 if box_known[i] else 0))
        body = (pixels[i].tobytes()
                + struct.pack("<BBBBfQQ", flags, 0 if np.isnan(gender[i]) else int(gender[i]),
                              0 if np.isnan(is_face[i]) else int(is_face[i]), int(split[i]),
                              0.0 if np.isnan(age[i]) else float(age[i]),
                              int(value_words[i]), int(known_words[i]))
                + source.ljust(SOURCE_ID_BYTES, b"\0")
                + (b"" if version == 1 else struct.pack("<fff", *(face_box[i] if box_known[i] else (0, 0, 0)))))
        records += body + struct.pack("<I", zlib.crc32(body))
    table = split.tobytes()
    name_bytes = b"".join(struct.pack("<H", len(n.encode())) + n.encode() for n in names)
    header_bytes = -(-(48 + len(name_bytes) + 4) // 16) * 16
    header = (MAGIC + struct.pack("<IIIIIQIIII", version, header_bytes, width, height, channels, count, record_bytes,
                                  SOURCE_ID_BYTES, len(names), zlib.crc32(table))
              + name_bytes).ljust(header_bytes - 4, b"\0")
    with open(path, "wb") as out:
        out.write(header + struct.pack("<I", zlib.crc32(header)) + records + table)


def read_version(path):
    """The format version of the dataset file at `path`."""
    with open(path, "rb") as f:
        return struct.unpack("<I", f.read(8)[4:])[0]


def write_directory(directory, dataset, source):
    """Writes `dataset` (as write() takes it) as a dataset directory `facelyzr train --dataset`
    reads: DIRECTORY/samples.fzds and DIRECTORY/manifest.json (docs/data.md "Dataset file"),
    `source` naming where the samples come from. Counts face / not-face labels only (the
    detection datasets carry no other label)."""
    os.makedirs(directory, exist_ok=True)
    write(os.path.join(directory, "samples.fzds"), dataset)
    version = read_version(os.path.join(directory, "samples.fzds"))
    pixels = np.asarray(dataset["pixels"])
    is_face = np.asarray(dataset.get("is_face", np.full(len(pixels), np.nan)), np.float32)
    split = np.asarray(dataset["split"])
    manifest = {
        "attributeNames": list(dataset.get("attribute_names", CELEBA_ATTRIBUTES)), "channels": pixels.shape[3],
        "count": len(pixels), "formatVersion": version, "height": pixels.shape[1], "width": pixels.shape[2],
        "samplesFile": "samples.fzds", "source": source,
        "labelConvention": "gender 1 = male, 0 = female; age in years; face 1 = face; "
                           "attributes true/false with unknown ones masked; see docs/data.md",
        "labels": {"age": 0, "attributes": 0, "face": int(np.sum(is_face == 1)), "female": 0, "gender": 0, "male": 0,
                   "notFace": int(np.sum(is_face == 0))},
        "splits": {name: int(np.sum(split == i)) for i, name in enumerate(("train", "calibration", "test"))},
    }
    with open(os.path.join(directory, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


def main(argv):
    for path in argv:
        dataset = read(path)
        counts = np.bincount(dataset["split"], minlength=3)
        print(f"{path}: {len(dataset['source_id'])} samples of {dataset['width']}x{dataset['height']}"
              f"x{dataset['channels']}; train {counts[0]}, calibration {counts[1]}, test {counts[2]}; "
              f"gender known {int(np.sum(~np.isnan(dataset['gender'])))}, "
              f"age known {int(np.sum(~np.isnan(dataset['age'])))}")


if __name__ == "__main__":
    main(sys.argv[1:])
