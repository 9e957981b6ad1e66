// @needs iproute2 fping iputils-ping libcap2-bin python3-seccomp systemd
/**
 * ICMP without root, as the unit runs the agent (unprivileged user, NoNewPrivileges, bounding set
 * CAP_NET_RAW only), in a private network namespace so the host's ping_group_range is never touched:
 * - a ping that carries cap_net_raw as a file capability cannot even be executed with an empty bounding
 *   set, which is why the unit keeps CAP_NET_RAW there;
 * - a ping without any capability (what NoNewPrivileges leaves on a standard kernel) works exactly when
 *   net.ipv4.ping_group_range covers the agent's group;
 * - station-agent-setup widens the range to that group, never narrows it, and is idempotent.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtTree, REPO } from "../support/built-tree.js";
import { inMountNamespace, run } from "../support/run.js";
import { sandboxPrefix, seccompAvailable } from "../support/sandbox.js";

const NS = `systemd-icmp-${process.pid}`;
const NOBODY = "65534";
let tmp: string;
let ping: string;

const inNs = (args: string[]) => run("ip", ["netns", "exec", NS, ...args]);
const setRange = (range: string) => inNs(["sysctl", "-q", "-w", `net.ipv4.ping_group_range=${range}`]);
/** As the unit runs the agent: another uid/gid, no groups, no_new_privs, bounding set as given. */
const asAgent = (bounding: string, command: string[]) =>
  inNs([
    "setpriv",
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    "--clear-groups",
    "--no-new-privs",
    `--bounding-set=${bounding}`,
    "--inh-caps=-all",
    ...command,
  ]);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "systemd-icmp-"));
  expect((await run("ip", ["netns", "add", NS])).code).toBe(0);
  expect((await inNs(["ip", "link", "set", "lo", "up"])).code).toBe(0);
  ping = (await run("sh", ["-c", "command -v ping"])).stdout.trim();
});

afterAll(async () => {
  await run("ip", ["netns", "del", NS]);
  rmSync(tmp, { recursive: true, force: true });
});

describe("ICMP without root under the unit's restrictions", () => {
  it("cannot exec a cap_net_raw ping with an empty bounding set, can with CAP_NET_RAW in it", async (ctx) => {
    const caps = await run("getcap", [ping]);
    if (!caps.stdout.includes("cap_net_raw")) ctx.skip(); // ping here is setuid or capability-less
    const empty = await asAgent("-all", [ping, "-c1", "-W2", "127.0.0.1"]);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/Operation not permitted/);
    await setRange(`${NOBODY} ${NOBODY}`);
    const kept = await asAgent("-all,+net_raw", [ping, "-c1", "-W2", "127.0.0.1"]);
    expect(kept.code, kept.stderr).toBe(0);
  });

  it("pings without any capability exactly when ping_group_range covers the group", async () => {
    // A copy has no file capability: what a standard kernel leaves ping under NoNewPrivileges.
    const bare = join(tmp, "ping");
    copyFileSync(ping, bare);
    expect((await run("getcap", [bare])).stdout).not.toContain("cap_net_raw");
    const chmod = await run("chmod", ["755", tmp, bare]);
    expect(chmod.code).toBe(0);

    await setRange("1 0"); // Debian's default: nobody
    expect((await asAgent("-all", [bare, "-c1", "-W2", "127.0.0.1"])).code).not.toBe(0);

    await setRange(`${NOBODY} ${NOBODY}`);
    const v4 = await asAgent("-all", [bare, "-c1", "-W2", "127.0.0.1"]);
    expect(v4.code, v4.stderr).toBe(0);
    const v6 = await asAgent("-all", [bare, "-6", "-c1", "-W2", "::1"]);
    expect(v6.code, v6.stderr).toBe(0);
    // Bound to an interface, as the link monitor probes each link (ping -I).
    const bound = await asAgent("-all", [bare, "-I", "lo", "-c1", "-W2", "127.0.0.1"]);
    expect(bound.code, bound.stderr).toBe(0);
  });
});

