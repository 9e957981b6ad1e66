import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LinkConfig } from "../../config/links.js";
import { networkEvidence } from "./evidence.js";
import { LinkHistory } from "./history.js";

const links = [
  LinkConfig.parse({ name: "swan", interface: "eth0", role: "primary" }),
  LinkConfig.parse({ name: "bb", interface: "eth1", role: "backup" }),
];
const S = 1000;

function dayWithOutage(h: LinkHistory): void {
  h.add({ t: 0, kind: "run" });
  h.add({ t: 1 * S, kind: "state", link: "swan", state: "up" });
  h.add({ t: 1 * S, kind: "state", link: "bb", state: "up" });
  h.add({ t: 1 * S, kind: "active", link: "swan" });
  h.add({
    t: 100 * S,
    kind: "state",
    link: "swan",
    state: "down",
    reason: "no carrier",
    firstFailAt: 99 * S,
  });
  h.add({ t: 100 * S, kind: "active", link: "bb" });
  h.add({ t: 160 * S, kind: "state", link: "swan", state: "up" });
  h.add({ t: 160 * S, kind: "active", link: "swan" });
}

describe("LinkHistory", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("computes per-link availability over known time only", () => {
    const h = new LinkHistory(undefined);
    dayWithOutage(h);
    // swan: known 1..201 s = 200 s, down 60 s -> 70 %
    expect(h.upPct("swan", 0, 201 * S, 201 * S)).toBe(70);
    expect(h.upPct("bb", 0, 201 * S, 201 * S)).toBe(100);
    expect(h.upPct("swan", 300 * S, 400 * S, 201 * S)).toBeNull();
  });

  it("counts time on the backup link", () => {
    const h = new LinkHistory(undefined);
    dayWithOutage(h);
    expect(h.onLinksMs(new Set(["bb"]), 0, 500 * S, 201 * S)).toBe(60 * S);
    expect(h.activeAt(120 * S, 201 * S)).toBe("bb");
  });

  it("does not count time the agent was not running", () => {
    const h = new LinkHistory(undefined);
    h.add({ t: 0, kind: "run" });
    h.add({ t: 0, kind: "state", link: "swan", state: "up" });
    h.add({ t: 50 * S, kind: "alive" });
    // crash; restart at 500 s, link down from the start
    h.add({ t: 500 * S, kind: "run" });
    h.add({ t: 500 * S, kind: "state", link: "swan", state: "down", reason: "gateway unreachable" });
    expect(h.covered(600 * S)).toEqual([
      [0, 50 * S],
      [500 * S, 600 * S],
    ]);
    expect(h.upPct("swan", 0, 600 * S, 600 * S)).toBe(33.33);
  });

  it("survives a restart through its file and skips a torn last line", async () => {
    dir = await mkdtemp(join(tmpdir(), "links-history-"));
    const file = join(dir, "h.jsonl");
    const h = new LinkHistory(file);
    await h.load(0);
    dayWithOutage(h);
    await h.flush();
    await writeFile(file, (await readFile(file, "utf8")) + '{"t":170000,"kind":"sta');
    const again = new LinkHistory(file);
    await again.load(201 * S);
    expect(again.upPct("swan", 0, 201 * S, 201 * S)).toBe(70);
    expect((await readFile(file, "utf8")).includes('"kind":"sta\n')).toBe(false);
  });

  it("drops records past the retention but keeps what still describes the present", async () => {
    dir = await mkdtemp(join(tmpdir(), "links-history-"));
    const file = join(dir, "h.jsonl");
    const day = 24 * 3600 * S;
    const lines = [
      { t: 0, kind: "run" },
      { t: 1, kind: "state", link: "swan", state: "up" },
      { t: 40 * day, kind: "alive" },
    ];
    await writeFile(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    const h = new LinkHistory(file);
    await h.load(40 * day);
    expect(h.upPct("swan", 39 * day, 40 * day, 40 * day)).toBe(100);
  });
});

describe("networkEvidence", () => {
  it("names the link that carried the traffic and its cause", () => {
    const h = new LinkHistory(undefined);
    dayWithOutage(h);
    const ev = networkEvidence(h, links, 95 * S, 130 * S, 201 * S);
    expect(ev).toMatchObject({
      link: "swan",
      reason: "no carrier",
      details: {
        state: "down",
        role: "primary",
        interface: "eth0",
        firstFailAt: new Date(99 * S).toISOString(),
        failoverTo: "bb",
      },
    });
  });

  it("prefers the active link over another link that was down", () => {
    const h = new LinkHistory(undefined);
    h.add({ t: 0, kind: "run" });
    h.add({ t: 0, kind: "active", link: "swan" });
    h.add({ t: 0, kind: "state", link: "bb", state: "down", reason: "no carrier" });
    h.add({ t: 0, kind: "state", link: "swan", state: "up" });
    h.add({
      t: 10 * S,
      kind: "state",
      link: "swan",
      state: "down",
      reason: "data centre unreachable while gateway answers",
    });
    const ev = networkEvidence(h, links, 5 * S, 30 * S, 40 * S);
    expect(ev.link).toBe("swan");
    expect(ev.reason).toBe("data centre unreachable while gateway answers");
  });

  it("says when every link answered throughout", () => {
    const h = new LinkHistory(undefined);
    h.add({ t: 0, kind: "run" });
    h.add({ t: 0, kind: "state", link: "swan", state: "up" });
    const ev = networkEvidence(h, links, 5 * S, 30 * S, 40 * S);
    expect(ev.link).toBeUndefined();
    expect(ev.details).toMatchObject({ linksUp: ["swan"] });
  });

  it("knows nothing for a time it did not watch", () => {
    const h = new LinkHistory(undefined);
    expect(networkEvidence(h, links, 5 * S, 30 * S, 40 * S)).toEqual({});
  });
});
