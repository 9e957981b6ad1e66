#!/bin/sh
# The state centre's signed apt repository of station-agent packages, kept with reprepro (Debian).
# Stations list it with signed-by, so apt refuses anything not signed with the state's key.
#
#   scripts/apt-repo.sh init DIR KEYID        create DIR/conf and export the public key
#   scripts/apt-repo.sh add DIR FILE.deb...   add packages (the newest version of each is served)
#   scripts/apt-repo.sh list DIR              what the repository serves
#   scripts/apt-repo.sh sources URL DIR       the sources line a station needs, printed
#
# Serve DIR (its dists/ and pool/) with any web server, e.g. the NOC host's nginx. GNUPGHOME selects the
# keyring holding KEYID's secret key. Codename: STATION_AGENT_CODENAME (default stable). Rollback does
# not need the old version here: each station keeps the version it replaced in /var/cache/apt/archives.
set -eu

CODENAME=${STATION_AGENT_CODENAME:-stable}
KEYRING_NAME=station-agent-archive-keyring.gpg

die() {
    printf 'apt-repo.sh: error: %s\n' "$*" >&2
    exit 1
}
need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 is needed (apt-get install $2)"
}

[ $# -ge 2 ] || { sed -n '2,12p' "$0"; exit 2; }
cmd=$1
shift
case "$cmd" in
init)
    [ $# -eq 2 ] || die "usage: init DIR KEYID"
    need reprepro reprepro
    need gpg gnupg
    dir=$1
    key=$2
    gpg --batch --list-secret-keys "$key" >/dev/null 2>&1 || die "no secret key $key in ${GNUPGHOME:-~/.gnupg}"
    mkdir -p "$dir/conf"
    cat >"$dir/conf/distributions" <<CONF
Origin: CCTNS state centre
Label: station-agent
Codename: $CODENAME
Architectures: amd64 arm64 armhf i386
Components: main
Description: station-agent releases for the state's police stations
SignWith: $key
CONF
    printf 'verbose\nask-passphrase\n' >"$dir/conf/options"
    gpg --batch --yes --export "$key" >"$dir/$KEYRING_NAME"
    reprepro -b "$dir" export "$CODENAME"
    echo "apt-repo.sh: repository in $dir, signed with $key; public key in $dir/$KEYRING_NAME"
    ;;
add)
    need reprepro reprepro
    dir=$1
    shift
    [ -f "$dir/conf/distributions" ] || die "$dir is not a repository (run init first)"
    [ $# -gt 0 ] || die "usage: add DIR FILE.deb..."
    for deb in "$@"; do
        [ -f "$deb" ] || die "$deb: no such file"
        dpkg-deb --info "$deb" >/dev/null 2>&1 || die "$deb is not a Debian package"
        # reprepro refuses a package without Section/Priority; ours carry them, a hand-built one may not.
        section=$(dpkg-deb -f "$deb" Section)
        priority=$(dpkg-deb -f "$deb" Priority)
        reprepro -b "$dir" -S "${section:-admin}" -P "${priority:-optional}" includedeb "$CODENAME" "$deb"
    done
    ;;
list)
    need reprepro reprepro
    reprepro -b "$1" list "$CODENAME"
    ;;
sources)
    [ $# -eq 2 ] || die "usage: sources URL DIR"
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/%s\n' \
        "$1" "$CODENAME" "$KEYRING_NAME"
    ;;
*) die "unknown command $cmd" ;;
esac
