/**
 * Issue 14, NOC 4: the shipped station-noc.service could not start (`serve --config` was an unknown
 * option). Here its ExecStart line runs as written, in a private mount namespace that lays out what the
 * package and systemd would: /opt/station-noc/bin/station-noc, the shipped /etc/station-noc/config.yaml
 * and STATE_DIRECTORY. The config file's own rules (exit 78, flags over keys) are checked beside it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "../support/built-tree.js";
import { eventually, freePort } from "../support/mosquitto.js";
import { run } from "../support/run.js";

const UNIT = join(REPO, "systemd/station-noc.service");
const SHIPPED_CONFIG = join(REPO, "systemd/station-noc.yaml");
const TSX = join(REPO, "node_modules/.bin/tsx");
const CLI = join(REPO, "noc/cli.ts");
const ctrl = mkdtempSync(join(tmpdir(), "noc-unit-"));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(ctrl, { recursive: true, force: true });
});

function execStart(): string[] {
  const line = readFileSync(UNIT, "utf8")
    .split("\n")
    .find((l) => l.startsWith("ExecStart="));
  expect(line).toBeDefined();
  return (line as string).slice("ExecStart=".length).trim().split(/\s+/);
}

/** The shipped example with a free dashboard port and a broker port nobody listens on. */
async function shippedConfig(): Promise<{ text: string; port: number }> {
  const port = await freePort();
  const broker = await freePort();
  const text = readFileSync(SHIPPED_CONFIG, "utf8")
    .replace(/^httpPort: \d+$/m, `httpPort: ${port}`)
    .replace(/^mqttUrl: .*$/m, `mqttUrl: mqtt://127.0.0.1:${broker}`);
  expect(text).toContain(`httpPort: ${port}`);
  return { text, port };
}

const SCRIPT = `set -e
mount --make-rprivate /
mount -t tmpfs none /opt
mkdir -p /opt/station-noc/bin
printf '#!/bin/sh\\nexec "%s" "%s" "$@"\\n' "$TSX" "$CLI" > /opt/station-noc/bin/station-noc
chmod 755 /opt/station-noc/bin/station-noc
# Copy-on-write /etc and /var/lib: what the package installs and systemd creates stays in here.
mount -t tmpfs none "$CTRL/cow"
for d in etc var/lib; do
  mkdir -p "$CTRL/cow/$d/upper" "$CTRL/cow/$d/work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$CTRL/cow/$d/upper,workdir=$CTRL/cow/$d/work" "/$d"
done
mkdir -p /etc/station-noc /var/lib/station-noc
cp "$CTRL/config.yaml" /etc/station-noc/config.yaml
export STATE_DIRECTORY=/var/lib/station-noc
exec "$@"`;

describe("the shipped station-noc.service", () => {
  it("starts from its ExecStart line with the shipped config, storing under the state directory", async () => {
    const argv = execStart();
    expect(argv.slice(0, 4)).toEqual([
      "/opt/station-noc/bin/station-noc",
      "serve",
      "--config",
      "/etc/station-noc/config.yaml",
    ]);
    const { text, port } = await shippedConfig();
    writeFileSync(join(ctrl, "config.yaml"), text);
    mkdirSync(join(ctrl, "cow"));
    const child = spawn("unshare", ["-m", "sh", "-c", SCRIPT, "sh", ...argv], {
      env: { ...process.env, CTRL: ctrl, TSX, CLI },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`station-noc exited ${child.exitCode}: ${out}`);
      return (await fetch(`http://127.0.0.1:${port}/login`).catch(() => undefined))?.status === 200;
    }, 60_000);
    expect(out).toContain(`station-noc dashboard: http://127.0.0.1:${port}/`);
    // Authentication is on: no data without signing in.
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/summary`)).status).toBe(401);
    // The database is where the default --storage says, inside the unit's state directory.
    expect(existsSync(`/proc/${child.pid}/root/var/lib/station-noc/station-noc.db`)).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 90_000);
});

describe("the NOC config file", () => {
  it("exits 78 naming the key when the file is wrong, and for an alias bomb", async () => {
    const bad = join(ctrl, "bad.yaml");
    writeFileSync(bad, "httpPort: 99999\nmqttUrl: mqtt://user:secret@broker:1883\nnoSuchKey: 1\n");
    const r = await run(TSX, [CLI, "serve", "--config", bad]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain("httpPort");
    expect(r.stderr).toContain("mqttUrl");
    expect(r.stderr).toContain("noSuchKey");
    expect(r.stderr).not.toContain("secret@");
    const bomb = join(ctrl, "bomb.yaml");
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++)
      levels.push(
        `${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(9)
          .fill(`*${"abcdefghij"[i - 1]}`)
          .join(", ")}]`,
      );
    writeFileSync(bomb, levels.join("\n") + "\n");
    expect((await run(TSX, [CLI, "serve", "--config", bomb])).code).toBe(78);
    expect((await run(TSX, [CLI, "serve", "--config", join(ctrl, "missing.yaml")])).code).toBe(78);
  }, 60_000);

  it("takes its keys, and a flag on the command line overrides a key", async () => {
    const { text } = await shippedConfig();
    const file = join(ctrl, "override.yaml");
    writeFileSync(file, `${text}\nstorage: ${join(ctrl, "override.db")}\n`);
    const port = await freePort();
    const child = spawn(TSX, [CLI, "serve", "--config", file, "--http-port", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${port}/login`).catch(() => undefined))?.status === 200,
      60_000,
    );
    expect(existsSync(join(ctrl, "override.db"))).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 90_000);
});
