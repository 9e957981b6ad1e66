#!/bin/sh
# Builds two packages from one tree, each with only its own code and node_modules (native addons
# compiled for the target), units and maintainer scripts; installing either needs no network:
#   station-agent_<version>_<arch>.deb  what every police station runs (no NOC code, no pg);
#   station-noc_<version>_<arch>.deb    the state NOC's collector and dashboard, installed disabled.
#
#   scripts/package-deb.sh [--out DIR] [--no-build] [--bundle-node] [--arch ARCH] [--compress xz|gzip|zstd]
#                          [--program station-agent|station-noc]   (default: both; prints each path)
#
# --no-build uses the existing dist/ instead of a clean `npm run build`. --bundle-node puts this
# machine's node binary into the package (no nodejs dependency). --compress defaults to xz, which every
# dpkg reads; zstd builds in a second and needs dpkg >= 1.21.18 (Debian 12). The native addons are the ones in
# node_modules, so ARCH must be this machine's architecture: build arm64 packages on an arm64 machine.
# Environment: DEB_MAINTAINER, SOURCE_DATE_EPOCH (reproducible dates; default: last commit).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT="$SRC/build/deb"
BUILD=1
BUNDLE_NODE=0
COMPRESS=xz
ARCH=$(dpkg --print-architecture)
MAINTAINER=${DEB_MAINTAINER:-CCTNS station agent team <station-agent@example.org>}
PROGRAMS="station-agent station-noc"

die() {
    printf 'package-deb.sh: error: %s\n' "$*" >&2
    exit 1
}
while [ $# -gt 0 ]; do
    case "$1" in
    --out) OUT=$2 && shift ;;
    --no-build) BUILD=0 ;;
    --bundle-node) BUNDLE_NODE=1 ;;
    --arch) ARCH=$2 && shift ;;
    --compress) COMPRESS=$2 && shift ;;
    --program) PROGRAMS=$2 && shift ;;
    -h | --help) sed -n '2,16p' "$0" && exit 0 ;;
    *) die "unknown option $1" ;;
    esac
    shift
done

HOST_ARCH=$(dpkg --print-architecture)
[ "$ARCH" = "$HOST_ARCH" ] ||
    die "the native addons in node_modules are built for $HOST_ARCH; build the $ARCH package on a $ARCH machine"
case "$ARCH" in
amd64) ELF_MACHINE="X86-64" ;;
arm64) ELF_MACHINE="AArch64" ;;
armhf) ELF_MACHINE="ARM" ;;
i386) ELF_MACHINE="80386" ;;
*) die "unsupported architecture $ARCH" ;;
esac
for tool in dpkg-deb dpkg-shlibdeps readelf strip npm node; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"
done

