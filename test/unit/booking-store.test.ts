import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { StationKey, StationKeyError } from "../../agent/booking/station-key.js";
import { SessionStore, type SessionState } from "../../agent/booking/session-store.js";
import { Spool } from "../../agent/booking/spool.js";
import { generateRidgeImage } from "../../drivers/fingerprint/emulator/ridge-image.js";

const QUALITY = {
  score: 80,
  coverage: 0.8,
  area: 1,
  contrast: 0.8,
  clarity: 0.8,
  snr: 2.5,
  smudged: 0,
  faint: 0,
  method: "ridge-clarity-v2" as const,
};
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), "booking-store-"));
  dirs.push(d);
  return d;
}

const NAME = "रामेश्वर प्रसाद";

function session(id: string): SessionState {
  return {
    id,
    plan: "tenprint-flat",
    person: {
      reference: "FIR-0042/2026",
      name: NAME,
      sex: "male",
      ageYears: 34,
      arrestingOfficer: "SI Meena Kumari 1123",
    },
    createdAt: "2026-12-04T10:00:00.000Z",
    updatedAt: "2026-12-04T10:00:00.000Z",
    positions: [
      { position: "right-thumb", attempts: 0, rejections: 0, flagged: false },
      { position: "right-index", attempts: 0, rejections: 0, flagged: false },
    ],
  };
}

describe("station key", () => {
  it("creates a 0600 key file once and opens only what it sealed under the same role", () => {
    const file = join(temp(), "booking-key");
    const key = StationKey.loadOrCreate(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = StationKey.loadOrCreate(file);
    const sealed = key.seal(Buffer.from(NAME), "booking:a:state");
    expect(again.open(sealed, "booking:a:state").toString()).toBe(NAME);
    expect(() => again.open(sealed, "booking:b:state")).toThrow(StationKeyError);
    sealed[sealed.length - 20]! ^= 1;
    expect(() => again.open(sealed, "booking:a:state")).toThrow(/does not open/);
  });

  it("refuses a key file others can read", () => {
    const file = join(temp(), "booking-key");
    writeFileSync(file, Buffer.alloc(32, 7), { mode: 0o644 });
    expect(() => StationKey.loadOrCreate(file)).toThrow(/chmod 600/);
  });
});

describe("session store", () => {
  it("keeps names and pixels only encrypted on disk, and reads them back", () => {
    const dir = temp();
    const store = new SessionStore(dir, StationKey.loadOrCreate(join(dir, "key")));
    const s = session("bk-aaaaaaaaaaaaaaaaaaaa");
    store.create(s);
    const image = generateRidgeImage({ width: 256, height: 288, seed: 3 });
    store.writeImage(s.id, "right-thumb.1.sab", image);
    s.positions[0]!.best = {
      file: "right-thumb.1.sab",
      width: 256,
      height: 288,
      resolutionPpi: 500,
      quality: QUALITY,
      accepted: true,
      device: "fp1",
      capturedAt: s.createdAt,
    };
    store.save(s);
    const all = Buffer.concat(readdirSync(join(dir, s.id)).map((f) => readFileSync(join(dir, s.id, f))));
    expect(all.includes(Buffer.from(NAME))).toBe(false);
    expect(all.includes(Buffer.from("FIR-0042"))).toBe(false);
    expect(all.includes(Buffer.from(image.pixels.subarray(1000, 1064)))).toBe(false);
    const loaded = store.load(s.id);
    expect(loaded.person.name).toBe(NAME);
    expect(
      Buffer.from(store.readImage(s.id, loaded.positions[0]!.best!).pixels).equals(Buffer.from(image.pixels)),
    ).toBe(true);
  });

  it("after a crash, drops temp files and images the state does not name", () => {
    const dir = temp();
    const store = new SessionStore(dir, StationKey.loadOrCreate(join(dir, "key")));
    const s = session("bk-bbbbbbbbbbbbbbbbbbbb");
    store.create(s);
    // A take written but the state never updated (kill -9 between the two writes).
    store.writeImage(s.id, "right-index.1.sab", generateRidgeImage({ width: 64, height: 64, seed: 1 }));
    writeFileSync(join(dir, s.id, ".tmp-state.sab.dead"), "half");
    store.load(s.id);
    expect(readdirSync(join(dir, s.id))).toEqual(["state.sab"]);
  });
});

describe("spool", () => {
  it("counts a record only with its metadata; recover removes a half-sealed one", () => {
    const dir = temp();
    const spool = new Spool(dir);
    writeFileSync(join(dir, "bk-cccccccccccccccccccc.an2.age"), "partial");
    writeFileSync(join(dir, ".tmp-bk-x.an2.age.1234"), "partial");
    expect(spool.recover()).toEqual(["bk-cccccccccccccccccccc"]);
    expect(readdirSync(dir)).toEqual([]);
    const e = spool.add(
      {
        id: "bk-dddddddddddddddddddd",
        tcn: "T1",
        sealedAt: "2026-12-04T10:00:00.000Z",
        plan: "tenprint-flat",
      },
      Buffer.from("age-bytes"),
    );
    expect(spool.stats()).toMatchObject({ depth: 1, bytes: 9, oldestUnsentMs: Date.parse(e.sealedAt) });
    const done = spool.markReceived(
      e,
      { at: "2026-12-04T10:05:00.000Z", by: "bureau", status: 201 },
      86_400_000,
    );
    expect(spool.stats().depth).toBe(0);
    expect(spool.read(e.id)?.toString()).toBe("age-bytes");
    expect(spool.prune(Date.parse("2026-12-04T11:00:00.000Z"), 86_400_000)).toBe(0);
    expect(spool.prune(Date.parse("2026-12-06T11:00:00.000Z"), 86_400_000)).toBe(1);
    expect(spool.read(e.id)).toBeUndefined();
    expect(spool.get(e.id)?.receipt).toEqual(done.receipt);
  });
});

describe("spool: a record whose file vanished", () => {
  it("is set aside so the queue moves on, and says so once", async () => {
    const { Forwarder } = await import("../../agent/booking/forwarder.js");
    const dir = temp();
    const spool = new Spool(dir);
    const e = spool.add(
      {
        id: "bk-eeeeeeeeeeeeeeeeeeee",
        tcn: "T2",
        sealedAt: "2026-12-04T10:00:00.000Z",
        plan: "tenprint-flat",
      },
      Buffer.from("age-bytes"),
    );
    rmSync(join(dir, `${e.id}.an2.age`));
    const events: string[] = [];
    const fwd = new Forwarder(
      {
        url: "https://127.0.0.1:9/intake",
        station: "PS1",
        timeoutMs: 1000,
        retry: { minMs: 100, maxMs: 100 },
        retentionMs: 0,
      },
      {
        spool,
        events: {
          event: (type: string, data: Record<string, unknown>) =>
            void events.push(`${type}:${String(data["error"])}`),
        },
        logger: pino({ level: "silent" }),
      },
    );
    await fwd.start();
    await new Promise((r) => setTimeout(r, 200));
    await fwd.stop();
    expect(spool.pending()).toEqual([]);
    expect(spool.get(e.id)?.lost).toMatch(/record file missing/);
    expect(events).toEqual(["booking.failed:record-file-missing"]);
  });
});
