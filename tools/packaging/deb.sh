#!/usr/bin/env bash
# Debian packages of the board runtime, built with dpkg-deb from the Embedded Swift builds
# (tools/embedded/build.sh): `make deb-arm64`, `make deb-armhf`, `make deb-amd64`.
#
#     deb.sh [--no-build] ARCH...     ARCH: arm64 (build.sh's aarch64), armhf (armv7), amd64 (x86_64)
#
# Writes .build-packages/facelyzr_VERSION_ARCH.deb, VERSION being the tools' own
# (Sources/FacelyzrRunCommands/Version.swift), holding:
#   /usr/bin/facelyzr-run                    the board runner (tools/embedded/facelyzr-run.c), stripped
#   /usr/lib/TRIPLET/libfacelyzr.a           the runtime and its C API
#   /usr/lib/TRIPLET/pkgconfig/facelyzr.pc   `pkg-config --cflags --libs facelyzr` (board/facelyzr.pc.in)
#   /usr/include/facelyzr.h
#   /usr/share/facelyzr/                     every firmware-model/*.blob with its card (.card.md, .card.json)
#   /usr/share/man/man1/facelyzr-run.1.gz    from the runner's own header comment
#   /usr/share/doc/facelyzr/                 copyright (licences, the models' provenance), README.Debian,
#                                            changelog.gz
#   /usr/share/lintian/overrides/facelyzr    the lintian tags kept on purpose, each with its reason
#   /lib/systemd/system/facelyzr-camera.service, /usr/libexec/facelyzr/facelyzr-camera,
#   /etc/default/facelyzr-camera             the example camera service, installed disabled (board/)
# Whatever the runner and the library do, they are packaged as built: a new runner mode or a
# new model in firmware-model/ needs no change here. Depends is read from the runner's ELF
# (its NEEDED libraries and the highest GLIBC_ symbol version it uses).
# --no-build packages the builds already in .build-embedded/ (tools/packaging/deb-check.sh,
# after check.sh made them); otherwise build.sh builds the ISA first.
# DEB_MAINTAINER overrides the Maintainer field (default: git's user.name and user.email).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
umask 022
board=tools/packaging/board
out="$root/.build-packages"

