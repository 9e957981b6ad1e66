// @needs mosquitto socat openssl age
/**
 * Arrest booking through the real agent process: R30x emulator on a socat pty, a real Mosquitto, a real
 * HTTPS bureau with mutual TLS that decrypts with the real `age` tool, and kill -9 during capture and
 * during upload.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEN_FINGERS } from "../../agent/booking/plan.js";
import { decodeTransaction } from "../../drivers/fingerprint/ansi-nist/index.js";
import { encode as encodeJpeg } from "jpeg-js";
import { degrade } from "../../drivers/fingerprint/synthetic/degrade.js";
import { BookingStation, PERSON } from "../support/booking-station.js";
import { FakeBureau } from "../support/fake-bureau.js";
import { eventually } from "../support/mosquitto.js";
import { killAllPtys } from "../support/socat-pty.js";

const NBIS = join(import.meta.dirname, "../../../shared/tools/nbis/bin");
const haveNbis = existsSync(join(NBIS, "an2k2txt"));
if (!haveNbis && process.env["CI"] === "true") throw new Error(`NBIS tools missing at ${NBIS}`);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

describe("arrest booking on a real agent", () => {
  let bureau: FakeBureau;
  let station: BookingStation;

  beforeAll(async () => {
    bureau = await new FakeBureau(true).start();
    station = await new BookingStation({ bureau }).start();
  }, 120_000);
  afterAll(async () => {
    await station?.stop();
    await bureau?.dispose();
    killAllPtys();
  });

  it("takes ten fingers across a kill -9, seals, and the bureau opens the record with age", async () => {
    const bad = await station.api("POST", "/v1/bookings", {
      plan: "tenprint-flat",
      person: { ...PERSON, sex: "dunno" },
    });
    expect(bad.status).toBe(400);
    expect(String(bad.json["message"])).toMatch(/person\.sex/);
    expect((await station.api("GET", "/v1/bookings")).json["open"]).toEqual([]);

    const started = await station.api("POST", "/v1/bookings", { plan: "tenprint-flat", person: PERSON });
    expect(started.status).toBe(201);
    const id = String(started.json["id"]);
    expect((started.json["positions"] as Array<{ position: string }>).map((p) => p.position)).toEqual([
      ...TEN_FINGERS,
    ]);

    for (let i = 0; i < 7; i++) {
      const r = await station.take(id, TEN_FINGERS[i]!, i);
      expect(r).toMatchObject({ accepted: true, kept: true, done: true });
      expect(Buffer.from(String(r["preview"]), "base64").subarray(1, 4).toString()).toBe("PNG");
    }
    // Between the 7th and the 8th finger the agent dies.
    await station.agent.kill("SIGKILL");
    const onDisk = Buffer.concat(filesUnder(station.stateDir).map((f) => readFileSync(f)));
    expect(onDisk.includes(Buffer.from(PERSON.name))).toBe(false);
    expect(onDisk.includes(Buffer.from(PERSON.reference))).toBe(false);
    expect(onDisk.includes(Buffer.from(station.fingers[3]!.pixels.subarray(5000, 5048)))).toBe(false);
    await station.launch();

    const after = await station.api("GET", `/v1/bookings/${id}`);
    expect(after.json).toMatchObject({ status: "open", taken: 7, next: "left-middle" });

    const early = await station.api("POST", `/v1/bookings/${id}/seal`);
    expect(early.status).toBe(409);

    // A smudged take is rejected with a reason and asked again; a good one then replaces it.
    // A print with only a third of the finger on the glass is rejected with the reason, and asked again.
    station.emulator.emulator.setImage(degrade({ ...station.fingers[7]!, ppi: 500 }, "partial", 0.9));
    const partial = await station.api("POST", `/v1/bookings/${id}/impressions`, { position: "left-middle" });
    expect(partial.json).toMatchObject({ accepted: false, done: false });
    expect(String(partial.json["reason"])).toMatch(/too little of the finger/);
    expect(await station.take(id, "left-middle", 7)).toMatchObject({
      accepted: true,
      kept: true,
      attempt: 2,
    });
    // Left ring: three poor takes; after the third (maxRejections) the best is kept with a flag.
    const takes: Array<Record<string, unknown>> = [];
    for (const amount of [0.95, 0.9, 0.97]) {
      station.emulator.emulator.setImage(degrade({ ...station.fingers[8]!, ppi: 500 }, "partial", amount));
      takes.push(
        (await station.api("POST", `/v1/bookings/${id}/impressions`, { position: "left-ring" })).json,
      );
    }
    expect(takes.map((t) => [t["accepted"], t["done"], t["flagged"]])).toEqual([
      [false, false, false],
      [false, false, false],
      [false, true, true],
    ]);
    expect(takes[1]!["kept"]).toBe(true);
    expect(takes[2]!["kept"]).toBe(false);
    const amp = await station.api("POST", `/v1/bookings/${id}/annotations`, {
      position: "left-little",
      reason: "amputated",
    });
    expect(amp.json).toMatchObject({ sealable: true, annotated: 1 });

    // The face photo for Type-10: a baseline JPEG; anything else is refused and changes nothing.
    const notJpeg = await station.api("POST", `/v1/bookings/${id}/photo`, {
      jpeg: Buffer.from("GIF89a").toString("base64"),
    });
    expect(notJpeg.status).toBe(422);
    const rgba = Buffer.alloc(320 * 400 * 4, 0x80);
    const jpeg = encodeJpeg({ width: 320, height: 400, data: rgba }, 85).data;
    expect(
      (await station.api("POST", `/v1/bookings/${id}/photo`, { jpeg: jpeg.toString("base64") })).status,
    ).toBe(200);

    bureau.script.push(500);
    const sealed = await station.api("POST", `/v1/bookings/${id}/seal`);
    expect(sealed.status).toBe(201);
    const tcn = String((sealed.json["sealed"] as { tcn: string }).tcn);

    await eventually(
      async () => (await station.api("GET", `/v1/bookings/${id}`)).json["status"] === "received",
      30_000,
      100,
    );
    expect(bureau.requests).toBeGreaterThanOrEqual(2);
    const arrival = bureau.arrivals.find((a) => a.tcn === tcn)!;
    expect(arrival.clientCertSubject).toBe("station-PS0042");
    const record = bureau.decrypt(arrival.body);
    const tx = decodeTransaction(record);
    expect(tx.header).toMatchObject({
      controlNumber: tcn,
      originatingAgency: "UP0420042",
      destinationAgency: "UPSFB0001",
    });
    // The amputated left little finger has its own record: AMP XX and a blank placeholder image.
    expect(tx.fingerprints.map((f) => f.positions[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(tx.fingerprints[9]!.amputations).toEqual([{ position: 10, code: "XX" }]);
    expect(tx.fingerprints.slice(0, 9).every((f) => f.amputations === undefined)).toBe(true);
    expect(tx.fingerprints[8]!.comment).toMatch(/RETAKE LIMIT/);
    expect(tx.faces).toHaveLength(1);
    expect(tx.faces![0]).toMatchObject({ width: 320, height: 400, compression: "JPEGB", colorSpace: "YCC" });
    expect(Buffer.from(tx.faces![0]!.image).equals(jpeg)).toBe(true);
    expect(tx.fingerprints.every((f) => f.compression === "WSQ20")).toBe(true);
    expect(JSON.stringify(tx.descriptive)).toContain(PERSON.name);
    // The record file is gone from the spool after the receipt (retention 0).
    expect(filesUnder(join(station.stateDir, "bookings", "spool")).filter((f) => f.endsWith(".age"))).toEqual(
      [],
    );

    await eventually(() => station.events("booking.forwarded").length > 0, 10_000);
    expect(station.events("booking.started")).toHaveLength(1);
    expect(station.events("booking.sealed")[0]!["data"]).toMatchObject({
      booking: id,
      impressions: 9,
      annotated: 1,
    });
    expect(station.events("booking.failed")[0]!["data"]).toMatchObject({ stage: "forward" });
  }, 240_000);

  it("kill -9 while the bureau holds the upload: after restart the record goes again and is received", async () => {
    // ASCII only: NBIS an2k2txt refuses records that declare a UTF-8 character set (DCS 1.015).
    const person = { ...PERSON, name: PERSON.nameLatin, relativeName: "Suresh Yadav" };
    const { json } = await station.api("POST", "/v1/bookings", { plan: "tenprint-flat", person });
    const id = String(json["id"]);
    for (let i = 0; i < 10; i++) await station.take(id, TEN_FINGERS[i]!, i);
    bureau.script.push("hang");
    const before = bureau.requests;
    expect((await station.api("POST", `/v1/bookings/${id}/seal`)).status).toBe(201);
    await eventually(() => bureau.requests > before, 20_000);
    await station.agent.kill("SIGKILL");
    await station.launch();
    await eventually(
      async () => (await station.api("GET", `/v1/bookings/${id}`)).json["status"] === "received",
      30_000,
      100,
    );
    const tcn = String(
      ((await station.api("GET", `/v1/bookings/${id}`)).json["sealed"] as { tcn: string }).tcn,
    );
    const record = bureau.decrypt(bureau.arrivals.find((a) => a.tcn === tcn)!.body);
    expect(decodeTransaction(record).fingerprints).toHaveLength(10);
    if (haveNbis) {
      const work = mkdtempSync(join(tmpdir(), "an2k2txt-"));
      writeFileSync(join(work, "r.an2"), record);
      execFileSync(join(NBIS, "an2k2txt"), ["r.an2", "r.txt"], { cwd: work, stdio: "pipe" });
      const text = readFileSync(join(work, "r.txt"), "utf8");
      expect(text).toContain(`[1.009]=${tcn}`);
      expect(text.match(/\[14\.013\]=/g)?.length).toBe(10);
      rmSync(work, { recursive: true, force: true });
    }

    // Nothing personal in the log or over MQTT, and no image bytes (no long base64 runs).
    await eventually(
      () => station.mqtt.messages.some((m) => m.topic.endsWith("/metrics") && m.payload["bookings"]),
      10_000,
    );
    for (const text of [station.agent.output, station.mqttText()]) {
      expect(text).not.toContain(PERSON.name);
      expect(text).not.toContain(PERSON.nameLatin);
      expect(text).not.toContain(PERSON.reference);
      expect(text).not.toMatch(/[A-Za-z0-9+/]{200,}/);
    }
    const keyFile = join(station.stateDir, "booking-key");
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  }, 240_000);
});
