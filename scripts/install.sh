#!/bin/sh
# Installs the built station agent on this machine, or into a staged root.
#
#   npm run build && sudo scripts/install.sh            install or upgrade, enable, start if configured
#   sudo scripts/install.sh --uninstall [--purge]       remove; --purge also removes config and state
#   DESTDIR=/tmp/root scripts/install.sh                staged install: files only, no systemctl
#
# Options: --no-enable (files, users and rules only), --no-start, --bundle-node (copy this machine's
# node binary into /opt/<program>/node, for machines without Node.js 20), --program=station-noc (the
# state NOC instead of the agent: /opt/station-noc, its unit installed disabled).
# Running it again with the same build changes nothing. The .debs (scripts/package-deb.sh) are built
# from staged installs made by this script, so both lay out the same files.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PROGRAM=station-agent
UNIT_DIR=/lib/systemd/system
UDEV_DIR=/lib/udev/rules.d
SYSUSERS_DIR=/usr/lib/sysusers.d
TMPFILES_DIR=/usr/lib/tmpfiles.d
MODLOAD_DIR=/usr/lib/modules-load.d

MODE=install
PURGE=0
ENABLE=1
START=1
BUNDLE_NODE=0
CHANGED=0

say() { printf 'install.sh: %s\n' "$*"; }
die() {
    printf 'install.sh: error: %s\n' "$*" >&2
    exit 1
}

for arg in "$@"; do
    case "$arg" in
    --uninstall) MODE=uninstall ;;
    --purge) PURGE=1 ;;
    --no-enable) ENABLE=0 START=0 ;;
    --no-start) START=0 ;;
    --bundle-node) BUNDLE_NODE=1 ;;
    --program=*) PROGRAM=${arg#--program=} ;;
    -h | --help)
        sed -n '2,13p' "$0"
        exit 0
        ;;
    *) die "unknown option $arg (see --help)" ;;
    esac
done
[ "$PURGE" = 0 ] || [ "$MODE" = uninstall ] || die "--purge goes with --uninstall"
case "$PROGRAM" in
station-agent) UNITS="station-agent.service station-agent-recover.timer" ;;
station-noc) UNITS="station-noc.service" ;;
*) die "--program is station-agent or station-noc, not $PROGRAM" ;;
esac
APP=/opt/$PROGRAM
if [ -z "$DESTDIR" ]; then
    [ "$(id -u)" = 0 ] || die "run as root (or set DESTDIR= for a staged install)"
    if dpkg-query -W -f='${Status}' "$PROGRAM" 2>/dev/null | grep -q ' installed$'; then
        die "$PROGRAM is installed from the .deb here; use apt/dpkg instead"
    fi