VERSION=$(node -p 'require(process.argv[1]).version' "$SRC/package.json")
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
# The addons are built for this Node major; within it, the oldest release package.json's engines allow.
# shellcheck disable=SC2016 # JavaScript, not shell
NODE_MIN=$(node -p 'const m = /^>=\s*(\d+)\.(\d+)/.exec(require(process.argv[1]).engines?.node ?? "");
    m && m[1] === process.argv[2] ? `${m[1]}.${m[2]}` : process.argv[2]' "$SRC/package.json" "$NODE_MAJOR")
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$SRC" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

if [ "$BUILD" = 1 ]; then
    rm -rf "$SRC/dist"
    (cd "$SRC" && npm run --silent build)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/station-agent-deb.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Lays out one program's package under $WORK/$1 and builds it into $OUT.
build_package() {
    PKG=$1
    ROOT="$WORK/$PKG/root"
    mkdir -p "$ROOT"

    # The same tree install.sh lays out.
    set -- --no-enable "--program=$PKG"
    [ "$BUNDLE_NODE" = 0 ] || set -- "$@" --bundle-node
    DESTDIR="$ROOT" sh "$SRC/scripts/install.sh" "$@" >/dev/null
    # The agent's config is made by postinst; the NOC's example config is a conffile.
    [ "$PKG" != station-agent ] || rm -rf "${ROOT:?}/etc/station-agent"

    # Every native object must be for the target; unneeded symbols go.
    NATIVE="$WORK/$PKG/native.list"
    find "$ROOT/opt/$PKG" -type f \( -name '*.node' -o -perm /111 \) -exec sh -c '
        for f; do
            case "$(head -c 4 "$f" | od -An -c | tr -d " ")" in "177ELF") echo "$f" ;; esac
        done' sh {} + >"$NATIVE"
    while read -r object; do
        machine=$(readelf -h "$object" | sed -n 's/^ *Machine: *//p')
        case "$machine" in
        *"$ELF_MACHINE"*) ;;
        *) die "${object#"$ROOT"} is built for $machine, not $ARCH" ;;
        esac
        [ "${object##*/}" = node ] || strip --strip-unneeded --remove-section=.comment --remove-section=.note "$object"
    done <"$NATIVE"

    # Documentation: copyright lists every bundled module and its licence; the changelog.
    DOC="$ROOT/usr/share/doc/$PKG"
    mkdir -p "$DOC" "$ROOT/usr/share/lintian/overrides"
    node "$SRC/scripts/deb/copyright.mjs" "$ROOT/opt/$PKG" >"$DOC/copyright"
    CHANGE_DATE=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
    COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
    printf '%s (%s) stable; urgency=medium\n\n  * Build of %s %s (commit %s).\n\n -- %s  %s\n' \
        "$PKG" "$VERSION" "$PKG" "$VERSION" "$COMMIT" "$MAINTAINER" "$CHANGE_DATE" | gzip -9n >"$DOC/changelog.gz"
    install -m 0644 "$SRC/scripts/deb/$PKG/lintian-overrides" "$ROOT/usr/share/lintian/overrides/$PKG"

    # Control files.
    mkdir -p "$ROOT/DEBIAN"
    for script in postinst prerm postrm; do install -m 0755 "$SRC/scripts/deb/$PKG/$script" "$ROOT/DEBIAN/$script"; done
    if [ "$PKG" = station-agent ]; then
        echo /etc/default/station-agent >"$ROOT/DEBIAN/conffiles"
    else
        echo /etc/station-noc/config.yaml >"$ROOT/DEBIAN/conffiles"
    fi
    chmod 0644 "$ROOT/DEBIAN/conffiles"

    # The libraries the native addons link. A failure here must stop the build: a package without them
    # in Depends installs on a machine that cannot load its addons.
    mkdir -p "$WORK/$PKG/shlibs/debian"
    printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PKG" "$PKG" >"$WORK/$PKG/shlibs/debian/control"
    SHLIBS=""
    if [ -s "$NATIVE" ]; then
        if ! (cd "$WORK/$PKG/shlibs" && xargs -d '\n' dpkg-shlibdeps -O --warnings=0 <"$NATIVE") \
            >"$WORK/$PKG/shlibs.out" 2>"$WORK/$PKG/shlibs.err"; then
            cat "$WORK/$PKG/shlibs.err" >&2
            die "dpkg-shlibdeps failed for $PKG's native objects"
        fi
        SHLIBS=$(sed -n 's/^shlibs:Depends=//p' "$WORK/$PKG/shlibs.out")
        [ -n "$SHLIBS" ] || die "dpkg-shlibdeps found no libraries for $PKG's native objects"
    fi
    if [ "$PKG" = station-agent ]; then
        DEPENDS="${SHLIBS:+$SHLIBS, }iputils-ping, systemd, udev, tzdata, init-system-helpers (>= 1.58)"
        RECOMMENDS="fonts-lohit-deva, fonts-dejavu-core"
        SUGGESTS=""
        SUMMARY="police station agent for CCTNS: devices, network links, NOC reports"
        ABOUT=" Runs under systemd on the terminal PC of a police station. It drives the
 fingerprint scanner, the slip printer and the USB UPS, watches the station's
 network links, and reports uptime, link failover, device health and outage
 causes over MQTT to the state NOC, storing reports on disk while offline."
    else
        DEPENDS="${SHLIBS:+$SHLIBS, }systemd, init-system-helpers (>= 1.58)"
        RECOMMENDS="mosquitto"
        # The server sends Hindi mail and SMS without any font; a browser on this machine showing the
        # dashboard in Hindi needs a Devanagari one (the operators' own PCs need it too: docs/noc.md).
        SUGGESTS="fonts-noto-core | fonts-lohit-deva"
        SUMMARY="state NOC for CCTNS station agents: collector and dashboard"
        ABOUT=" Runs in the state data centre. It listens to every police station's agent
 over MQTT, stores events, metrics and availability in SQLite or PostgreSQL,
 tells why a station went dark, sends signed commands, and serves a
 dashboard and JSON API. The service is installed disabled."
    fi
    [ "$BUNDLE_NODE" = 1 ] || DEPENDS="$DEPENDS, nodejs (>= $NODE_MIN), nodejs (<< $((NODE_MAJOR + 1)))"
    INSTALLED_SIZE=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)

    cat >"$ROOT/DEBIAN/control" <<EOF
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $INSTALLED_SIZE
Depends: $DEPENDS
Recommends: $RECOMMENDS${SUGGESTS:+
Suggests: $SUGGESTS}
Section: admin
Priority: optional
Description: $SUMMARY
$ABOUT
EOF

    (cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -print | LC_ALL=C sort | sed 's#^\./##' |
        xargs -d '\n' md5sum) >"$ROOT/DEBIAN/md5sums"
    chmod 0644 "$ROOT/DEBIAN/md5sums" "$ROOT/DEBIAN/control"

    mkdir -p "$OUT"
    DEB="$OUT/${PKG}_${VERSION}_${ARCH}.deb"
    dpkg-deb --root-owner-group -Z"$COMPRESS" --build "$ROOT" "$DEB" >/dev/null
    echo "$DEB"
}

for program in $PROGRAMS; do
    case "$program" in
    station-agent | station-noc) build_package "$program" ;;
    *) die "--program is station-agent or station-noc, not $program" ;;
    esac
done
