/**
 * A whole booking station for tests: the real agent process with an R30x emulator on a socat pty, a
 * private Mosquitto whose every payload is recorded, and a fake bureau. Helpers call the local API the way
 * the CCTNS client does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { R30xPtyEmulator } from "../../drivers/fingerprint/emulator/pty-emulator.js";
import { syntheticFinger } from "../../drivers/fingerprint/synthetic/finger.js";
import type { GrayImage } from "../../drivers/fingerprint/image.js";
import { AgentProcess, tempDir, writeConfig } from "./agent-process.js";
import { Collector } from "./collector.js";
import type { FakeBureau } from "./fake-bureau.js";
import { callLocalApi } from "../../agent/api-client.js";
import { eventually, PrivateMosquitto } from "./mosquitto.js";

export const PERSON = {
  reference: "FIR-0042/2026",
  name: "रामेश्वर प्रसाद यादव",
  nameLatin: "Rameshwar Prasad Yadav",
  relativeName: "सुरेश यादव",
  relation: "father",
  sex: "male",
  ageYears: 34,
  arrestingOfficer: "SI Meena Kumari 1123",
} as const;

export interface StationOptions {
  bureau?: FakeBureau;
  stateDir?: string;
  booking?: Record<string, unknown>;
}

export class BookingStation {
  agent!: AgentProcess;
  emulator!: R30xPtyEmulator;
  broker!: PrivateMosquitto;
  mqtt!: Collector;
  get socket(): string {
    return join(this.stateDir, "api.sock");
  }
  readonly stateDir: string;
  token = "";

  /** Ten distinct synthetic fingers (right thumb .. left little), as an R30x window shows them. */
  readonly fingers: GrayImage[] = Array.from({ length: 10 }, (_, i) => {
    const f = syntheticFinger(i + 1, { width: 256, height: 288 });
    return { width: f.width, height: f.height, pixels: f.pixels };
  });

  constructor(readonly options: StationOptions = {}) {
    this.stateDir = options.stateDir ?? tempDir("booking-state-");
  }

  async start(): Promise<this> {
    this.broker = await PrivateMosquitto.start();
    this.mqtt = await Collector.connect(this.broker.url, "cctns/test/#");
    this.emulator = await R30xPtyEmulator.start({ name: `bk-${process.pid}`, genImgDelayMs: 20 });
    const b = this.options.bureau;
    const dir = tempDir("booking-cfg-");
    const config = writeConfig(dir, {
      station: { id: "PS0042" },
      mqtt: { url: this.broker.url, topicRoot: "cctns/test" },
      storage: { dir: this.stateDir },
      clock: { assumeSynced: true },
      metrics: { intervalMs: 1000 },
      api: { socketGroup: "root" },
      devices: [{ id: "fp1", kind: "fingerprint", driver: "r30x", port: this.emulator.hostPath }],
      booking: {
        ori: "UP0420042",
        dai: "UPSFB0001",
        ...(b
          ? {
              forward: "https",
              bureau: {
                url: b.url,
                recipient: b.recipient,
                ca: b.file("ca.pem"),
                ...(b.mutualTls ? { cert: b.file("client.pem"), key: b.file("client.key") } : {}),
              },
              retry: { minMs: 200, maxMs: 1000 },
            }
          : {}),
        ...this.options.booking,
      },
    });
    this.agent = new AgentProcess(config);
    await this.launch();
    return this;
  }

  async launch(): Promise<void> {
    this.agent.output += "\n--- start ---\n";
    const readyBefore = this.scannerReadyEvents();
    this.agent.start();
    try {
      await eventually(
        async () => (await callLocalApi(this.socket, { path: "/v1/status" })).status === 200,
        30_000,
        100,
      );
      // The fingerprint service opened the scanner (a capture answers 503 "absent" until then).
      await eventually(() => this.scannerReadyEvents() > readyBefore, 30_000, 50);
    } catch (e) {
      throw new Error(
        `agent API did not come up: ${(e as Error).message}\n${this.agent.output.slice(-3000)}`,
      );
    }
    this.token = readFileSync(join(this.stateDir, "api-token"), "utf8").trim();
  }

  async api(
    method: "GET" | "POST" | "DELETE",
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const r = await callLocalApi(this.socket, {
      method,
      path,
      token: this.token,
      timeoutMs: 120_000,
      ...(body !== undefined ? { body } : {}),
    });
    const json =
      typeof r.body === "object" && r.body !== null ? (r.body as Record<string, unknown>) : { text: r.body };
    return { status: r.status, json };
  }

  /** The sealed record as the CCTNS client downloads it. */
  async record(id: string): Promise<{ status: number; bytes: Buffer }> {
    const r = await callLocalApi(this.socket, {
      path: `/v1/bookings/${id}/record`,
      token: this.token,
      raw: true,
    });
    return { status: r.status, bytes: r.body as Buffer };
  }

  /** Puts finger `index` (0 = right thumb .. 9 = left little) on the glass and takes it. */
  async take(id: string, position: string, index: number): Promise<Record<string, unknown>> {
    this.emulator.emulator.setImage(this.fingers[index]!);
    const r = await this.api("POST", `/v1/bookings/${id}/impressions`, { position });
    if (r.status !== 200)
      throw new Error(
        `impression ${position}: ${r.status} ${JSON.stringify(r.json)}\n${this.agent.output.slice(-4000)}`,
      );
    return r.json;
  }

  private scannerReadyEvents(): number {
    return this.events("device.ready").filter((e) => (e["data"] as { device?: string }).device === "fp1")
      .length;
  }

  events(type: string): Array<Record<string, unknown>> {
    return this.mqtt.messages
      .filter((m) => m.topic.endsWith("/event") && m.payload["type"] === type)
      .map((m) => m.payload);
  }

  /** Everything the station said over MQTT, as text, for privacy greps. */
  mqttText(): string {
    return this.mqtt.messages.map((m) => `${m.topic} ${JSON.stringify(m.payload)}`).join("\n");
  }

  async stop(): Promise<void> {
    await this.agent?.kill("SIGTERM").catch(() => undefined);
    await this.mqtt?.end();
    await this.emulator?.stop();
    await this.broker?.dispose();
  }
}
