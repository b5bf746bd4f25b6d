#!/usr/bin/env bash
# Fuzzes the TFLite importer: tools/fuzz/run-import.sh tflite [RUNS] (docs/model-import.md "Fuzzing").
exec "$(dirname "$0")/run-import.sh" tflite "$@"
