/**
 * doctor and `devices` check each configured thing the way the agent uses it (issue 19, item 7):
 * link interfaces exist, a network printer answers on its TCP port, and the permission line does not
 * read as a contradiction next to a missing device. Real sockets, real /sys/class/net.
 */
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runDoctor } from "../../agent/doctor/doctor.js";
import { ConfigSchema } from "../../config/schema.js";
import { runCli, tempDir, writeConfig } from "../support/agent-process.js";
import { freePort } from "../support/mosquitto.js";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listening(): Promise<number> {
  const port = await freePort();
  const server = createServer((s) => s.end());
  servers.push(server);
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return port;
}

const quick = {
  probeBroker: async () => ({ ok: true, detail: "not under test" }),
  clockSynced: async () => ({ synced: true, how: "test" }),
  ping: async () => ({ ok: true, detail: "not under test" }),
};

describe("doctor checks what the agent will use", () => {
  it("finds a missing link interface, a silent network printer, and words permissions plainly", async () => {
    const up = await listening();
    const silent = await freePort();
    const config = ConfigSchema.parse({
      station: { id: "PS-DOC" },
      mqtt: { url: "mqtt://127.0.0.1:9" },
      links: [
        { name: "lan", interface: "lo", role: "primary" },
        { name: "jio", interface: `nx${process.pid % 100000}`, role: "backup" },
      ],
      devices: [
        { id: "p-up", kind: "printer", tcp: `127.0.0.1:${up}` },
        { id: "p-off", kind: "printer", tcp: `127.0.0.1:${silent}` },
        { id: "fp1", kind: "fingerprint", driver: "r30x", port: "/dev/ttyNOSUCH9" },
      ],
    });
    const report = await runDoctor({
      config,
      deps: {
        ...quick,
        discover: async () => ({
          devices: [
            {
              kind: "serial",
              path: "/dev/ttyS0",
              realPath: "/dev/ttyS0",
              aliases: [],
              accessible: true,
              source: "sysfs",
            },
          ],
          notes: [],
        }),
      },
    });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId["link:lan"]).toMatchObject({ status: "ok" });
    expect(byId["link:jio"]).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/no network adapter called nx\d+/),
      fix: expect.stringMatching(/ip link/),
    });
    expect(byId["device:p-up"]).toMatchObject({ status: "ok", detail: expect.stringMatching(/answers/) });
    expect(byId["device:p-off"]).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/nothing is listening/),
      fix: expect.stringMatching(/switched on/),
    });
    expect(byId["device:fp1"]).toMatchObject({ status: "fail", detail: expect.stringMatching(/not found/) });
    expect(byId.permissions?.detail).not.toMatch(/all \d+ device\(s\) can be opened/);
    expect(byId.permissions?.detail).toMatch(/plugged in now.*checked below/);
    expect(report.ok).toBe(false);
  });

  it("devices says where a network printer is and whether it answers", async () => {
    const up = await listening();
    const silent = await freePort();
    const dir = tempDir();
    const config = writeConfig(dir, {
      station: { id: "PS-DEV" },
      mqtt: { url: "mqtt://127.0.0.1:9" },
      storage: { dir },
      devices: [
        { id: "p-up", kind: "printer", tcp: `127.0.0.1:${up}` },
        { id: "p-off", kind: "printer", tcp: `127.0.0.1:${silent}` },
      ],
    });
    const out = await runCli(["devices", "--config", config]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`p-up - slip printer: on the network at 127.0.0.1:${up}, answers`);
    expect(out.stdout).toMatch(
      new RegExp(
        `p-off - slip printer: on the network at 127.0.0.1:${silent}, DOES NOT ANSWER: nothing is listening`,
      ),
    );
    expect(out.stdout).not.toMatch(/its own service/);
  });
});
