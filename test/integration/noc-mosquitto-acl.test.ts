// @needs mosquitto
/** The shipped Mosquitto ACL and credential script, on a real Mosquitto: a station publishes only under
 * its own id, reads only its own commands, and only the NOC publishes commands. */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";

const ROOT = "cctns/state";
const ACL = new URL("../../noc/mosquitto/station-agent.acl", import.meta.url).pathname;
const SCRIPT = new URL("../../noc/mosquitto/make-credentials.sh", import.meta.url).pathname;

describe("example Mosquitto ACL and passwords", () => {
  let broker: PrivateMosquitto;
  const creds = new Map<string, string>();
  const clients: MqttClient[] = [];
  let noc: MqttClient;
  const nocGot: string[] = [];

  const connect = async (username: string | undefined, password: string | undefined, id: string) => {
    const c = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: id,
      username,
      password,
      reconnectPeriod: 0,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    broker = new PrivateMosquitto();
    const out = join(broker.dir, "creds");
    const registry = join(broker.dir, "stations.csv");
    writeFileSync(registry, "id,name,district\r\nPS-A,Alpha PS,Pune\r\nPS-B,Bravo PS,Pune\r\n");
    execFileSync("sh", [SCRIPT, registry, out], { stdio: "pipe" });
    // Started as root, Mosquitto drops to its own user: give it the password file as in production.
    execFileSync("chown", ["-R", "mosquitto", out]);
    execFileSync("chmod", ["o+x", broker.dir]);
    for (const line of readFileSync(join(out, "credentials.csv"), "utf8").trim().split("\n").slice(1)) {
      const [station, , pw] = line.split(",");
      creds.set(station as string, pw as string);
    }
    creds.set("station-noc", readFileSync(join(out, "station-noc.password"), "utf8").trim());
    expect(readFileSync(join(out, "station-agent.passwd"), "utf8")).not.toContain(creds.get("PS-A"));
    // The shipped ACL as is, copied where Mosquitto's own user can read it (the checkout may be private);
    // the config is the example's auth part on a private loopback port.
    const acl = join(broker.dir, "station-agent.acl");
    copyFileSync(ACL, acl);
    chmodSync(acl, 0o644);
    broker.extra.push(
      "allow_anonymous false",
      `password_file ${join(out, "station-agent.passwd")}`,
      `acl_file ${acl}`,
    );
    await broker.start();
    noc = await connect("station-noc", creds.get("station-noc"), "noc-acl");
    noc.on("message", (topic) => nocGot.push(topic));
    await noc.subscribeAsync(`$share/nocs/${ROOT}/+/#`, { qos: 1 });
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => undefined);
    await broker.dispose();
  });

  it("refuses anonymous clients and wrong passwords", async () => {
    await expect(connect(undefined, undefined, "anon")).rejects.toThrow();
    await expect(connect("PS-A", "wrong", "bad-pw")).rejects.toThrow();
  });

  it("lets a station publish under its own id only, and never a command", async () => {
    const a = await connect("PS-A", creds.get("PS-A"), "station-PS-A");
    await a.publishAsync(`${ROOT}/PS-A/metrics`, "own", { qos: 1 });
    await a.publishAsync(`${ROOT}/PS-A/reply/noc1`, "reply", { qos: 1 });
    await eventually(
      () => nocGot.includes(`${ROOT}/PS-A/metrics`) && nocGot.includes(`${ROOT}/PS-A/reply/noc1`),
    );
    // MQTT 5: the broker answers "not authorized" and delivers nothing.
    await a.publishAsync(`${ROOT}/PS-B/metrics`, "forged", { qos: 1 }).catch(() => undefined);
    await a.publishAsync(`${ROOT}/PS-A/cmd/rebirth`, "{}", { qos: 1 }).catch(() => undefined);
    await a.publishAsync(`${ROOT}/PS-B/cmd/rebirth`, "{}", { qos: 1 }).catch(() => undefined);
    await a.publishAsync(`${ROOT}/PS-A/state`, "marker", { qos: 1 }); // allowed, and ordered after the others
    await eventually(() => nocGot.includes(`${ROOT}/PS-A/state`));
    expect(nocGot).not.toContain(`${ROOT}/PS-B/metrics`);
    expect(nocGot.filter((t) => t.includes("/cmd/"))).toEqual([]);
  });

  it("delivers commands from the NOC only, to the station they address", async () => {
    const a = await connect("PS-A", creds.get("PS-A"), "station-PS-A-cmd");
    const b = await connect("PS-B", creds.get("PS-B"), "station-PS-B-cmd");
    const aGot: string[] = [];
    a.on("message", (t) => aGot.push(t));
    // Mosquitto 2.0 grants the subscription and applies the read ACL to each delivery instead.
    await a.subscribeAsync([`${ROOT}/PS-A/cmd/+`, `${ROOT}/PS-B/cmd/+`], { qos: 1 });
    await b.publishAsync(`${ROOT}/PS-A/cmd/rebirth`, "from B", { qos: 1 }).catch(() => undefined);
    await noc.publishAsync(`${ROOT}/PS-B/cmd/rebirth`, "for B", { qos: 1 });
    await noc.publishAsync(`${ROOT}/PS-A/cmd/rebirth`, "for A", { qos: 1 });
    await eventually(() => aGot.length > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(aGot).toEqual([`${ROOT}/PS-A/cmd/rebirth`]);
  });
});
