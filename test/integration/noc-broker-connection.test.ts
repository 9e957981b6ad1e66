// @needs mosquitto
/**
 * The NOC's broker connection says why it cannot connect (a wrong password here) instead of retrying in
 * silence, says it once rather than at every retry, and says when it is connected again.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokerConnection, type ConnectionLog } from "../../noc/broker-connection.js";
import { eventually, PrivateMosquitto } from "../support/mosquitto.js";

function recordingLog() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const log = {
    error: (obj: Record<string, unknown>, msg: string) => lines.push({ level: "error", obj, msg }),
    info: (obj: Record<string, unknown>, msg: string) => lines.push({ level: "info", obj, msg }),
  } as unknown as ConnectionLog;
  return { log, lines };
}

describe("NOC broker connection errors", () => {
  let broker: PrivateMosquitto;

  beforeAll(async () => {
    broker = new PrivateMosquitto();
    const passwd = join(broker.dir, "passwd");
    execFileSync("mosquitto_passwd", ["-b", "-c", passwd, "noc", "right-secret"]);
    execFileSync("chmod", ["0644", passwd]);
    broker.extra.push("allow_anonymous false", `password_file ${passwd}`);
    await broker.start();
  });
  afterAll(() => broker.dispose());

  it("logs a refused password once, however often it retries, and nothing with the right one", async () => {
    const connection = (name: string, password: string, log: ConnectionLog) =>
      new BrokerConnection({
        url: broker.url,
        clientId: `noc-${name}-${process.pid}`,
        username: "noc",
        password,
        reconnectMs: 50,
        log,
      });
    const bad = recordingLog();
    const wrong = connection("wrong", "wrong-secret", bad.log);
    void wrong.start();
    await eventually(() => bad.lines.length > 0);
    // Several retries' worth of time: each is refused again, and none is logged again.
    await new Promise((r) => setTimeout(r, 600));
    await wrong.stop();
    expect(bad.lines).toHaveLength(1);
    expect(bad.lines[0]).toMatchObject({ level: "error", msg: "MQTT connection failed; retrying" });
    expect(String(bad.lines[0]?.obj.err)).toMatch(/not authori[sz]ed|bad user ?name or password/i);
    expect(JSON.stringify(bad.lines)).not.toContain("wrong-secret");

    const good = recordingLog();
    const right = connection("right", "right-secret", good.log);
    await right.start();
    await right.stop();
    expect(good.lines).toEqual([]);
  });
});
