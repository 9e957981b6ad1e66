// @needs mosquitto openssl
/**
 * doctor against a private Mosquitto (plain, TLS with a test CA, and a listener that refuses
 * anonymous clients), with a HID loader that fails the way a missing libusb does.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDoctor } from "../../agent/cli/devices.js";
import { probeBroker } from "../../agent/doctor/broker-probe.js";
import { ConfigSchema } from "../../config/schema.js";
import type { NodeHidModule } from "../../drivers/transport/hid.js";
import { loadHidBackend } from "../../drivers/transport/hid.js";
import { freePort, waitForPort } from "../support/mosquitto.js";
import { makeTestCa, type TestCa } from "../support/tls.js";

let dir: string;
let tls: TestCa;
let other: TestCa;
let broker: ChildProcess | undefined;
const ports = { plain: 0, tls: 0, closed: 0, idle: 0 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ups-doctor-"));
  tls = makeTestCa(join(dir, "ca"));
  // An unrelated CA, to show a certificate that does not chain is refused.
  other = makeTestCa(join(dir, "other"), { name: "other-ca" });
  await chmod(dir, 0o755);
  ports.plain = await freePort();
  ports.tls = await freePort();
  ports.closed = await freePort();
  ports.idle = await freePort();
  await writeFile(
    join(dir, "mosquitto.conf"),
    [
      "per_listener_settings true",
      `listener ${ports.plain} 127.0.0.1`,
      "allow_anonymous true",
      `listener ${ports.tls} 127.0.0.1`,
      "allow_anonymous true",
      `cafile ${tls.ca}`,
      `certfile ${tls.cert}`,
      `keyfile ${tls.key}`,
      `listener ${ports.closed} 127.0.0.1`,
      "allow_anonymous false",
      "",
    ].join("\n"),
  );
  broker = spawn("mosquitto", ["-c", join(dir, "mosquitto.conf")], { stdio: "ignore" });
  await Promise.all([waitForPort(ports.plain), waitForPort(ports.tls), waitForPort(ports.closed)]);
});

afterAll(async () => {
  if (broker && broker.exitCode === null) {
    const exited = new Promise((r) => broker!.once("exit", r));
    broker.kill("SIGTERM");
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe("broker reachability", () => {
  it("plain MQTT: CONNACK accepted", async () => {
    const r = await probeBroker({ url: `mqtt://127.0.0.1:${ports.plain}` });
    expect(r).toMatchObject({ ok: true });
    expect(r.detail).toMatch(/accepted the connection \(no TLS\)/);
  });

  it("TLS with the right CA: verified", async () => {
    const r = await probeBroker({
      url: `mqtts://localhost:${ports.tls}`,
      tls: { ca: tls.ca, rejectUnauthorized: true },
    });
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/TLS TLSv1\.[23], certificate verified/);
  });

  it("TLS with the wrong CA: refused, and says to set mqtt.tls.ca", async () => {
    const r = await probeBroker({
      url: `mqtts://localhost:${ports.tls}`,
      tls: { ca: other.ca, rejectUnauthorized: true },
    });
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/certificate was not accepted/);
    expect(r.fix).toMatch(/mqtt\.tls\.ca/);
  });

  it("a broker that refuses this client, nothing listening, and plain MQTT to a TLS port", async () => {
    expect(await probeBroker({ url: `mqtt://127.0.0.1:${ports.closed}` })).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/not authorised/),
    });
    expect(await probeBroker({ url: `mqtt://127.0.0.1:${ports.idle}` })).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/nothing is listening/),
    });
    const wrong = await probeBroker({ url: `mqtt://127.0.0.1:${ports.tls}`, timeoutMs: 3000 });
    expect(wrong.ok).toBe(false);
  });
});

describe("runDoctor", () => {
  it("reports each check with what to do, and repeats the UPS's libusb reason", async () => {
    const config = ConfigSchema.parse({
      station: { id: "MH-PUN-0042" },
      mqtt: { url: `mqtts://localhost:${ports.tls}`, tls: { ca: tls.ca } },
      storage: { dir: join(dir, "state") },
      devices: [
        { id: "ups1", kind: "ups" },
        { id: "printer1", kind: "printer", port: join(dir, "no-such-printer") },
      ],
    });
    const loader = async (): Promise<NodeHidModule> => ({
      devicesAsync: () =>
        Promise.reject(
          new Error("libusb-1.0.so.0: cannot open shared object file: No such file or directory"),
        ),
      HIDAsync: { open: () => Promise.reject(new Error("unreachable")) },
    });
    const report = await runDoctor({
      config,
      deps: {
        loadHid: () => loadHidBackend({ loader }),
        clockSynced: async () => ({ synced: false, how: "test" }),
        discover: async () => ({
          devices: [
            {
              kind: "hid",
              path: "/dev/hidraw0",
              realPath: "/dev/hidraw0",
              aliases: [],
              vendorId: "051d",
              productId: "0002",
              ups: true,
              accessible: true,
              source: "sysfs",
            },
          ],
          notes: [],
        }),
      },
    });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId.broker).toMatchObject({ status: "ok" });
    expect(byId.clock).toMatchObject({ status: "warn", fix: expect.stringMatching(/NTP/) });
    expect(byId.disk?.status).toBe("ok");
    expect(byId.hid).toMatchObject({
      status: "fail",
      detail: "the libusb library is missing",
      fix: expect.stringMatching(/libusb-1.0-0/),
    });
    expect(byId["device:ups1"]).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/found at \/dev\/hidraw0, but the libusb library is missing/),
    });
    expect(byId["device:printer1"]).toMatchObject({ status: "fail", fix: expect.stringMatching(/cable/) });
    expect(report.ok).toBe(false);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report); // plain data: the NOC diagnose reply
    expect(byId.commands).toMatchObject({ status: "warn", detail: expect.stringMatching(/^disabled/) });
  });

  it("flags commands.allowUnsigned, and names the config file in use (the diagnose reply)", async () => {
    const base = { station: { id: "PS-1" }, mqtt: { url: "mqtt://127.0.0.1:9" } };
    const quick = {
      probeBroker: async () => ({ ok: true, detail: "stub" }),
      clockSynced: async () => ({ synced: true, how: "test" }),
      ping: async () => ({ ok: true, detail: "stub" }),
      discover: async () => ({ devices: [], notes: [] }),
    };
    const unsigned = await runDoctor({
      config: ConfigSchema.parse({ ...base, commands: { allowUnsigned: true } }),
      configPath: "/srv/station/config.yaml",
      deps: quick,
    });
    const byId = Object.fromEntries(unsigned.checks.map((c) => [c.id, c]));
    expect(byId.commands).toMatchObject({ status: "warn", fix: expect.stringMatching(/nocPublicKey/) });
    expect(byId.config?.detail).toMatch(/^\/srv\/station\/config\.yaml, loaded by the running agent/);
    expect(unsigned.configPath).toBe("/srv/station/config.yaml");
    const signed = await runDoctor({
      config: ConfigSchema.parse({ ...base, commands: { nocPublicKey: "/etc/station-agent/noc.pub.pem" } }),
      deps: quick,
    });
    expect(signed.checks.find((c) => c.id === "commands")).toMatchObject({ status: "ok" });
    // The API socket's group: "audio" exists on Debian; a made-up one is flagged with the fix.
    const api = async (socketGroup: string) =>
      (
        await runDoctor({
          config: ConfigSchema.parse({ ...base, api: { socket: "/run/x/api.sock", socketGroup } }),
          deps: quick,
        })
      ).checks.find((c) => c.id === "api");
    expect(await api("audio")).toMatchObject({ status: "ok", detail: "/run/x/api.sock, group audio" });
    expect(await api("no-such-group")).toMatchObject({
      status: "warn",
      fix: expect.stringMatching(/CCTNS client's user/),
    });
  });
});
