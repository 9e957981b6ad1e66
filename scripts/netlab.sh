#!/usr/bin/env bash
# The link monitor's lab: network namespaces joined by veth pairs, as a police station sees its WAN.
#
#   station (st)  wan0 198.18.1.2 ──── 198.18.1.1 sta  primary gateway (gw)  dc 198.18.11.1 ──┐
#                 wan1 198.18.2.2 ──── 198.18.2.1 sta  backup gateway  (bk)  dc 198.18.12.1 ──┤
#                                                                    data centre (dc) 198.19.0.10
#
# Only 198.18.0.0/15 (the benchmarking range) is used, and only inside the lab's namespaces.
# Every namespace is named <prefix>-<role>, so parallel runs with different prefixes never collide.
# Interface names live inside the namespaces, so they can be fixed (wan0, wan1, sta, dc).
#
# Usage: netlab.sh <command> <prefix> [args]
#   up PREFIX                   build the lab (replaces a stale lab with the same prefix)
#   down PREFIX                 delete every namespace of the lab (and so every veth)
#   pull PREFIX primary|backup  pull the station's cable: the gateway's end goes down, wanN shows NO-CARRIER
#                               (pull and cut print at=<ms since the epoch> when the fault took effect)
#   plug PREFIX primary|backup  plug it back in
#   cut PREFIX primary|backup   cut the far side: the gateway answers, the data centre does not
#   heal PREFIX primary|backup  undo cut
#   loss PREFIX primary|backup PCT   drop PCT % of the station's packets at the gateway (nftables numgen random)
#   counters PREFIX primary|backup   print "seen dropped" packet counts of the loss rule
#   restore PREFIX              plug every cable, heal every cut, remove every loss rule
#   exec PREFIX st|gw|bk|dc CMD...   run a command inside one of the namespaces
#   names PREFIX                print the namespace names and addresses (KEY=value lines)
set -euo pipefail

DC_HOST=198.19.0.10
DEAD_HOST=198.19.0.99

die() {
  echo "netlab: $*" >&2
  exit 2
}

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"; }

check_prefix() {
  [[ "${1:-}" =~ ^[a-z][a-z0-9]{0,11}$ ]] || die "prefix must be 1-12 of a-z 0-9, starting with a letter (got '${1:-}')"
}

gw_of() {
  case "${1:-}" in
    primary) echo "$P-gw" ;;
    backup) echo "$P-bk" ;;
    *) die "path must be primary or backup (got '${1:-}')" ;;
  esac
}

inns() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

lab_down() {
  local pids
  for role in st gw bk dc; do
    # Processes still inside the lab (a runner killed without cleanup, its fping children) go with it.
    pids=$(ip netns pids "$P-$role" 2>/dev/null || true)
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    ip netns del "$P-$role" 2>/dev/null || true
  done
}

lab_up() {
  lab_down
  for role in st gw bk dc; do
    ip netns add "$P-$role"
    inns "$P-$role" ip link set lo up
  done
  # station <-> gateways (the station's two WAN interfaces)
  ip link add wan0 netns "$P-st" type veth peer name sta netns "$P-gw"
  ip link add wan1 netns "$P-st" type veth peer name sta netns "$P-bk"
  # gateways <-> data centre
  ip link add dc netns "$P-gw" type veth peer name gw netns "$P-dc"
  ip link add dc netns "$P-bk" type veth peer name bk netns "$P-dc"

  inns "$P-st" ip addr add 198.18.1.2/24 dev wan0
  inns "$P-st" ip addr add 198.18.2.2/24 dev wan1
  inns "$P-gw" ip addr add 198.18.1.1/24 dev sta
  inns "$P-gw" ip addr add 198.18.11.1/24 dev dc
  inns "$P-bk" ip addr add 198.18.2.1/24 dev sta
  inns "$P-bk" ip addr add 198.18.12.1/24 dev dc
  inns "$P-dc" ip addr add 198.18.11.2/24 dev gw
  inns "$P-dc" ip addr add 198.18.12.2/24 dev bk
  inns "$P-dc" ip addr add "$DC_HOST/32" dev lo

  inns "$P-st" ip link set wan0 up
  inns "$P-st" ip link set wan1 up
  for ns in gw bk; do
    inns "$P-$ns" ip link set sta up
    inns "$P-$ns" ip link set dc up
    inns "$P-$ns" sysctl -q -w net.ipv4.ip_forward=1
  done
  inns "$P-dc" ip link set gw up
  inns "$P-dc" ip link set bk up

  # A dual-WAN station: the primary default route wins by metric; a pulled cable makes the kernel skip
  # its route (ignore_routes_with_linkdown), so traffic fails over to the backup like NetworkManager does.
  inns "$P-st" sysctl -q -w net.ipv4.conf.all.ignore_routes_with_linkdown=1
  inns "$P-st" ip route add default via 198.18.1.1 dev wan0 metric 100
  inns "$P-st" ip route add default via 198.18.2.1 dev wan1 metric 200
  # Source rules: a socket bound to a link's address leaves through that link (in-process probes).
  inns "$P-st" ip route add default via 198.18.1.1 dev wan0 table 101
  inns "$P-st" ip route add default via 198.18.2.1 dev wan1 table 102
  inns "$P-st" ip rule add from 198.18.1.2 table 101 priority 1001
  inns "$P-st" ip rule add from 198.18.2.2 table 102 priority 1002

  inns "$P-gw" ip route add 198.19.0.0/24 via 198.18.11.2
  inns "$P-bk" ip route add 198.19.0.0/24 via 198.18.12.2
  inns "$P-dc" ip route add 198.18.1.0/24 via 198.18.11.1
  inns "$P-dc" ip route add 198.18.2.0/24 via 198.18.12.1

  for ns in gw bk; do
    inns "$P-$ns" nft add table inet lab
    inns "$P-$ns" nft add chain inet lab pre '{ type filter hook prerouting priority -300; }'
    inns "$P-$ns" nft add chain inet lab farcut '{ type filter hook forward priority 0; }'
  done
}

