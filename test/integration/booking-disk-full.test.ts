// @needs mosquitto socat age
/**
 * A station with no bureau link (forward: none) whose state disk fills up: sealing fails with a clear
 * 507, nothing half-written counts as sealed, and once space is freed the same session seals and the
 * CCTNS client fetches the record and confirms it. The state dir is a real small tmpfs mount.
 */
import { execFileSync, spawn } from "node:child_process";
import { request } from "node:http";
import { readdirSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEN_FINGERS } from "../../agent/booking/plan.js";
import { decodeTransaction } from "../../drivers/fingerprint/ansi-nist/index.js";
import { ROOT, tempDir } from "../support/agent-process.js";
import { SlapEmulator } from "../../drivers/fingerprint/emulator/slap-emulator.js";
import { BookingStation, PERSON } from "../support/booking-station.js";
import { killAllPtys } from "../support/socat-pty.js";

function cli(args: string[], input = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "agent/cli.ts"), ...args, "--config", station.agent.configPath],
      {
        cwd: ROOT,
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("exit", (code) => done({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

let station: BookingStation;

describe("booking on a full disk, handed to the CCTNS client", () => {
  const mount = tempDir("booking-tmpfs-");
  const keys = tempDir("booking-age-");
  let recipient = "";
  let slaps: SlapEmulator;

  beforeAll(async () => {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m,mode=0750", "tmpfs", mount]);
    execFileSync("age-keygen", ["-o", join(keys, "bureau.agekey")], { stdio: "pipe" });
    recipient = execFileSync("age-keygen", ["-y", join(keys, "bureau.agekey")])
      .toString()
      .trim();
    slaps = await SlapEmulator.start();
    station = await new BookingStation({
      stateDir: join(mount, "state"),
      booking: { forward: "none", bureau: { recipient }, slapScanner: { url: slaps.baseUrl } },
    }).start();
  }, 120_000);
  afterAll(async () => {
    await station?.stop();
    await slaps?.stop();
    killAllPtys();
    execFileSync("umount", ["-l", mount]);
    rmSync(keys, { recursive: true, force: true });
  });

  it("refuses to seal with 507 while the disk is full, then seals and hands over the record", async () => {
    const { json } = await station.api("POST", "/v1/bookings", { plan: "tenprint-flat", person: PERSON });
    const id = String(json["id"]);
    for (let i = 0; i < 10; i++) await station.take(id, TEN_FINGERS[i]!, i);

    const filler = join(mount, "filler");
    const free = () => {
      const s = statfsSync(mount);
      return s.bavail * s.bsize;
    };
    const spool = join(station.stateDir, "bookings", "spool");
    try {
      try {
        writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 16 * 1024)));
      } catch (e) {
        // The agent wrote meanwhile (metrics): the filler took the rest, which is a full disk all the same.
        if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
      }
      const full = await station.api("POST", `/v1/bookings/${id}/seal`);
      expect(full.status).toBe(507);
      expect(full.json).toMatchObject({ error: "disk-full" });
      expect(String(full.json["message"])).toMatch(/full/);
      expect(readdirSync(spool)).toEqual([]);
      expect((await station.api("GET", `/v1/bookings/${id}`)).json).toMatchObject({
        status: "open",
        sealable: true,
      });
      expect((await station.api("GET", `/v1/bookings/${id}/record`)).status).toBe(404);
    } finally {
      rmSync(filler, { force: true });
    }
    const sealed = await station.api("POST", `/v1/bookings/${id}/seal`);
    expect(sealed.status).toBe(201);

    const res = await station.record(id);
    expect(res.status).toBe(200);
    const enc = res.bytes;
    writeFileSync(join(keys, "r.age"), enc);
    const plain = execFileSync("age", ["-d", "-i", join(keys, "bureau.agekey"), join(keys, "r.age")]);
    expect(decodeTransaction(plain).fingerprints).toHaveLength(10);

    const ack = await station.api("POST", `/v1/bookings/${id}/record/received`);
    expect(ack.json).toMatchObject({ status: "received", sealed: { receipt: { by: "cctns-client" } } });
    expect(readdirSync(spool).filter((f) => f.endsWith(".age"))).toEqual([]);
    expect((await station.api("GET", `/v1/bookings/${id}/record`)).status).toBe(404);
  }, 240_000);

  it("the CLI takes a booking finger by finger, seals it, lists it and summarises the record file", async () => {
    station.emulator.emulator.setImage(station.fingers[0]!);
    // Enter for each finger; the 10th is marked "cannot be printed"; then "y" to seal.
    const input = `${"\n".repeat(9)}m\ny\n`;
    const start = await cli(
      [
        "booking",
        "start",
        "--name",
        PERSON.name,
        "--fir",
        "FIR-77/2026",
        "--sex",
        "female",
        "--age",
        "41",
        "--officer",
        "HC Ram Singh 88",
        "--husband",
        "Mohan Lal",
      ],
      input,
    );
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain("Place the right hand, index finger flat on the glass");
    expect(start.stdout).toMatch(/quality \d+\/100: good\./);
    expect(start.stdout).toContain("left hand, little finger: marked cannot be printed");
    const tcn = /Sealed\. TCN (\S+)/.exec(start.stdout)?.[1];
    expect(tcn).toBeDefined();
    const list = await cli(["booking", "list"]);
    expect(list.stdout).toContain(`TCN ${tcn}`);
    expect(list.stdout).toMatch(/waiting since/);

    const id = /Booking (bk-[0-9a-f]{20}) started/.exec(start.stdout)![1]!;
    const res = await station.record(id);
    writeFileSync(join(keys, "cli.age"), res.bytes);
    const sealedShow = await cli(["booking", "show", join(keys, "cli.age")]);
    expect(sealedShow.stderr).toMatch(/sealed to the bureau; decrypt it first/);
    writeFileSync(
      join(keys, "cli.an2"),
      execFileSync("age", ["-d", "-i", join(keys, "bureau.agekey"), join(keys, "cli.age")]),
    );
    const show = await cli(["booking", "show", join(keys, "cli.an2")]);
    expect(show.stdout).toContain(`TCN ${tcn}`);
    // Nine prints and the finger that could not be printed, in a record of its own.
    expect(show.stdout.match(/Type-14 FGP/g)).toHaveLength(10);
    expect(show.stdout).toContain("AMP 10:UP");
    expect(show.stdout).not.toContain(PERSON.name);
  }, 240_000);

  it("slaps: right four, left four and thumbs from the four-finger scanner, with SEG boxes", async () => {
    const { json } = await station.api("POST", "/v1/bookings", { plan: "slaps", person: PERSON });
    const id = String(json["id"]);
    expect((json["positions"] as Array<{ position: string }>).map((p) => p.position)).toEqual([
      "right-four",
      "left-four",
      "both-thumbs",
    ]);
    for (const position of ["right-four", "left-four", "both-thumbs"]) {
      const r = await station.api("POST", `/v1/bookings/${id}/impressions`, { position });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    }
    expect((await station.api("POST", `/v1/bookings/${id}/seal`)).status).toBe(201);
    const res = await station.record(id);
    writeFileSync(join(keys, "slaps.age"), res.bytes);
    const tx = decodeTransaction(
      execFileSync("age", ["-d", "-i", join(keys, "bureau.agekey"), join(keys, "slaps.age")]),
    );
    expect(tx.fingerprints.map((f) => f.positions[0])).toEqual([13, 14, 15]);
    expect(
      tx.fingerprints.map((f) => (f.segments ?? []).map((s) => s.position).sort((a, b) => a - b)),
    ).toEqual([
      [2, 3, 4, 5],
      [7, 8, 9, 10],
      [1, 6],
    ]);
    expect(tx.fingerprints[0]!.width).toBe(1600);
  }, 240_000);

  it("bad requests get 400 or 413 naming the problem and change nothing", async () => {
    const before = (await station.api("GET", "/v1/bookings")).json;
    const { json } = await station.api("POST", "/v1/bookings", { plan: "tenprint-flat", person: PERSON });
    const id = String(json["id"]);
    const cases: Array<["GET" | "POST" | "DELETE", string, unknown, number, RegExp]> = [
      [
        "POST",
        "/v1/bookings",
        { plan: "tenprint-flat", person: { ...PERSON, dateOfBirth: "2099-01-01" } },
        400,
        /person\.dateOfBirth/,
      ],
      ["POST", "/v1/bookings", { plan: "palms", person: PERSON }, 400, /plan/],
      [
        "POST",
        "/v1/bookings",
        { plan: "tenprint-flat", person: { ...PERSON, name: "a\u0000b" } },
        400,
        /person\.name/,
      ],
      ["POST", "/v1/bookings", "tenprint-flat", 400, /\(body\): .*expected object/],
      ["POST", `/v1/bookings/${id}/impressions`, { position: "left-sixth" }, 400, /position/],
      ["POST", `/v1/bookings/${id}/annotations`, { position: "left-little", reason: "lost" }, 400, /reason/],
      ["POST", `/v1/bookings/${id}/seal`, {}, 409, /not every position/],
      ["POST", "/v1/bookings/..%2F..%2Fetc/seal", {}, 404, /no such booking/],
      ["DELETE", "/v1/bookings/bk-00000000000000000000", undefined, 404, /no open booking/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const r = await station.api(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(status);
      expect(JSON.stringify(r.json), `${method} ${path}`).toMatch(message);
    }
    const notJson = await new Promise<{ status: number; text: string }>((done, fail) => {
      const req = request(
        {
          socketPath: station.socket,
          path: "/v1/bookings",
          method: "POST",
          headers: { authorization: `Bearer ${station.token}`, "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => done({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", fail);
      req.end("{not json");
    });
    expect(notJson.status).toBe(400);
    expect(notJson.text).toMatch(/not valid JSON/);
    // Past the route's 16 KiB limit the API answers 413.
    const huge = await station.api("POST", "/v1/bookings", {
      plan: "tenprint-flat",
      person: { ...PERSON, name: "x".repeat(64_000) },
    });
    expect(huge.status).toBe(413);
    const progress = (await station.api("GET", `/v1/bookings/${id}`)).json;
    expect(progress).toMatchObject({ taken: 0, annotated: 0 });
    expect((await station.api("DELETE", `/v1/bookings/${id}`)).status).toBe(200);
    expect((await station.api("GET", "/v1/bookings")).json["open"]).toEqual(before["open"]);
  }, 60_000);
});
