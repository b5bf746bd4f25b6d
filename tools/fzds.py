#!/usr/bin/env python3
"""Reads a Facelyzr dataset file (samples.fzds, format version 1) with numpy, written from the
layout in docs/data.md "Dataset file" (not from the Swift code), so it doubles as an
independent check of the format.

    python3 tools/fzds.py out/lfw-dataset/samples.fzds      # prints a summary

    from fzds import read
    dataset = read("samples.fzds")   # dict of numpy arrays, see read()
"""
import struct
import sys
import zlib

import numpy as np

MAGIC = b"FZDS"
SOURCE_ID_BYTES = 96


class FormatError(ValueError):
    pass


def read(path):
    """Returns a dict: width, height, channels, attribute_names, pixels (N, H, W, C) uint8,
    gender / age / is_face (float32, NaN where unknown), attribute_values and attribute_known
    (N, A) bool, split (N,) uint8, source_id (list of str). Checks every CRC."""
    data = open(path, "rb").read()
    if data[:4] != MAGIC:
        raise FormatError(f"{path}: no FZDS magic")
    (version, header_bytes, width, height, channels, count, record_bytes, id_bytes,
     attribute_count, split_crc) = struct.unpack_from("<IIIIIQIIII", data, 4)
    if version != 1:
        raise FormatError(f"{path}: version {version}")
    if zlib.crc32(data[:header_bytes - 4]) != struct.unpack_from("<I", data, header_bytes - 4)[0]:
        raise FormatError(f"{path}: header checksum")
    names, offset = [], 48
    for _ in range(attribute_count):
        (length,) = struct.unpack_from("<H", data, offset)
        names.append(data[offset + 2:offset + 2 + length].decode())
        offset += 2 + length
    pixel_bytes = width * height * channels
    if record_bytes != pixel_bytes + 124 or id_bytes != SOURCE_ID_BYTES:
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
    return {
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
