// @needs mosquitto
/**
 * `station-agent devices` in Hindi (issue 18), the real CLI against the real agent process: the scanner
 * is configured on a port that is not there (absent), the slip printer is a virtual ESC/POS printer on TCP
 * with its paper out. Only the running agent knows the paper is out, so `devices` asks it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { callLocalApi } from "../../agent/api-client.js";
import { serveTcp } from "../../drivers/printer/emulator/serve.js";
import { AgentProcess, runCli, tempDir, writeConfig } from "../support/agent-process.js";
import { englishLeftovers } from "../support/hindi-words.js";
import { virtualPrinter } from "../support/printer.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("devices in Hindi", () => {
  it("says the scanner is not there and the printer is out of paper, with what to do", async () => {
    const printer = await virtualPrinter(384);
    printer.condition = { paper: "out" };
    const served = await serveTcp(printer, { port: 0 });
    cleanups.push(() => served.close());
    const dir = tempDir("devices-hi-");
    const socket = join(dir, "api.sock");
    const missing = join(dir, "ttyUSB-gone");
    const config = writeConfig(dir, {
      station: { id: "HR-PKL-0007" },
      mqtt: { url: "mqtt://127.0.0.1:9", keepalive: 5 },
      storage: { dir: join(dir, "state") },
      api: { socket, socketGroup: "root" },
      clock: { assumeSynced: true },
      host: { enabled: false },
      devices: [
        { id: "fp1", kind: "fingerprint", driver: "r30x", port: missing },
        { id: "slip1", kind: "printer", tcp: `127.0.0.1:${served.port}`, paper: "58mm", pollIntervalMs: 500 },
      ],
      log: { level: "warn" },
    });
    const agent = new AgentProcess(config, { AGENT_RESTART: "exit" });
    cleanups.push(() => agent.kill());
    agent.start();
    const paperOut = async () => {
      try {
        const r = await callLocalApi(socket, { path: "/v1/status" });
        const devices = (r.body as { devices?: { device: string; reason?: string }[] }).devices ?? [];
        return devices.some((d) => d.device === "slip1" && d.reason?.startsWith("paper-out"));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 300 && !(await paperOut()); i++) {
      if (agent.proc!.exitCode !== null) throw new Error(`agent exited: ${agent.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await paperOut()).toBe(true);

    const hi = await runCli(["devices", "--lang", "hi", "--config", config]);
    expect(hi.stderr).toBe("");
    expect(hi.code).toBe(0);
    // Up to the configured devices: what else is plugged into the machine running the test varies.
    const mine = hi.stdout.split(/\n(?=ये भी लगे हैं|ध्यान दें:)/)[0]!;
    const stable = mine.replaceAll(dir, "<dir>").replaceAll(String(served.port), "<port>");
    expect(stable).toMatchSnapshot();
    expect(stable).toContain("fp1 - फिंगरप्रिंट स्कैनर: नहीं मिला। देखें कि यह चालू है और इसकी केबल लगी है।");
    expect(stable).toContain("एजेंट के हिसाब से: काम नहीं कर रहा (पेपर खत्म)");
    expect(stable).toMatch(/क्या करें: पेपर और ढक्कन देखें/);
    expect(englishLeftovers(mine, ["HR-PKL-0007 fp1 slip1", dir])).toEqual([]);

    // The same in English says it in English; --json stays English whatever the language.
    const en = await runCli(["devices", "--lang", "en", "--config", config]);
    expect(en.stdout).toContain("fp1 - fingerprint scanner: NOT FOUND.");
    expect(en.stdout).toMatch(/The agent says: NOT WORKING \(paper-out/);
    const json = await runCli(["devices", "--json", "--lang", "hi", "--config", config]);
    const listing = JSON.parse(json.stdout) as { configured: { id: string; network?: { detail: string } }[] };
    expect(listing.configured.find((c) => c.id === "slip1")?.network?.detail).toBe("answers");

    await agent.kill("SIGTERM");
    const stopped = await runCli(["devices", "--lang", "hi", "--config", config]);
    expect(stopped.stdout).toContain("एजेंट जवाब नहीं दे रहा, इसलिए पेपर खत्म जैसी खराबियाँ यहाँ नहीं दिखेंगी");
  }, 120_000);
});
