#!/usr/bin/env bash
# Real not-a-face training patches from photographs without people in Debian packages
# (docs/detection-data.md "Real negatives"):
#
#   1. apt-get download each package of tools/detection/negatives.tsv at its pinned version
#      into .build-negatives/debs/ (gitignored; skipped when already there);
#   2. extract the listed files only into .build-negatives/extract/PACKAGE/;
#   3. a small venv .build-negatives/venv with pinned numpy and Pillow;
#   4. tools/detection/real_negatives.py checks every file's SHA-256 against the manifest
#      (any difference: it stops, naming the files, and writes nothing) and cuts 24x24 gray
#      patches labelled "not a face" into a Facelyzr dataset (default .build-negatives/patches).
#
# Usage: tools/detection/real-negatives.sh [--out DIR] [--seed N] [--size 24] [--max-per-photo 400]
#        [--sheet FILE.png]   (arguments go to real_negatives.py)
# Needs apt-get (Debian bookworm's archive, after `apt-get update`), python3, network to the
# Debian archive and PyPI the first time only.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
manifest=tools/detection/negatives.tsv
cache=.build-negatives
mkdir -p "$cache/debs" "$cache/extract"

packages=$(grep -v '^#' "$manifest" | tail -n +2 | cut -f1,2 | sort -u)
while IFS=$'\t' read -r package version; do
    deb=""
    for candidate in "$cache/debs/${package}_"*.deb; do
        if [ -f "$candidate" ] && [ "$(dpkg-deb -f "$candidate" Version)" = "$version" ]; then deb="$candidate"; fi
    done
    if [ -z "$deb" ]; then
        echo "downloading $package $version"
        if ! (cd "$cache/debs" && apt-get download -q "$package=$version" 2>&1 | grep -v '^W: Download is performed unsandboxed'); then
            echo "real-negatives.sh: apt-get download $package=$version failed: the pinned version must be in" >&2
            echo "  Debian's archive (run apt-get update first; this list pins bookworm's versions)." >&2
            exit 1
        fi
        for candidate in "$cache/debs/${package}_"*.deb; do
            if [ "$(dpkg-deb -f "$candidate" Version)" = "$version" ]; then deb="$candidate"; fi
        done
    fi
    target="$cache/extract/$package"
    if [ ! -f "$target/.extracted-$version" ]; then
        rm -rf "$target"
        mkdir -p "$target"
        grep -v '^#' "$manifest" | awk -F'\t' -v p="$package" '$1 == p { print "./" $3 }' > "$target/.files"
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$target" -T "$target/.files"
        dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/share/doc/$package/copyright" > "$target/copyright"
        touch "$target/.extracted-$version"
    fi
done <<< "$packages"

if [ ! -x "$cache/venv/bin/python" ]; then
    python3 -m venv "$cache/venv"
    "$cache/venv/bin/python" -m pip install --quiet numpy==2.4.6 pillow==13.0.0
fi
args=("$@")
case " $* " in *" --out "*) ;; *) args+=(--out "$cache/patches") ;; esac
"$cache/venv/bin/python" tools/detection/real_negatives.py --root "$cache/extract" "${args[@]}"
