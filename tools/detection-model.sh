#!/usr/bin/env bash
# The shipped face / not-face model of the localiser, reproducibly, from nothing but the
# synthetic face generator and the pinned Debian photographs without people
# (docs/detection.md "The model", docs/detection-data.md):
#
#   1. tools/detection/real-negatives.sh   15,060 real not-face 24x24 patches -> out/detector/real-negatives
#   2. facelyzr synth --size 96            synthetic faces of the train, calibration and test splits
#   3. tools/detection/photo_scenes.py     those faces with photographic variation in the Debian
#                                          photographs of the same split: 3,000 train and 100
#                                          calibration scenes (training), 300 test scenes (held-out
#                                          validation, never trained on)
#   4. facelyzr scenes --patches           face / not-face patches of 1,500 synthetic scenes
#   5. tools/detection/detector_patches.py patches of the photo scenes (faces with their face box
#                                          offsets, for the box head) + 1 + 4 -> round0
#   6. facelyzr train, quantize            tools/detection/face-24.json (face head and box head),
#                                          one thread -> round0.blob
#   7. bootstrapping, three times: the boxes the last model finds away from the faces in 1,000
#      further train photo scenes (0..<1000, 1000..<2000, 2000..<3000) join as not-faces; train
#      and quantize again -> round1.blob, round2.blob, then (16,000 steps)
#      firmware-model/face-detector.blob (+ card)
#
# The LFW subset and scikit-image's photographs (the semi-real benchmark) are not read here.
# Usage: tools/detection-model.sh [FACELYZR] (default: .build/release/facelyzr, built here).
# Needs what real-negatives.sh needs (apt-get download from Debian's archive, PyPI for numpy
# and Pillow in .build-negatives/venv) the first time; 18 minutes of wall time
# on the shared 2-core machine, where it wrote face-detector.blob SHA-256 fec6c8d3...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
facelyzr="${1:-}"
if [ -z "$facelyzr" ]; then
    swift build -c release --product facelyzr
    facelyzr=.build/release/facelyzr
fi
work=out/detector
mkdir -p "$work"
python=.build-negatives/venv/bin/python
bash tools/detection/real-negatives.sh --out "$work/real-negatives"
for split in train:6000 calibration:300 test:600; do
    "$facelyzr" synth "$work/faces-${split%:*}" --dataset --size 96 --count "${split#*:}" --split "${split%:*}"
done
for split in train:3000 calibration:100 test:300; do
    "$python" tools/detection/photo_scenes.py --photos .build-negatives/extract --faces "$work/faces-${split%:*}" \
        --split "${split%:*}" --count "${split#*:}" --out "$work/photo-${split%:*}"
done
"$facelyzr" scenes --patches "$work/patches" --train-scenes 1500 --calibration-scenes 64 --test-scenes 64
"$python" tools/detection/detector_patches.py --scenes "$work/photo-train" --scenes "$work/photo-calibration" \
    --include "$work/real-negatives" --include "$work/patches" --out "$work/round0"

model() {  # model DATASET CHECKPOINT BLOB [STEPS]: train on DATASET, quantize with its calibration split
    "$facelyzr" train --dataset "$1" --architecture tools/detection/face-24.json --pretrain-steps 0 \
        --steps "${4:-4000}" --batch-size 64 --learning-rate 0.005 --weight-decay 0.0001 --seed 1 \
        --threads 1 --checkpoint-every 0 --log-every 1000 --output "$2" 2>&1 | tail -n 3
    "$facelyzr" quantize "$2" --calibration "$1" --calibration-count 1000 \
        --evaluation-count 0 --bias-correction off --out "$3" --quiet
}
model "$work/round0" "$work/round0.safetensors" "$work/round0.blob"
"$python" tools/detection/detector_patches.py --scenes "$work/photo-train" --hard-only --facelyzr "$facelyzr" \
    --hard-model "$work/round0.blob" --hard-from 0 --hard-scenes 1000 --include "$work/round0" --out "$work/round1"
model "$work/round1" "$work/round1.safetensors" "$work/round1.blob"
"$python" tools/detection/detector_patches.py --scenes "$work/photo-train" --hard-only --facelyzr "$facelyzr" \
    --hard-model "$work/round1.blob" --hard-from 1000 --hard-scenes 1000 --include "$work/round1" --out "$work/round2"
model "$work/round2" "$work/round2.safetensors" "$work/round2.blob"
"$python" tools/detection/detector_patches.py --scenes "$work/photo-train" --hard-only --facelyzr "$facelyzr" \
    --hard-model "$work/round2.blob" --hard-from 2000 --hard-scenes 1000 --include "$work/round2" --out "$work/round3"
model "$work/round3" "$work/face-detector.safetensors" firmware-model/face-detector.blob 16000
cat >> firmware-model/face-detector.card.md <<'CARD'

## Training data (tools/detection-model.sh)

- faces: synthetic faces of the project's generator (train split), with photographic variation
  (resolution, lighting, blur, noise, JPEG), in crops of 174 Debian photographs without people,
  and in the synthetic scenes; no real face
- box head: the face box's offset from the window (x, y, log scale; docs/detection.md "Box
  regression") of the photo scenes' face patches, jittered by up to 1/6 of the face and 0.85 to
  1.18 in scale; not-faces and the synthetic scenes' patches carry no box target
- framing: a face box is the face square, forehead to chin (0.57 of the generator picture's side,
  centred at (0.5, 0.44) of it: Sources/FacelyzrImaging/FaceFraming.swift), as OpenCV's cascades
  and the LFW crops frame faces; photo scenes v2, synthetic scenes v2
- not faces: 15,060 patches of 310 pinned Debian photographs without people
  (tools/detection/negatives.tsv), the photo scenes' and synthetic scenes' clutter, and three
  bootstrapping rounds of false boxes on the photo scenes
- not read: the LFW subset and scikit-image's photographs (the semi-real benchmark)
- docs/detection.md "The model", docs/detection-data.md
CARD
