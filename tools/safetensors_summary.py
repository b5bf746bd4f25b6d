#!/usr/bin/env python3
"""Lists the tensors and metadata of a safetensors file (a Facelyzr checkpoint) with numpy only.

Written from the format's rules (8-byte little-endian header length, JSON header, raw
little-endian data), independently of the Swift reader. Usage: tools/safetensors_summary.py FILE
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I32": "<i4", "I8": "i1", "U8": "u1"}


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    buffer = data[8 + n :]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(buffer[begin:end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata


if __name__ == "__main__":
    tensors, metadata = load(sys.argv[1])
    for name in sorted(tensors):
        t = tensors[name]
        print(f"{name}\t{list(t.shape)}\tmean {t.mean() if t.size else 0:.6g}\tstd {t.std() if t.size else 0:.6g}")
    for key in sorted(metadata):
        value = metadata[key]
        print(f"__metadata__.{key}\t{value if len(value) < 200 else value[:200] + '...'}")
