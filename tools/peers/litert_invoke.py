"""Runs a .tflite model with LiteRT's Interpreter (one thread, XNNPACK, the default delegate):
one warm-up invoke (XNNPACK sets up there), then N invokes. Made to be counted under qemu-aarch64
in the arm64 tree of tools/peers/arm64-tree.sh by tools/embedded/count-instructions.sh: the count
for N = 3 minus the count for N = 1, halved, is the instructions of one steady-state invoke
(Python's start-up, the model load and the warm-up cancel out). The input is count.c's fixed
pseudo-random image (pixel XOR 0x80 as int8; a float model gets those values / 256, (pixel - 128)
/ 256). Prints the outputs so runs can be compared.

    python3 litert_invoke.py MODEL.tflite N
"""
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter

path, runs = sys.argv[1], int(sys.argv[2])
interpreter = Interpreter(model_path=path, num_threads=1)
interpreter.allocate_tensors()
tin = interpreter.get_input_details()[0]
count = int(np.prod(tin["shape"]))
state, pixels = 12345, bytearray(count)
for i in range(count):
    state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
    pixels[i] = state >> 24
q = (np.frombuffer(bytes(pixels), np.uint8) ^ 0x80).view(np.int8).reshape(tin["shape"])
if tin["dtype"] == np.float32:
    q = q.astype(np.float32) / 256
interpreter.set_tensor(tin["index"], q)
interpreter.invoke()
for _ in range(runs):
    interpreter.invoke()
outputs = [interpreter.get_tensor(t["index"]).tolist() for t in interpreter.get_output_details()]
print("runs", runs, "outputs", outputs)
