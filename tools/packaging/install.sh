#!/usr/bin/env bash
# `make install` and `make uninstall`: the host tools and the shipped models.
#
#     install.sh install BUILT    (BUILT: the build products directory holding facelyzr)
#     install.sh uninstall
#
# DESTDIR and PREFIX (default /usr/local) come from the environment, as make passes them:
#   PREFIX/bin/facelyzr             the command line
#   PREFIX/bin/facelyzr-run-host    the run-only twin (analyze, detect, version; no trainer)
#   PREFIX/lib/facelyzr/            the libraries of the package the programs load (facelyzr's
#                                   `bench` links malloc-interposer's; Package.swift sets the
#                                   RUNPATH $ORIGIN/../lib/facelyzr); the Swift runtime comes
#                                   from the toolchain (the programs' other RUNPATH)
#   PREFIX/share/facelyzr/          every firmware-model/*.blob with its model card (.card.md,
#                                   .card.json): where the tools find their default models
#                                   (Sources/FacelyzrRunCommands/ShippedModels.swift)
# Installing replaces PREFIX/share/facelyzr/ whole, so no model of an older version stays;
# uninstalling removes exactly what installing put there.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="${PREFIX:-/usr/local}"
bin="${DESTDIR:-}$prefix/bin"
lib="${DESTDIR:-}$prefix/lib/facelyzr"
share="${DESTDIR:-}$prefix/share/facelyzr"
programs=(facelyzr facelyzr-run-host)

case "${1:-}" in
    install)
        built="${2:?usage: install.sh install BUILT}"
        for program in "${programs[@]}"; do
            [ -x "$built/$program" ] || { echo "install.sh: $built/$program is not built" >&2; exit 1; }
        done
        install -d "$bin"
        for program in "${programs[@]}"; do install -m 755 "$built/$program" "$bin/$program"; done
        rm -rf "$lib"
        install -d "$lib"
        # The package's own shared libraries the programs need (not the toolchain's, not the system's).
        needed=$(for program in "${programs[@]}"; do readelf -d "$built/$program"; done | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
        for library in $needed; do
            if [ -f "$built/$library" ]; then install -m 644 "$built/$library" "$lib/"; fi
        done
        rm -rf "$share"
        install -d "$share"
        for blob in "$root"/firmware-model/*.blob; do
            card="${blob%.blob}.card"
            [ -f "$card.md" ] && [ -f "$card.json" ] || { echo "install.sh: $blob has no model card" >&2; exit 1; }
            install -m 644 "$blob" "$card.md" "$card.json" "$share/"
        done
        echo "installed ${programs[*]} in $bin ($lib: $(ls "$lib" | paste -sd' ')), the shipped models in $share"
        ;;
    uninstall)
        for program in "${programs[@]}"; do rm -f "$bin/$program"; done
        rm -rf "$lib" "$share"
        echo "removed ${programs[*]} from $bin, $lib and $share"
        ;;
    *) echo "usage: install.sh install BUILT | uninstall" >&2; exit 1 ;;
esac
