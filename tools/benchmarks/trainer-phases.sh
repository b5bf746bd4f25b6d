#!/bin/sh
# Images per second of SDAE pre-training (per block) and of head training (forward, backward,
# Adam, with rendering synthetic faces) for the standard network, with 1 and 2 OpenBLAS threads.
#   tools/benchmarks/trainer-phases.sh       (a benchmark, not a test: about 2 minutes)
# Prints the progress lines of `facelyzr train` (each with its images/s) for both thread counts.
set -eu
scratch=${FACELYZR_SCRATCH:+--scratch-path $FACELYZR_SCRATCH}
swift build -c release --product facelyzr $scratch >&2
bin=$(swift build -c release --show-bin-path $scratch)/facelyzr
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for threads in 1 2; do
    echo "== --threads $threads"
    "$bin" train --output "$dir/bench.safetensors" --pretrain-steps 40 --steps 100 --train-count 200000 \
        --test-count 0 --threads "$threads" --log-every 20 --checkpoint-every 0 | grep -E "step (40|80|120|160|200|260|280) |trained"
done