fi
systemd_running() { [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; }

# --- payload: /opt/station-agent -------------------------------------------------------------------

node_arch() { node -p process.arch; }

# What each program runs: the agent its esbuild bundle (nothing of the NOC), the NOC tsc's output of
# noc/ and contract/ with its dashboard files.
stage_program() {
    stage=$1
    mkdir -p "$stage/bin" "$stage/docs" "$stage/dist"
    [ ! -f "$SRC/docs/install.md" ] || cp "$SRC/docs/install.md" "$stage/docs/install.md"
    if [ "$PROGRAM" = station-agent ]; then
        [ -f "$SRC/dist/station-agent/cli.js" ] || die "dist/station-agent/cli.js is missing: run npm run build first"
        mkdir -p "$stage/libexec" "$stage/config"
        cp -R "$SRC/dist/station-agent" "$stage/dist/station-agent"
        cp "$SRC/config/example.yaml" "$stage/config/example.yaml"
        cp "$SRC/systemd/station-agent-setup" "$stage/libexec/station-agent-setup"
        [ ! -f "$SRC/docs/security.md" ] || cp "$SRC/docs/security.md" "$stage/docs/security.md"
    else
        [ -f "$SRC/dist/noc/cli.js" ] || die "dist/noc/cli.js is missing: run npm run build first"
        cp -R "$SRC/dist/noc" "$SRC/dist/contract" "$stage/dist/"
        mkdir -p "$stage/noc"
        cp -RL "$SRC/noc/public" "$stage/noc/public"
        [ ! -f "$SRC/docs/noc.md" ] || cp "$SRC/docs/noc.md" "$stage/docs/noc.md"
        [ ! -f "$SRC/docs/security.md" ] || cp "$SRC/docs/security.md" "$stage/docs/security.md"
    fi
    find "$stage/dist" -name '*.tsbuildinfo' -delete
}

stage_payload() {
    stage=$1
    [ -d "$SRC/node_modules" ] || die "node_modules is missing: run npm ci first"
    command -v npm >/dev/null 2>&1 || die "npm is needed to drop the development modules"
    stage_program "$stage"
    cp "$SRC/package-lock.json" "$stage/"
    # Only the modules this program's code loads (stations carry no pg, the NOC no device addons).
    node "$SRC/scripts/deb/runtime-deps.mjs" "$SRC/package.json" "$stage/package.json" "$stage/dist" >/dev/null

    # Modules and .bin only: tools keep caches and scratch files in node_modules (vite's .vite and
    # .vite-temp, npm's lock copy), which are not modules and come and go whenever someone runs the tests.
    mkdir "$stage/node_modules"
    for entry in "$SRC/node_modules"/* "$SRC/node_modules/.bin"; do
        [ ! -e "$entry" ] || cp -R "$entry" "$stage/node_modules/"
    done
    (cd "$stage" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --offline --loglevel=error >/dev/null)
    rm -f "$stage/node_modules/.package-lock.json"
    trim_native_modules "$stage/node_modules" "$(node_arch)"

    # The agent runs its esbuild bundle, without source maps: node would parse the whole map at start and
    # hold it (about 14 MB of a station's 80 MB budget). The map is in dist/station-agent for reading a
    # trace offline. The NOC runs tsc's output with maps; it lives on a server.
    # Its node flags and malloc setting: see AGENT_NODE_FLAGS in scripts/bundle-agent.ts.
    if [ "$PROGRAM" = station-agent ]; then
        write_wrapper "$stage/bin/station-agent" "dist/station-agent/cli.js" --max-semi-space-size=1 \
            "MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-2} MALLOC_MMAP_THRESHOLD_=\${MALLOC_MMAP_THRESHOLD_:-16384}"
    else
        write_wrapper "$stage/bin/station-noc" "dist/noc/cli.js" --enable-source-maps
    fi
    if [ "$BUNDLE_NODE" = 1 ]; then
        mkdir -p "$stage/node/bin"
        cp "$(readlink -f "$(command -v node)")" "$stage/node/bin/node"
    fi
    normalise "$stage"
}

# Native addons carry prebuilt binaries for every platform, their C/C++ sources and their compiler's
# leftovers; a station needs one glibc binary for its own architecture. Packaging clutter goes too.
trim_native_modules() {
    modules=$1 arch=$2
    find "$modules" -type d -name prebuilds | while read -r dir; do
        for platform in "$dir"/*; do
            case "${platform##*/}" in
            *linux-"$arch") ;;
            *) rm -rf "$platform" ;;
            esac
        done
        find "$dir" -name '*musl*' -exec rm -rf {} +
    done
    find "$modules" -path '*/build/*' \( -name obj.target -o -name .deps -o -name 'test_extension.node' \
        -o -name '*.o' -o -name '*.a' -o -name '*.mk' -o -name Makefile -o -name config.gypi \) -prune \
        -exec rm -rf {} +
    find "$modules" -name binding.gyp | while read -r gyp; do
        pkg=${gyp%/binding.gyp}
        find "$pkg" -path "$pkg/node_modules" -prune -o -type f \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' \
            -o -name '*.cxx' -o -name '*.h' -o -name '*.hh' -o -name '*.hpp' -o -name '*.gyp' -o -name '*.gypi' \
            -o -name '*.sln' -o -name '*.vcproj' -o -name '*.vcxproj' -o -name '*.m4' -o -name '*.am' \
            -o -name '*.ac' -o -name '*.in' -o -name 'Makefile*' -o -name '*.strings' -o -name '*.plist' \
            -o -name '*.pbxproj' -o -name '*.rc' -o -name '*.def' \) -exec rm -f {} +
    done
    find "$modules" -type f \( -name '.eslintrc*' -o -name '.npmignore' -o -name '.gitattributes' \
        -o -name '.gitignore' -o -name '.gitmodules' -o -name '.travis.yml' -o -name '.editorconfig' \
        -o -name '.prettierrc*' -o -name '.jshintrc' -o -name '.nycrc*' -o -name '.taprc' -o -name '*.html' \) -delete
    find "$modules" -type d -name .github -prune -exec rm -rf {} +
    find "$modules" -depth -type d -empty -delete
}