describe("ping and fping inside the unit's full sandbox (uid, no_new_privs, bounding set, @system-service)", () => {
  // With a seccomp filter loaded the kernel grants no file capability, so the system's own ping runs
  // exactly as under systemd: capability-less, on ICMP echo sockets or not at all.
  const inSandbox = async (command: string[]) => {
    const prefix = await sandboxPrefix(tmp);
    return inNs([...prefix, ...command]);
  };

  it("iputils ping works exactly when ping_group_range covers the group", async (ctx) => {
    if (!(await seccompAvailable())) return ctx.skip(); // needs Debian's python3-seccomp
    await setRange("1 0");
    expect((await inSandbox([ping, "-c1", "-W2", "127.0.0.1"])).code).not.toBe(0);
    await setRange(`${NOBODY} ${NOBODY}`);
    // The link monitor's own command line (agent/links/icmp-stream.ts): -n -O -i PERIOD -I IFACE.
    const r = await inSandbox([ping, "-n", "-O", "-i", "0.5", "-I", "lo", "-c", "2", "127.0.0.1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 packets transmitted, 2 received/);
  });

  it("fping before 5.2 gets no replies on ICMP echo sockets, so the agent must probe with iputils ping", async (ctx) => {
    const fping = (await run("sh", ["-c", "command -v fping"])).stdout.trim();
    if (fping === "" || !(await seccompAvailable())) return ctx.skip();
    const [major = 0, minor = 0] = /Version (\d+)\.(\d+)/
      .exec((await run(fping, ["--version"])).stdout)!
      .slice(1)
      .map(Number);
    await setRange(`${NOBODY} ${NOBODY}`);
    const r = await inSandbox([fping, "-r", "0", "-t", "500", "127.0.0.1"]);
    // fping 5.1 (Debian 12) ignores the replies (schweikert/fping#248); newer releases handle them.
    if (major < 5 || (major === 5 && minor < 2)) expect(r.stdout).toContain("unreachable");
    else expect(r.stdout).toContain("is alive");
  });
});

describe("the agent's link monitor inside the sandbox", () => {
  const PEER = `systemd-icmpp-${process.pid}`;
  afterAll(async () => {
    await run("ip", ["netns", "del", PEER]);
  });

  /** Drives the link monitor's own IcmpStream (built code) and prints its outcomes and faults. */
  const STREAM = `
    const { IcmpStream } = await import(process.argv[1]);
    const [tool, binary, iface, address] = process.argv.slice(2);
    let ok = 0, lost = 0;
    const stream = new IcmpStream({
      tool, binary, iface, address, periodMs: 300, timeoutMs: 250, clock: { now: () => Date.now() },
      onOutcome: (o) => (o.ok ? ok++ : lost++),
      onFault: (f) => f && console.log("fault: " + f),
    });
    stream.start();
    await new Promise((r) => setTimeout(r, 3000));
    await stream.stop();
    console.log("ok: " + ok);
    console.log("lost: " + lost);`;

  it("gets replies through capability-less ping once ping_group_range covers the agent", async (ctx) => {
    if (!(await seccompAvailable())) return ctx.skip(); // needs Debian's python3-seccomp
    const tree = await builtTree();
    // The station's uplink: a veth into a peer namespace that answers pings (198.18.0.0/15 is lab-only).
    expect((await run("ip", ["netns", "add", PEER])).code).toBe(0);
    for (const cmd of [
      ["ip", "link", "add", "sa-up0", "netns", NS, "type", "veth", "peer", "name", "sa-up1", "netns", PEER],
      ["ip", "-n", NS, "addr", "add", "198.18.77.1/24", "dev", "sa-up0"],
      ["ip", "-n", PEER, "addr", "add", "198.18.77.2/24", "dev", "sa-up1"],
      ["ip", "-n", NS, "link", "set", "sa-up0", "up"],
      ["ip", "-n", PEER, "link", "set", "sa-up1", "up"],
    ]) {
      expect((await run(cmd[0]!, cmd.slice(1))).code, cmd.join(" ")).toBe(0);
    }
    const prefix = await sandboxPrefix(tmp);
    const stream = (tool: string, binary: string) =>
      inNs([
        ...prefix,
        process.execPath,
        "--input-type=module",
        "-e",
        STREAM,
        join(tree, "dist/agent/links/icmp-stream.js"),
        tool,
        binary,
        "sa-up0",
        "198.18.77.2",
      ]);
    const values = (out: string) =>
      Object.fromEntries(
        out
          .trim()
          .split("\n")
          .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]),
      );

    await setRange("1 0");
    const refused = values((await stream("ping", ping)).stdout);
    expect(refused.ok).toBe("0");
    expect(refused.fault).toBeDefined(); // the stream says it cannot probe; the link is not called down

    await setRange(`${NOBODY} ${NOBODY}`);
    const r = await stream("ping", ping);
    const allowed = values(r.stdout);
    expect(Number(allowed.ok), r.stdout + r.stderr).toBeGreaterThanOrEqual(3);
    expect(allowed.fault).toBeUndefined();

    // fping 5.1 in the same place: every request counts as lost, so the link would be called down.
    const fping = (await run("sh", ["-c", "command -v fping"])).stdout.trim();
    const version = /Version (\d+)\.(\d+)/.exec((await run(fping || "true", ["--version"])).stdout);
    if (
      fping &&
      version &&
      (Number(version[1]) < 5 || (Number(version[1]) === 5 && Number(version[2]) < 2))
    ) {
      const viaFping = values((await stream("fping", fping)).stdout);
      expect(viaFping.ok).toBe("0");
      expect(Number(viaFping.lost)).toBeGreaterThan(0);
    }
  });
});

