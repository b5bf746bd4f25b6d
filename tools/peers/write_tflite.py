"""Writes the int8 .tflite of a Facelyzr blob with inference_speed.py's converter path (tflite_model),
for runs outside inference_speed.py (tools/embedded/count-instructions.sh counts it on aarch64).
Run with .venv-peers/bin/python (tools/peers/setup.sh).

    write_tflite.py BLOB OUT.tflite
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import fzblob  # noqa: E402
from inference_speed import tflite_model  # noqa: E402

blob_path, out = sys.argv[1], sys.argv[2]
if os.path.exists(out):
    os.remove(out)  # tflite_model keeps an existing file; this one must follow the blob
tflite_model(fzblob.Blob.read(blob_path), out)
