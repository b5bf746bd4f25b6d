"""A small reader of Facelyzr model blobs (docs/blob-format.md), enough for the peer comparison:
tensors (shape, zero point, scale) and ops (kind, parameters, int8 weights, int32 bias and
requantisation). It trusts the blob: `facelyzr inspect` is the validator."""
import struct

import numpy as np

OP_KINDS = {1: "conv2D", 2: "depthwiseConv2D", 3: "maxPool2x2", 4: "averagePool2x2",
            5: "globalAveragePool", 6: "fullyConnected", 7: "fullyConnectedAccumulators"}


class Blob:
    def __init__(self, data: bytes):
        assert data[:8] == b"FACELYZR", "not a Facelyzr blob"
        (section_count,) = struct.unpack_from("<I", data, 20)
        sections = {}
        for i in range(section_count):
            kind, _flags, offset, length = struct.unpack_from("<IIQQ", data, 64 + 32 * i)
            sections[kind] = (offset, length)
        self.data = data
        m = sections[1][0]
        (self.input_height, self.input_width, self.input_channels) = struct.unpack_from("<III", data, m + 8)
        (self.input_tensor,) = struct.unpack_from("<I", data, m + 32)
        t_off, t_len = sections[3]
        self.tensors = []
        for r in range(t_off, t_off + t_len, 32):
            h, w, c, _layout, zp, scale, arena = struct.unpack_from("<IIIIifQ", data, r)
            self.tensors.append({"shape": (h, w, c), "zero_point": zp, "scale": scale, "arena_offset": arena})
        w_off = sections[5][0]
        o_off, o_len = sections[4]
        self.ops = []
        for r in range(o_off, o_off + o_len, 64):
            opcode, rounding, _fusion, inp, out = struct.unpack_from("<HBBII", data, r)
            kh, kw, sh, sw, padding, layout = struct.unpack_from("<BBBBBB", data, r + 12)
            out_min, out_max, out_len = struct.unpack_from("<iiI", data, r + 20)
            weights, bias, multipliers, shifts = struct.unpack_from("<QQQQ", data, r + 32)
            op = {"kind": OP_KINDS[opcode], "rounding": rounding, "input": inp, "output": out,
                  "kernel": (kh, kw), "stride": (sh, sw), "padding": ["valid", "same"][padding],
                  "clamp": (out_min, out_max), "accumulators": out_len}
            cin = self.tensors[inp]["shape"]
            if op["kind"] == "conv2D":
                cout = self.tensors[out]["shape"][2]
                count = cout * kh * kw * cin[2]
                op["weights"] = np.frombuffer(data, np.int8, count, w_off + weights).reshape(cout, kh, kw, cin[2])
            elif op["kind"] in ("fullyConnected", "fullyConnectedAccumulators"):
                cout = self.tensors[out]["shape"][2] if op["kind"] == "fullyConnected" else out_len
                n = cin[0] * cin[1] * cin[2]
                op["weights"] = np.frombuffer(data, np.int8, cout * n, w_off + weights).reshape(cout, n)
            else:
                cout = 0
            if cout:
                op["bias"] = np.frombuffer(data, np.int32, cout, w_off + bias)
                if op["kind"] != "fullyConnectedAccumulators":
                    op["multipliers"] = np.frombuffer(data, np.int32, cout, w_off + multipliers)
                    op["shifts"] = np.frombuffer(data, np.int32, cout, w_off + shifts)
                    # The real factor s_in * s_w / s_out the multiplier encodes: M * 2^shift / 2^31.
                    op["real"] = op["multipliers"].astype(np.float64) * np.exp2(op["shifts"].astype(np.float64) - 31)
            self.ops.append(op)

    @classmethod
    def read(cls, path):
        with open(path, "rb") as f:
            return cls(f.read())
