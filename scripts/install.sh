#!/bin/sh
# Installs the built station agent on this machine, or into a staged root.
#
#   npm run build && sudo scripts/install.sh            install or upgrade, enable, start if configured
#   sudo scripts/install.sh --uninstall [--purge]       remove; --purge also removes config and state
#   DESTDIR=/tmp/root scripts/install.sh                staged install: files only, no systemctl
#
# Options: --no-enable (files, users and rules only), --no-start, --bundle-node (copy this machine's
# node binary into /opt/station-agent/node, for stations without Node.js 20).
# Running it again with the same build changes nothing. The .deb (scripts/package-deb.sh) is built
# from a staged install made by this script, so both lay out the same files.
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
APP=/opt/station-agent
UNIT_DIR=/lib/systemd/system
UDEV_DIR=/lib/udev/rules.d
SYSUSERS_DIR=/usr/lib/sysusers.d
TMPFILES_DIR=/usr/lib/tmpfiles.d
MODLOAD_DIR=/usr/lib/modules-load.d
UNITS="station-agent.service station-agent-recover.timer station-noc.service"

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
    -h | --help)
        sed -n '2,12p' "$0"
        exit 0
        ;;
    *) die "unknown option $arg (see --help)" ;;
    esac
done
[ "$PURGE" = 0 ] || [ "$MODE" = uninstall ] || die "--purge goes with --uninstall"
if [ -z "$DESTDIR" ]; then
    [ "$(id -u)" = 0 ] || die "run as root (or set DESTDIR= for a staged install)"
    if dpkg-query -W -f='${Status}' station-agent 2>/dev/null | grep -q ' installed$'; then
        die "station-agent is installed from the .deb here; use apt/dpkg instead"
    fi
fi
systemd_running() { [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; }

# --- payload: /opt/station-agent -------------------------------------------------------------------

node_arch() { node -p process.arch; }

stage_payload() {
    stage=$1
    for built in dist/station-agent/cli.js dist/noc/cli.js; do
        [ -f "$SRC/$built" ] || die "$built is missing: run npm run build first"
    done
    [ -d "$SRC/node_modules" ] || die "node_modules is missing: run npm ci first"
    command -v npm >/dev/null 2>&1 || die "npm is needed to drop the development modules"
    mkdir -p "$stage/bin" "$stage/libexec" "$stage/config" "$stage/docs"
    cp -R "$SRC/dist" "$stage/dist"
    find "$stage/dist" -name '*.tsbuildinfo' -delete
    cp "$SRC/package.json" "$SRC/package-lock.json" "$stage/"
    cp "$SRC/config/example.yaml" "$stage/config/example.yaml"
    [ ! -f "$SRC/docs/install.md" ] || cp "$SRC/docs/install.md" "$stage/docs/install.md"
    [ ! -f "$SRC/docs/security.md" ] || cp "$SRC/docs/security.md" "$stage/docs/security.md"
    cp "$SRC/systemd/station-agent-setup" "$stage/libexec/station-agent-setup"

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
    write_wrapper "$stage/bin/station-agent" "dist/station-agent/cli.js" --max-semi-space-size=1 \
        "MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-2} MALLOC_MMAP_THRESHOLD_=\${MALLOC_MMAP_THRESHOLD_:-16384}"
    write_wrapper "$stage/bin/station-noc" "dist/noc/cli.js" --enable-source-maps
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
    stage=$(mktemp -d "${target%/*}/.station-agent.XXXXXX")
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
    install_file "$s/udev/60-station-agent.rules" "$UDEV_DIR/60-station-agent.rules" 0644
    install_file "$s/sysusers.d/station-agent.conf" "$SYSUSERS_DIR/station-agent.conf" 0644
    install_file "$s/sysusers.d/station-noc.conf" "$SYSUSERS_DIR/station-noc.conf" 0644
    install_file "$s/tmpfiles.d/station-agent.conf" "$TMPFILES_DIR/station-agent.conf" 0644
    install_file "$s/modules-load.d/station-agent.conf" "$MODLOAD_DIR/station-agent.conf" 0644
    for page in station-agent station-noc; do
        gzip -9n <"$s/man/$page.8" >"$WORK/$page.8.gz"
        install_file "$WORK/$page.8.gz" "/usr/share/man/man8/$page.8.gz" 0644
    done
    install_link "$APP/bin/station-agent" /usr/bin/station-agent
    install_link "$APP/bin/station-noc" /usr/bin/station-noc
    # The NOC unit starts with --config; an operator's edited file is never replaced.
    if [ ! -e "$DESTDIR/etc/station-noc/config.yaml" ]; then
        install -D -m 0644 "$s/station-noc.yaml" "$DESTDIR/etc/station-noc/config.yaml"
        say "installed /etc/station-noc/config.yaml"
    fi
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

do_install() {
    WORK=$(mktemp -d)
    install_payload
    install_system_files
    if [ -n "$DESTDIR" ]; then
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
    rm -f "$DESTDIR$UDEV_DIR/60-station-agent.rules" "$DESTDIR$SYSUSERS_DIR/station-agent.conf" \
        "$DESTDIR$SYSUSERS_DIR/station-noc.conf" "$DESTDIR$TMPFILES_DIR/station-agent.conf" \
        "$DESTDIR$MODLOAD_DIR/station-agent.conf" "$DESTDIR/usr/bin/station-agent" "$DESTDIR/usr/bin/station-noc" \
        "$DESTDIR/usr/share/man/man8/station-agent.8.gz" "$DESTDIR/usr/share/man/man8/station-noc.8.gz" \
        "$DESTDIR/etc/sysctl.d/60-station-agent-ping.conf"
    rm -rf "$DESTDIR$APP"
    if systemd_running; then systemctl daemon-reload; fi
    if [ -z "$DESTDIR" ] && [ -S /run/udev/control ]; then udevadm control --reload; fi
    if [ "$PURGE" = 1 ]; then
        rm -rf "$DESTDIR/etc/station-agent" "$DESTDIR/var/lib/station-agent" "$DESTDIR/etc/default/station-agent" \
            "$DESTDIR/etc/station-noc" "$DESTDIR/var/lib/station-noc"
        say "removed; config and state purged (users station-agent and station-noc are kept)"
    else
        say "removed; kept /etc/station-agent and /var/lib/station-agent (--purge removes them)"
    fi
}

if [ "$MODE" = uninstall ]; then do_uninstall; else do_install; fi