describe("station-agent-setup ping-range", () => {
  const GID = 996;
  const setup = join(REPO, "systemd/station-agent-setup");

  /** Runs the helper in the namespace with a private /etc/sysctl.d and an /etc/group that has the agent. */
  async function enable(): Promise<{ file: string | undefined; live: string; code: number; out: string }> {
    const sysctld = join(tmp, "sysctl.d");
    rmSync(sysctld, { recursive: true, force: true });
    mkdirSync(sysctld);
    if (existsSync(join(tmp, "kept.conf")))
      copyFileSync(join(tmp, "kept.conf"), join(sysctld, "60-station-agent-ping.conf"));
    const group = join(tmp, "group");
    writeFileSync(group, `${readFileSync("/etc/group", "utf8")}station-agent:x:${GID}:\n`);
    const r = await inMountNamespace(
      `mount --bind "$1" /etc/sysctl.d; mount --bind "$2" /etc/group; ip netns exec "$3" sh "$4" ping-range enable`,
      [sysctld, group, NS, setup],
    );
    const path = join(sysctld, "60-station-agent-ping.conf");
    const file = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (file !== undefined) writeFileSync(join(tmp, "kept.conf"), file);
    else rmSync(join(tmp, "kept.conf"), { force: true });
    const live = (await inNs(["cat", "/proc/sys/net/ipv4/ping_group_range"])).stdout
      .trim()
      .replace(/\s+/g, " ");
    return { file, live, code: r.code, out: r.stdout + r.stderr };
  }

  it("allows exactly the agent's group when nobody was allowed", async () => {
    rmSync(join(tmp, "kept.conf"), { force: true });
    await setRange("1 0");
    const r = await enable();
    expect(r.code, r.out).toBe(0);
    expect(r.live).toBe(`${GID} ${GID}`);
    expect(r.file).toMatch(new RegExp(`^net\\.ipv4\\.ping_group_range = ${GID} ${GID}$`, "m"));
    // Idempotent: the second run finds the group allowed and changes nothing.
    const again = await enable();
    expect(again.live).toBe(`${GID} ${GID}`);
    expect(again.file).toBe(r.file);
  });

  it("widens a range that misses the group and leaves one that covers it alone", async () => {
    rmSync(join(tmp, "kept.conf"), { force: true });
    await setRange("100 200");
    const widened = await enable();
    expect(widened.live).toBe(`100 ${GID}`);
    expect(widened.file).toContain(`= 100 ${GID}`);

    rmSync(join(tmp, "kept.conf"), { force: true });
    await setRange("0 2147483647");
    const untouched = await enable();
    expect(untouched.code, untouched.out).toBe(0);
    expect(untouched.live).toBe("0 2147483647");
    expect(untouched.file).toBeUndefined();
  });
});
