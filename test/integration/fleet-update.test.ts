/**
 * A staged update as a station lives it, on a copy-on-write view of this machine: the state centre's
 * signed apt repository (scripts/apt-repo.sh, reprepro, a GPG key) served over HTTP on loopback, apt
 * with signed-by, real dpkg upgrades between locally built versions, and the upgrade runner
 * (scripts/fleet/station-agent-upgrade.sh) that rolls a broken version back from the apt cache.
 * The packages are small stand-ins named station-agent whose `station-agent status --json` answers as
 * a healthy or a broken agent would; building the real .deb three times is the packaging test's job.
 */
import { describe, expect, it } from "vitest";
import { REPO } from "../support/built-tree.js";
import { inCowRoot } from "../support/run.js";

const SCRIPT = `
set -u
repo_src=$1
w=$(mktemp -d)
cd "$w"
ip link set lo up
export GNUPGHOME="$w/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key 'State centre <fleet@example.org>' ed25519 sign never 2>/dev/null
key=$(gpg --list-keys --with-colons | awk -F: '/^fpr/ {print $10; exit}')
# Another key, to show apt refuses a repository signed by anyone else.
GNUPGHOME="$w/other" sh -c 'mkdir -m 700 "$GNUPGHOME"; gpg --batch --passphrase "" --quick-gen-key "Intruder <x@example.org>" ed25519 sign never 2>/dev/null; gpg --export > '"$w"'/other.gpg'

pkg() { # version, connected (true|false|crash)
  d="$w/pkg-$1"; mkdir -p "$d/DEBIAN" "$d/usr/bin"
  printf 'Package: station-agent\\nVersion: %s\\nArchitecture: all\\nMaintainer: t <t@example.org>\\nSection: admin\\nPriority: optional\\nDescription: stand-in\\n' "$1" > "$d/DEBIAN/control"
  if [ "$2" = crash ]; then body='echo "Error: Cannot find module" >&2; exit 1'
  else body="echo '{\\"station\\": \\"PS-1\\", \\"running\\": true, \\"version\\": \\"$1\\", \\"connected\\": $2}'"; fi
  printf '#!/bin/sh\\n%s\\n' "$body" > "$d/usr/bin/station-agent"; chmod 755 "$d/usr/bin/station-agent"
  dpkg-deb -b "$d" "$w/station-agent_$1_all.deb" >/dev/null
}
pkg 0.1.0 true; pkg 0.2.0 crash; pkg 0.3.0 false; pkg 0.4.0 true

sh "$repo_src/scripts/apt-repo.sh" init "$w/repo" "$key" >/dev/null 2>&1; echo "init: $?"
sh "$repo_src/scripts/apt-repo.sh" add "$w/repo" "$w/station-agent_0.1.0_all.deb" >/dev/null 2>&1
(cd "$w/repo" && exec python3 -m http.server 8089 --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/8089) 2>/dev/null && break; sleep 0.1; done

cp "$w/repo/station-agent-archive-keyring.gpg" /usr/share/keyrings/
rm -f /etc/apt/sources.list.d/* ; : > /etc/apt/sources.list
sh "$repo_src/scripts/apt-repo.sh" sources http://127.0.0.1:8089/ "$w/repo" > /etc/apt/sources.list.d/station-agent.sources
apt-get update -q >/dev/null 2>&1; echo "update: $?"
apt-get install -y -q station-agent >/dev/null 2>&1; echo "installed: $(dpkg-query -W -f='\${Version}' station-agent)"

up() { # version -> outcome; the last one as the path unit starts it, from the agent's request file
  sh "$repo_src/scripts/apt-repo.sh" add "$w/repo" "$w/station-agent_$1_all.deb" >/dev/null 2>&1
  if [ "$1" = 0.4.0 ]; then
    mkdir -p "$w/state/update"
    printf 'id=u-%s\nto=%s\ndeadline=3\npackage=openssh-server\n' "$1" "$1" > "$w/state/update/request"
    sh "$repo_src/scripts/fleet/station-agent-upgrade.sh" --request "$w/state/update/request" --state "$w/state"
  else
    sh "$repo_src/scripts/fleet/station-agent-upgrade.sh" --id "u-$1" --to "$1" --deadline 3 --state "$w/state"
  fi
  echo "exit-$1: $?"
  echo "now-$1: $(dpkg-query -W -f='\${Version}' station-agent)"
  echo "result-$1: $(cat "$w/state/update/u-$1.json")"
}
# A request with a bad version is refused before anything runs.
printf 'id=x\nto=1.0;reboot\ndeadline=3\n' > "$w/bad-request"
sh "$repo_src/scripts/fleet/station-agent-upgrade.sh" --request "$w/bad-request" --state "$w/state" 2>/dev/null
echo "bad-request: $?"
up 0.2.0
up 0.3.0
up 0.4.0

# A repository re-signed by another key: apt refuses it, and nothing is installed from it.
cp "$w/other.gpg" /usr/share/keyrings/station-agent-archive-keyring.gpg
apt-get update -q > "$w/bad.log" 2>&1
echo "foreign-key-refused: $(grep -c 'NO_PUBKEY\\|not signed\\|is not signed' "$w/bad.log")"
kill $server
`;

describe("staged agent updates through the state's signed apt repository", () => {
  it("upgrades, rolls a broken version back from the apt cache, and refuses a foreign key", async () => {
    const r = await inCowRoot(SCRIPT, [REPO]);
    const v = r.values;
    expect(v.init, r.stderr).toBe("0");
    expect(v.update, r.stderr).toBe("0");
    expect(v.installed).toBe("0.1.0");
    // 0.2.0 does not even start: rolled back to 0.1.0 from /var/cache/apt/archives.
    expect(v["exit-0.2.0"]).toBe("1");
    expect(v["now-0.2.0"]).toBe("0.1.0");
    expect(JSON.parse(v["result-0.2.0"]!)).toMatchObject({
      from: "0.1.0",
      to: "0.2.0",
      outcome: "rolled-back",
    });
    // 0.3.0 starts but never gets an MQTT session: rolled back too.
    expect(v["now-0.3.0"]).toBe("0.1.0");
    expect(JSON.parse(v["result-0.3.0"]!)).toMatchObject({ outcome: "rolled-back" });
    // 0.4.0 is healthy: it stays.
    expect(v["exit-0.4.0"]).toBe("0");
    expect(v["now-0.4.0"]).toBe("0.4.0");
    expect(JSON.parse(v["result-0.4.0"]!)).toMatchObject({ from: "0.1.0", to: "0.4.0", outcome: "applied" });
    expect(Number(v["foreign-key-refused"])).toBeGreaterThan(0);
    expect(v["bad-request"]).toBe("2");
  }, 300_000);
});
