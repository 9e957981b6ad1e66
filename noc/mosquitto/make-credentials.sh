#!/bin/sh
# Creates Mosquitto credentials for every station of a registry CSV (header: id,name,district) plus the
# NOC user, hashed in one pass (mosquitto_passwd -U), and a CSV of the plain passwords to hand to each
# station's installer (mqtt.username = id, mqtt.passwordFile holding the password).
#
#   sh noc/mosquitto/make-credentials.sh stations.csv out-dir
#
# out-dir/station-agent.passwd -> /etc/mosquitto/ (mode 0640, owner mosquitto)
# out-dir/credentials.csv      -> keep secret; distribute per station, then delete
# out-dir/station-noc.password -> station-noc --mqtt-username station-noc --mqtt-password-file ...
set -eu
registry=${1:?usage: make-credentials.sh stations.csv out-dir}
out=${2:?usage: make-credentials.sh stations.csv out-dir}
umask 077
mkdir -p "$out"
plain="$out/station-agent.passwd"
: > "$plain"
echo "station,username,password" > "$out/credentials.csv"
gen() { head -c 18 /dev/urandom | base64 | tr '+/' '-_'; }
noc=$(gen)
printf 'station-noc:%s\n' "$noc" >> "$plain"
printf '%s\n' "$noc" > "$out/station-noc.password"
# Skip the header; the id is the first field (station ids never contain commas or quotes).
tail -n +2 "$registry" | tr -d '\r' | cut -d, -f1 | while read -r id; do
  [ -n "$id" ] || continue
  case "$id" in
    *[!A-Za-z0-9_.-]*) echo "invalid station id: $id" >&2; exit 1 ;;
  esac
  pw=$(gen)
  printf '%s:%s\n' "$id" "$pw" >> "$plain"
  printf '%s,%s,%s\n' "$id" "$id" "$pw" >> "$out/credentials.csv"
done
mosquitto_passwd -U "$plain"
echo "wrote $plain (hashed), $out/credentials.csv and $out/station-noc.password"
