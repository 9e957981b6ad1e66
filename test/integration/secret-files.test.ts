/**
 * Secrets on disk (issue 14, agent item 10): the API token and the NOC's signing key are written 0600
 * whatever was there before, and a token others can read stops the agent (exit 78) instead of being used.
 */
import { chmodSync, statSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureToken } from "../../agent/local-api.js";
import { SecretModeError } from "../../agent/secret-file.js";
import { AgentProcess, ROOT, tempDir, writeConfig } from "../support/agent-process.js";
import { run } from "../support/run.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("secret files", () => {
  it("creates the API token 0600 under a loose umask, and refuses one others can read", () => {
    const dir = tempDir();
    const old = process.umask(0o000);
    try {
      ensureToken(join(dir, "api-token"));
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, "api-token")).mode & 0o777).toBe(0o600);
    chmodSync(join(dir, "api-token"), 0o644);
    expect(() => ensureToken(join(dir, "api-token"))).toThrow(SecretModeError);
    expect(() => ensureToken(join(dir, "api-token"))).toThrow(/readable by every user.*chmod 0600/);
  });

  it("the agent exits 78 on a world-readable API token", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "state"));
    writeFileSync(join(dir, "state", "api-token"), "leaked-token\n", { mode: 0o644 });
    chmodSync(join(dir, "state", "api-token"), 0o644);
    const agent = new AgentProcess(
      writeConfig(dir, {
        station: { id: "PS-TOKEN" },
        mqtt: { url: "mqtt://127.0.0.1:9" },
        storage: { dir: join(dir, "state") },
        clock: { assumeSynced: true },
      }),
    );
    cleanups.push(() => agent.kill());
    agent.start();
    expect(await agent.exited()).toBe(78);
    expect(agent.output).toMatch(/api-token is readable by every user/);
  });

  it("station-noc keygen --force over a 0644 key leaves 0600, and serve refuses a readable key", async () => {
    const dir = tempDir();
    const priv = join(dir, "noc-ed25519.pem");
    writeFileSync(priv, "old key");
    chmodSync(priv, 0o644);
    const noc = (args: string[]) =>
      run(process.execPath, ["--import", "tsx", join(ROOT, "noc/cli.ts"), ...args], { cwd: ROOT });
    const r = await noc(["keygen", "--dir", dir, "--force"]);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(priv).mode & 0o777).toBe(0o600);
    expect(readFileSync(priv, "utf8")).toMatch(/BEGIN PRIVATE KEY/);
    expect(statSync(join(dir, "noc-ed25519.pub.pem")).mode & 0o777).toBe(0o644);
    const { loadPrivateKey } = await import("../../noc/app.js");
    expect(loadPrivateKey(priv).asymmetricKeyType).toBe("ed25519");
    chmodSync(priv, 0o644);
    expect(() => loadPrivateKey(priv)).toThrow(/NOC private key .* can be read by other users/);
  });
});