set_loss() {
  local ns=$1 pct=$2
  [[ "$pct" =~ ^[0-9]+$ ]] && [ "$pct" -le 100 ] || die "loss must be 0-100 (got '$pct')"
  inns "$ns" nft flush chain inet lab pre
  if [ "$pct" -gt 0 ]; then
    # The first rule counts every packet the station sends, the second drops (and counts) PCT % of them.
    inns "$ns" nft add rule inet lab pre iifname '"sta"' counter
    inns "$ns" nft add rule inet lab pre iifname '"sta"' numgen random mod 100 '<' "$pct" counter drop
  fi
}

counters() {
  local ns=$1
  inns "$ns" nft list chain inet lab pre |
    awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") c[n++] = $(i + 1) }
         END { printf "%s %s\n", (n > 0 ? c[0] : 0), (n > 1 ? c[1] : 0) }'
}

cmd=${1:-}
[ -n "$cmd" ] || die "usage: netlab.sh up|down|pull|plug|cut|heal|loss|counters|restore|exec|names PREFIX [args]"
shift
check_prefix "${1:-}"
P=$1
shift
need_root

case "$cmd" in
  up) lab_up ;;
  down) lab_down ;;
  # pull and cut print the moment the fault took effect (ms since the epoch), for detection-delay benchmarks.
  pull)
    inns "$(gw_of "${1:-}")" ip link set sta down
    date +at=%s%3N
    ;;
  plug) inns "$(gw_of "${1:-}")" ip link set sta up ;;
  # A silent black hole beyond the gateway (no ICMP errors), and no routes flushed, unlike a link set down.
  cut)
    ns=$(gw_of "${1:-}")
    inns "$ns" nft flush chain inet lab farcut
    inns "$ns" nft add rule inet lab farcut iifname '"sta"' drop
    date +at=%s%3N
    ;;
  heal) inns "$(gw_of "${1:-}")" nft flush chain inet lab farcut ;;
  loss) set_loss "$(gw_of "${1:-}")" "${2:-}" ;;
  counters) counters "$(gw_of "${1:-}")" ;;
  restore)
    for ns in "$P-gw" "$P-bk"; do
      inns "$ns" ip link set sta up
      inns "$ns" nft flush chain inet lab pre
      inns "$ns" nft flush chain inet lab farcut
    done
    ;;
  exec)
    role=${1:-}
    [[ "$role" =~ ^(st|gw|bk|dc)$ ]] || die "namespace must be st, gw, bk or dc (got '$role')"
    shift
    inns "$P-$role" "$@"
    ;;
  names)
    cat <<EOF
STATION_NS=$P-st
PRIMARY_GW_NS=$P-gw
BACKUP_GW_NS=$P-bk
DC_NS=$P-dc
PRIMARY_IF=wan0
PRIMARY_ADDR=198.18.1.2
PRIMARY_GW=198.18.1.1
BACKUP_IF=wan1
BACKUP_ADDR=198.18.2.2
BACKUP_GW=198.18.2.1
DC_HOST=$DC_HOST
DEAD_HOST=$DEAD_HOST
EOF
    ;;
  *) die "unknown command '$cmd'" ;;
esac
