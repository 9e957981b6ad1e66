/**
 * Slips encoded in a worker thread that exits when idle (agent/devices/slip-worker-pool.ts), run as a
 * station runs it: the worker file of the built bundle, on plain node's worker_threads.
 */
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { inProcessSlipEncoder, type SlipRequest } from "../../agent/devices/slip-encoder.js";
import { slipWorkerFile, WorkerSlipEncoder } from "../../agent/devices/slip-worker-pool.js";
import { PROFILES } from "../../drivers/printer/document.js";
import { TemplateDataError } from "../../drivers/printer/templates.js";
import { builtTree } from "../support/built-tree.js";
import { RECEIPT, TEST_FONTS } from "../support/printer.js";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

const request = (data: unknown = RECEIPT, language: "en" | "hi" = "hi"): SlipRequest => ({
  template: "complaint-receipt",
  data,
  profile: PROFILES["80mm"],
  fonts: { latin: TEST_FONTS.latin, devanagari: TEST_FONTS.devanagari },
  language,
});

const joined = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

describe("the slip worker", () => {
  let file = "";
  const open: WorkerSlipEncoder[] = [];
  const encoder = (idleMs?: number) => {
    const e = new WorkerSlipEncoder(file, idleMs);
    open.push(e);
    return e;
  };

  beforeAll(async () => {
    const tree = await builtTree();
    // Found as the bundle's chunks find it: one level up from chunks/.
    file = slipWorkerFile(pathToFileURL(join(tree, "dist/station-agent/chunks/any.js")).href)!;
    expect(file).toBe(join(tree, "dist/station-agent/slip-worker.js"));
  }, 300_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.close()));
  });

  it("prints the same bytes as encoding in the agent's own thread, Devanagari included", async () => {
    const [inWorker, here] = await Promise.all([
      encoder().encode(request()),
      inProcessSlipEncoder()(request()),
    ]);
    expect(inWorker.skipped).toEqual(here.skipped);
    expect(joined(inWorker.parts).equals(joined(here.parts))).toBe(true);
    expect(joined(inWorker.parts).length).toBeGreaterThan(1000);
  });

  it("hands bad data back as the same TemplateDataError, and keeps working", async () => {
    const e = encoder();
    const err = await e.encode(request({ ...RECEIPT, complaintNumber: 42 })).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TemplateDataError);
    expect((err as TemplateDataError).problems.join()).toMatch(/complaintNumber/);
    expect((await e.encode(request())).parts.length).toBeGreaterThan(0);
  });

  it("exits when idle, and the next slip starts a new worker", async () => {
    const e = encoder(200);
    await e.encode(request(RECEIPT, "en"));
    expect(e.running).toBe(true);
    for (let i = 0; i < 100 && e.running; i++) await sleep(50);
    expect(e.running).toBe(false);
    expect((await e.encode(request(RECEIPT, "en"))).parts.length).toBeGreaterThan(0);
    expect(e.running).toBe(true);
  });

  it("fails the slips a dying worker held with a clear error, then prints again", async () => {
    const e = encoder();
    await e.encode(request());
    const held = e.encode(request());
    // What a worker killed by its memory limit looks like to the agent: it exits with jobs in hand.
    await (e as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(held).rejects.toThrow(/slip encoder stopped/);
    expect((await e.encode(request())).parts.length).toBeGreaterThan(0);
  });
});