write_wrapper() {
    name=${1##*/} entry=$2 flags=${3:-} exports=""
    for kv in ${4:-}; do exports="${exports}export $kv
"; done
    cat >"$1" <<EOF
#!/bin/sh
# Runs $name with the Node.js bundled in the package when there is one, else the system's.
${exports}app=\$(dirname "\$(dirname "\$(readlink -f "\$0")")")
node="\$app/node/bin/node"
[ -x "\$node" ] || node=node
exec "\$node" ${flags:+$flags }"\$app/$entry" "\$@"
EOF
}

# Same build, same bytes and modes, whatever umask or checkout the files came from. A file is executable
# exactly when it is: a script with a #! line or an ELF program (shared objects such as addons' .node
# files are loaded, not run, and stay 0644).
normalise() {
    find "$1" -type d -exec chmod 0755 {} +
    find "$1" -type f -exec chmod 0644 {} +
    # shellcheck disable=SC2038 # awk prints one name per line; xargs splits on newlines only
    find "$1" -type f -exec env LC_ALL=C awk '
        FNR == 1 { if (/^#!/ || (/^\177ELF/ && FILENAME !~ /\.(node|so)(\.[0-9.]+)?$/)) print FILENAME; nextfile }' {} + |
        xargs -r -d '\n' chmod 0755
    if [ "$(id -u)" = 0 ]; then chown -hR 0:0 "$1"; fi
}

tree_listing() { (cd "$1" && find . -printf '%y %m %U %G %l %p\n' | LC_ALL=C sort); }

install_payload() {
    target="$DESTDIR$APP"
    mkdir -p "${target%/*}"
    stage=$(mktemp -d "${target%/*}/.$PROGRAM.XXXXXX")
    trap 'rm -rf "$stage" "${WORK:-}"' EXIT
    stage_payload "$stage"
    if [ -d "$target" ] && [ "$(tree_listing "$target")" = "$(tree_listing "$stage")" ] &&
        diff -r --no-dereference -q "$target" "$stage" >/dev/null; then
        rm -rf "$stage"
    else
        # Swap whole trees: a running agent keeps its open files, and no mix of versions is ever on disk.
        [ ! -d "$target" ] || mv "$target" "$stage.old"
        chmod 0755 "$stage"
        mv "$stage" "$target"
        rm -rf "$stage.old"
        CHANGED=1
        say "installed $APP"
    fi
    trap 'rm -rf "${WORK:-}"' EXIT
}

# --- system integration files ---------------------------------------------------------------------

install_file() { # SOURCE DEST MODE
    dest="$DESTDIR$2"
    if [ -f "$dest" ] && [ ! -L "$dest" ] && cmp -s "$1" "$dest" && [ "$(stat -c %a "$dest")" = "${3#0}" ]; then
        return
    fi
    install -D -m "$3" "$1" "$dest"
    CHANGED=1
    say "installed $2"
}

install_link() { # TARGET LINK
    [ "$(readlink "$DESTDIR$2" 2>/dev/null || true)" != "$1" ] || return 0
    mkdir -p "$(dirname "$DESTDIR$2")"
    ln -sfn "$1" "$DESTDIR$2"
    say "linked $2 -> $1"
}

install_system_files() {
    s="$SRC/systemd"
    for unit in $UNITS; do install_file "$s/$unit" "$UNIT_DIR/$unit" 0644; done
    install_file "$s/sysusers.d/$PROGRAM.conf" "$SYSUSERS_DIR/$PROGRAM.conf" 0644
    gzip -9n <"$s/man/$PROGRAM.8" >"$WORK/$PROGRAM.8.gz"
    install_file "$WORK/$PROGRAM.8.gz" "/usr/share/man/man8/$PROGRAM.8.gz" 0644
    install_link "$APP/bin/$PROGRAM" "/usr/bin/$PROGRAM"
    if [ "$PROGRAM" = station-noc ]; then
        # The NOC unit starts with --config; an operator's edited file is never replaced.
        if [ ! -e "$DESTDIR/etc/station-noc/config.yaml" ]; then
            install -D -m 0644 "$s/station-noc.yaml" "$DESTDIR/etc/station-noc/config.yaml"
            say "installed /etc/station-noc/config.yaml"
        fi
        return 0
    fi
    install_file "$s/udev/60-station-agent.rules" "$UDEV_DIR/60-station-agent.rules" 0644
    install_file "$s/tmpfiles.d/station-agent.conf" "$TMPFILES_DIR/station-agent.conf" 0644
    install_file "$s/modules-load.d/station-agent.conf" "$MODLOAD_DIR/station-agent.conf" 0644
    if [ ! -e "$DESTDIR/etc/default/station-agent" ]; then
        install -D -m 0644 "$s/station-agent.default" "$DESTDIR/etc/default/station-agent"
        say "installed /etc/default/station-agent"
    fi
}

setup() { ROOT="$DESTDIR" sh "$DESTDIR$APP/libexec/station-agent-setup" "$@"; }

activate() {
    configured=0
    [ ! -e /etc/station-agent/config.yaml ] || configured=1
    setup users
    setup config
    systemd-tmpfiles --create station-agent.conf || say "systemd-tmpfiles failed; modes are fixed at next boot"
    setup ping-range enable
    while read -r module; do
        case "$module" in '' | '#'*) ;; *) modprobe -q "$module" 2>/dev/null || true ;; esac
    done <"$MODLOAD_DIR/station-agent.conf"
    if [ -S /run/udev/control ]; then
        udevadm control --reload
        udevadm trigger --action=add --subsystem-match=tty --subsystem-match=usbmisc --subsystem-match=hidraw
    fi
    if ! systemd_running; then
        say "systemd is not running here: enable later with systemctl enable --now station-agent"
        return
    fi
    systemctl daemon-reload
    [ "$ENABLE" = 1 ] || return 0
    systemctl enable --quiet station-agent.service station-agent-recover.timer
    systemctl start --quiet station-agent-recover.timer
    if [ "$START" = 0 ]; then
        return
    elif [ "$configured" = 0 ]; then
        say "edit /etc/station-agent/config.yaml, then: systemctl start station-agent"
    elif [ "$CHANGED" = 1 ] && systemctl --quiet is-active station-agent.service; then
        systemctl restart station-agent.service || say "restart failed; see journalctl -u station-agent"
    else
        systemctl start station-agent.service || say "start failed; see journalctl -u station-agent"
    fi
}

# The NOC: its user, and its unit known to systemd but left disabled (it runs in the data centre only
# where an administrator enables it).
activate_noc() {
    systemd-sysusers station-noc.conf || say "systemd-sysusers failed; the user is created at next boot"
    if systemd_running; then systemctl daemon-reload; fi
    say "configure /etc/station-noc/config.yaml, then: systemctl enable --now station-noc"
}

do_install() {
    WORK=$(mktemp -d)
    install_payload
    install_system_files
    if [ "$PROGRAM" = station-noc ]; then
        [ -n "$DESTDIR" ] || activate_noc
    elif [ -n "$DESTDIR" ]; then
        setup config
        say "staged under $DESTDIR; users, ICMP range and the service are set up on the station itself"
    else
        activate
    fi
    [ "$CHANGED" = 1 ] || say "already up to date"
    rm -rf "$WORK"
}

do_uninstall() {
    if systemd_running; then
        # shellcheck disable=SC2086
        systemctl disable --now --quiet $UNITS 2>/dev/null || true
    fi
    for unit in $UNITS; do rm -f "$DESTDIR$UNIT_DIR/$unit"; done
    rm -f "$DESTDIR$SYSUSERS_DIR/$PROGRAM.conf" "$DESTDIR/usr/bin/$PROGRAM" "$DESTDIR/usr/share/man/man8/$PROGRAM.8.gz"
    if [ "$PROGRAM" = station-agent ]; then
        rm -f "$DESTDIR$UDEV_DIR/60-station-agent.rules" "$DESTDIR$TMPFILES_DIR/station-agent.conf" \
            "$DESTDIR$MODLOAD_DIR/station-agent.conf" "$DESTDIR/etc/sysctl.d/60-station-agent-ping.conf"
    fi
    rm -rf "$DESTDIR$APP"
    if systemd_running; then systemctl daemon-reload; fi
    if [ -z "$DESTDIR" ] && [ -S /run/udev/control ]; then udevadm control --reload; fi
    if [ "$PURGE" = 1 ]; then
        rm -rf "$DESTDIR/etc/$PROGRAM" "$DESTDIR/var/lib/$PROGRAM"
        [ "$PROGRAM" != station-agent ] || rm -f "$DESTDIR/etc/default/station-agent"
        say "removed; config and state purged (the user $PROGRAM is kept)"
    else
        say "removed; kept /etc/$PROGRAM and /var/lib/$PROGRAM (--purge removes them)"
    fi
}

if [ "$MODE" = uninstall ]; then do_uninstall; else do_install; fi
