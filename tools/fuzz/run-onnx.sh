#!/usr/bin/env bash
# Fuzzes the ONNX importer: tools/fuzz/run-import.sh onnx [RUNS] (docs/model-import.md "Fuzzing").
exec "$(dirname "$0")/run-import.sh" onnx "$@"