build=1
if [ "${1:-}" = --no-build ]; then build=0; shift; fi
(($#)) || { echo "usage: deb.sh [--no-build] arm64|armhf|amd64..." >&2; exit 1; }

version=$(sed -n 's/^ *public static let current = "\([^"]*\)"$/\1/p' Sources/FacelyzrRunCommands/Version.swift)
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "deb.sh: no version in Version.swift" >&2; exit 1; }
maintainer="${DEB_MAINTAINER:-$(git config user.name) <$(git config user.email)>}"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
commit=$(git rev-parse --short=12 HEAD)

declare -A isa_of=([arm64]=aarch64 [armhf]=armv7 [amd64]=x86_64)
declare -A triplet_of=([arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf [amd64]=x86_64-linux-gnu)
declare -A binutils_of=([arm64]=aarch64-linux-gnu- [armhf]=arm-linux-gnueabihf- [amd64]="")
declare -A cpu_of=([arm64]="ARMv8-A: Raspberry Pi 3, 4, 5 with a 64-bit OS."
                   [armhf]="ARMv7-A with VFP: Raspberry Pi 2, 3, 4, 5 and Zero 2 with a 32-bit OS
 (not ARMv6: Pi 1, Zero)."
                   [amd64]="x86-64 (the host twin of the board packages).")

for arch in "$@"; do
    isa="${isa_of[$arch]:-}"
    [ -n "$isa" ] || { echo "deb.sh: unknown architecture '$arch' (arm64, armhf, amd64)" >&2; exit 1; }
    if ((build)); then bash tools/embedded/build.sh "$isa"; fi
    built=".build-embedded/$isa"
    for file in facelyzr-run libfacelyzr.a; do
        [ -f "$built/$file" ] || { echo "deb.sh: $built/$file is missing (run tools/embedded/build.sh $isa)" >&2; exit 1; }
    done
    triplet="${triplet_of[$arch]}" tools="${binutils_of[$arch]}"
    tree="$out/tree-$arch"
    rm -rf "$tree"
    doc="$tree/usr/share/doc/facelyzr"
    install -d "$tree/DEBIAN" "$tree/usr/bin" "$tree/usr/lib/$triplet/pkgconfig" "$tree/usr/include" \
        "$tree/usr/share/facelyzr" "$tree/usr/share/man/man1" "$doc" "$tree/lib/systemd/system" \
        "$tree/usr/libexec/facelyzr" "$tree/etc/default"

    install -m 755 "$built/facelyzr-run" "$tree/usr/bin/"
    "${tools}strip" --strip-unneeded --remove-section=.comment --remove-section=.note "$tree/usr/bin/facelyzr-run"
    install -m 644 "$built/libfacelyzr.a" "$tree/usr/lib/$triplet/"  # no debug sections to strip
    sed -e "s|@MULTIARCH@|$triplet|" -e "s|@VERSION@|$version|" "$board/facelyzr.pc.in" > "$tree/usr/lib/$triplet/pkgconfig/facelyzr.pc"
    install -m 644 Sources/FacelyzrCAPI/include/facelyzr.h "$tree/usr/include/"
    for blob in firmware-model/*.blob; do
        card="${blob%.blob}.card"
        [ -f "$card.md" ] && [ -f "$card.json" ] || { echo "deb.sh: $blob has no model card" >&2; exit 1; }
        install -m 644 "$blob" "$card.md" "$card.json" "$tree/usr/share/facelyzr/"
    done
    install -m 644 "$board/facelyzr-camera.service" "$tree/lib/systemd/system/"
    install -m 755 "$board/facelyzr-camera" "$tree/usr/libexec/facelyzr/"
    install -m 644 "$board/facelyzr-camera.default" "$tree/etc/default/facelyzr-camera"
    install -m 644 "$board/README.Debian" "$doc/"
    # The copyright years are those of the repository's history.
    years=$(git log --format=%ad --date=format:%Y | sort -u | sed -n '1p;$p' | uniq | paste -sd-)
    sed "s/@YEARS@/$years/" "$board/copyright" > "$doc/copyright"
    install -d "$tree/usr/share/lintian/overrides"
    install -m 644 "$board/lintian-overrides" "$tree/usr/share/lintian/overrides/facelyzr"

    # The manual page: the runner's header comment is its documentation.
    date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
    {
        echo ".TH FACELYZR-RUN 1 \"$date\" \"facelyzr $version\" \"User Commands\""
        echo ".SH NAME"
        echo "facelyzr-run \\- Facelyzr's int8 face models on raw camera frames, one JSON line per frame"
        echo ".SH DESCRIPTION"
        echo ".nf"
        awk 'NR == 1 { next } /^ \*\// { exit } { sub(/^ \* ?/, ""); gsub(/\\/, "\\e"); sub(/^[.'"'"']/, "\\\\\\&&"); print }' tools/embedded/facelyzr-run.c
        echo ".fi"
        echo ".SH FILES"
        echo ".TP"
        echo "/usr/share/facelyzr/"
        echo "the shipped models and their model cards"
        echo ".TP"
        echo "/etc/default/facelyzr-camera"
        echo "the settings of the example camera service facelyzr-camera.service"
        echo ".SH SEE ALSO"
        echo "/usr/share/doc/facelyzr/README.Debian"
    } | gzip -9n > "$tree/usr/share/man/man1/facelyzr-run.1.gz"

    {
        echo "facelyzr ($version) unstable; urgency=medium"
        echo
        echo "  * Built from the Facelyzr repository at commit $commit"
        echo "    by tools/packaging/deb.sh."
        echo
        echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
    } | gzip -9n > "$doc/changelog.gz"  # a native package: changelog.gz

    # Depends from the runner's ELF: libc6 from its NEEDED entries and GLIBC_ versions (libm,
    # which the detection mode's rounding needs, is part of libc6).
    needed=$("${tools}readelf" -d "$tree/usr/bin/facelyzr-run" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
    for library in $needed; do
        case "$library" in
            libc.so.6|libm.so.6|ld-linux*) ;;
            *) echo "deb.sh: facelyzr-run needs $library: add its package to Depends" >&2; exit 1 ;;
        esac
    done
    glibc=$("${tools}objdump" -T "$tree/usr/bin/facelyzr-run" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)

    cat > "$tree/DEBIAN/control" <<CONTROL
Package: facelyzr
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$tree" | cut -f1)
Depends: libc6 (>= $glibc)
Suggests: ffmpeg
Section: science
Priority: optional
Description: gender, age and face attributes in int8 on small boards
 Facelyzr runs small int8 face models with an allocation-free runtime,
 compiled as Embedded Swift. This build is for
 ${cpu_of[$arch]}
 .
 This package holds facelyzr-run, which reads raw camera frames on standard
 input and writes one JSON line per frame; libfacelyzr.a with facelyzr.h and a
 pkg-config file, to use the models from C; the shipped models and their model
 cards; and an example systemd service (installed disabled) that pipes a camera
 through the runner into a FIFO or a file.
 .
 The shipped models were trained on synthetic faces only: they show the
 pipeline working and are not expected to be accurate on real photographs.
CONTROL
    echo /etc/default/facelyzr-camera > "$tree/DEBIAN/conffiles"
    (cd "$tree" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$tree/DEBIAN/md5sums"
    chmod 644 "$tree/DEBIAN/control" "$tree/DEBIAN/conffiles" "$tree/DEBIAN/md5sums"
    find "$tree" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

    package="$out/facelyzr_${version}_$arch.deb"
    dpkg-deb --root-owner-group -Zxz --build "$tree" "$package" >/dev/null
    echo "deb.sh: $package ($(stat -c %s "$package") bytes; Depends: libc6 (>= $glibc))"
done
