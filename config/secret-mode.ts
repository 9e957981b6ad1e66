/**
 * Who may read a secret file (the MQTT password, the TLS key, the API token): root, and the agent's own
 * group (the packaged files are root:station-agent 0640). Never other users, never another group.
 */
import { readFileSync } from "node:fs";

/** The group the packaged agent runs as (sysusers.d/station-agent.conf). */
export const AGENT_GROUP = "station-agent";

/** The gid of a group name from /etc/group (no NSS lookups: a station's groups are local). */
export function groupId(name: string, groupFile = "/etc/group"): number | undefined {
  let text: string;
  try {
    text = readFileSync(groupFile, "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const [group, , gid] = line.split(":");
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** Groups whose members may read a secret: root's, the agent's, and the checking process's own. */
export function trustedGroups(): number[] {
  const own = groupId(AGENT_GROUP);
  return [0, process.getgid?.() ?? 0, ...(own !== undefined ? [own] : [])];
}

/** Why a secret file's mode is unsafe, or undefined when it is fine. */
export function secretModeProblem(
  mode: number,
  gid: number,
  trusted: readonly number[] = trustedGroups(),
): string | undefined {
  if ((mode & 0o004) !== 0) return "readable by every user";
  if ((mode & 0o040) !== 0 && !trusted.includes(gid)) return `readable by group ${gid}`;
  return undefined;
}

export function formatMode(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}
