#!/bin/sh
# Upgrades (or downgrades) station-agent to one version, checks that the new agent is healthy, and puts
# the previous version back when it is not. The agent starts this in a transient unit (systemd-run) so
# that it outlives the agent it replaces; the outcome is left in STATE/update/ID.json for the agent that
# runs afterwards (new or old) to report over MQTT.
#
#   station-agent-upgrade --id ID --to VERSION [--deadline SECONDS] [--state DIR] [--package NAME]
#   station-agent-upgrade --request FILE [--state DIR]    (id=, to=, deadline= lines; from the path unit)
#
# Healthy means: `station-agent status --json` answers with the new version and an MQTT session up,
# within the deadline. The version replaced stays in /var/cache/apt/archives (apt keeps what it
# downloads), which is where the rollback takes it from, so a rollback needs no network.
set -u

ID=
TO=
DEADLINE=120
STATE=/var/lib/station-agent
PKG=station-agent
while [ $# -gt 0 ]; do
    case "$1" in
    --id) ID=$2 && shift ;;
    --to) TO=$2 && shift ;;
    --deadline) DEADLINE=$2 && shift ;;
    --state) STATE=$2 && shift ;;
    --package) PKG=$2 && shift ;;
    --request)
        # Only these three keys are read; the values are checked below like the options.
        ID=$(sed -n 's/^id=//p' "$2" | head -n 1)
        TO=$(sed -n 's/^to=//p' "$2" | head -n 1)
        DEADLINE=$(sed -n 's/^deadline=//p' "$2" | head -n 1)
        rm -f "$2"
        shift
        ;;
    *) echo "station-agent-upgrade: unknown option $1" >&2 && exit 2 ;;
    esac
    shift
done
case "$ID" in '' | *[!A-Za-z0-9._-]*) echo "station-agent-upgrade: --id must be [A-Za-z0-9._-]+" >&2 && exit 2 ;; esac
case "$TO" in '' | *[!A-Za-z0-9.+~:-]*) echo "station-agent-upgrade: --to must be a Debian version" >&2 && exit 2 ;; esac
case "$DEADLINE" in '' | *[!0-9]*) echo "station-agent-upgrade: --deadline must be seconds" >&2 && exit 2 ;; esac

OUT="$STATE/update"
mkdir -p "$OUT"
# The agent reads the outcome and marks it reported; it runs as its own user.
if id station-agent >/dev/null 2>&1; then chown station-agent: "$OUT"; fi
LOG="$OUT/$ID.log"
exec >>"$LOG" 2>&1
FROM=$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || true)
ARCH=$(dpkg --print-architecture)
export DEBIAN_FRONTEND=noninteractive

result() {
    # One JSON object, written then renamed: the agent never reads half a result.
    printf '{"id":"%s","package":"%s","from":"%s","to":"%s","outcome":"%s","reason":"%s","at":%s}\n' \
        "$ID" "$PKG" "$FROM" "$TO" "$1" "$2" "$(date +%s)" >"$OUT/$ID.json.tmp"
    mv "$OUT/$ID.json.tmp" "$OUT/$ID.json"
    echo "outcome: $1 ($2)"
}

restart() {
    # Where systemd runs, the package's maintainer scripts restart the unit; say it once more in case
    # the version kept the same unit file (try-restart does nothing if the agent is stopped on purpose).
    if [ -d /run/systemd/system ]; then systemctl try-restart "$PKG.service" || true; fi
}

healthy() {
    want=$1
    end=$(($(date +%s) + DEADLINE))
    while [ "$(date +%s)" -lt "$end" ]; do
        s=$(station-agent status --json 2>/dev/null | tr -d ' \n')
        case "$s" in *"\"version\":\"$want\""*"\"connected\":true"* | *"\"connected\":true"*"\"version\":\"$want\""*) return 0 ;; esac
        sleep 2
    done
    return 1
}

echo "$(date -u +%FT%TZ) upgrade $PKG from ${FROM:-none} to $TO (id $ID)"
if [ "$FROM" = "$TO" ]; then
    result applied "already at $TO"
    exit 0
fi
apt-get update -q || echo "apt-get update failed; trying with the lists already here"
if ! apt-get install -y -q --allow-downgrades -o Dpkg::Options::=--force-confold "$PKG=$TO"; then
    result failed "apt-get could not install $PKG=$TO; $FROM is still installed"
    exit 1
fi
restart
# The agent reports its upstream version: 1:0.2.0-1 is "0.2.0".
UPSTREAM_TO=${TO#*:}
if healthy "${UPSTREAM_TO%-*}"; then
    result applied "healthy on $TO"
    exit 0
fi
echo "not healthy on $TO within ${DEADLINE}s; rolling back to $FROM"
if [ -z "$FROM" ]; then
    result failed "not healthy on $TO and there is no previous version to go back to"
    exit 1
fi
OLD=$(ls /var/cache/apt/archives/"${PKG}_$(echo "$FROM" | sed 's/:/%3a/')"_*.deb 2>/dev/null | head -n 1)
if [ -n "$OLD" ] && dpkg -i --force-downgrade --force-confold "$OLD"; then
    restart
    result rolled-back "not healthy within ${DEADLINE}s on $TO (no MQTT session or no answer); back on $FROM"
    exit 1
fi
if apt-get install -y -q --allow-downgrades -o Dpkg::Options::=--force-confold "$PKG=$FROM"; then
    restart
    result rolled-back "not healthy within ${DEADLINE}s on $TO; back on $FROM (from the repository)"
    exit 1
fi
result failed "not healthy on $TO, and $FROM could not be reinstalled"
exit 1
