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
# Usage: tools/detection-model.sh [--work DIR] [--out BLOB] [--rendering drawn|shaded|mixed]
#        [--variation V] [--final-steps S] [FACELYZR] (default: .build/release/facelyzr, built here).
# The defaults are the shipped recipe: out/detector, firmware-model/face-detector.blob (+ its card),
# drawn faces, photo scenes of variation 1, 16,000 final steps. --rendering shaded trains on the
# generator's shaded faces (`facelyzr synth --rendering shaded`, docs/synthetic-faces.md "Shaded
# rendering"), mixed on both (photo_scenes.py --faces twice); --variation is photo_scenes.py's; a
# variant writes its blob (and card) elsewhere with --out, its data under --work (docs/detection.md
# "Recipe variants compared on the semi-real scenes").
# Needs what real-negatives.sh needs (apt-get download from Debian's archive, PyPI for numpy
# and Pillow in .build-negatives/venv) the first time; 18 minutes of wall time
# on the shared 2-core machine, where it wrote face-detector.blob SHA-256 fec6c8d3...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work=out/detector blob=firmware-model/face-detector.blob rendering=drawn variation=1 final_steps=16000 facelyzr=""
while [ $# -gt 0 ]; do
    case "$1" in
        --work) work=$2; shift 2 ;;
        --out) blob=$2; shift 2 ;;
        --rendering) rendering=$2; shift 2 ;;
        --variation) variation=$2; shift 2 ;;
        --final-steps) final_steps=$2; shift 2 ;;
        *) facelyzr=$1; shift ;;
    esac
done
case "$rendering" in drawn | shaded | mixed) ;; *) echo "detection-model.sh: --rendering drawn|shaded|mixed" >&2; exit 2 ;; esac
if [ -z "$facelyzr" ]; then
    swift build -c release --product facelyzr
    facelyzr=.build/release/facelyzr
fi
mkdir -p "$work"
python=.build-negatives/venv/bin/python
bash tools/detection/real-negatives.sh --out "$work/real-negatives"
# The held-out test scenes are the shipped recipe's whatever the variant (drawn faces, variation 1),
# so every variant is scored on the same scenes (docs/detection.md "Held-out validation").
for split in train:6000:3000 calibration:300:100 test:600:300; do
    IFS=: read -r name faces scenes <<< "$split"
    kinds=$rendering v=$variation
    if [ "$name" = test ]; then kinds=drawn v=1; elif [ "$rendering" = mixed ]; then kinds="drawn shaded"; fi
    sources=()
    for kind in $kinds; do
        dir="$work/faces-$name"
        if [ "$kind" = shaded ]; then dir="$dir-shaded"; fi
        "$facelyzr" synth "$dir" --dataset --size 96 --count "$faces" --split "$name" --rendering "$kind"
        sources+=(--faces "$dir")
    done
    "$python" tools/detection/photo_scenes.py --photos .build-negatives/extract "${sources[@]}" \
        --split "$name" --count "$scenes" --variation "$v" --out "$work/photo-$name"
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
model "$work/round3" "$work/face-detector.safetensors" "$blob" "$final_steps"
cat >> "${blob%.blob}.card.md" <<'CARD'

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
