// @needs iproute2 nftables fping iputils-ping
/**
 * The link monitor on a real network: namespaces and veth pairs built by scripts/netlab.sh, the real
 * LinkMonitor (fping, /sys, ip route) running inside the station namespace. Needs root; skipped with the
 * reason elsewhere, and required in CI.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fastLink, LAB, Lab, labSkipReason, MonitorRunner } from "./links-lab.js";

const skip = labSkipReason();

describe.skipIf(skip !== undefined)("link monitor in the lab", () => {
  const lab = new Lab("t");
  let runner: MonitorRunner | undefined;

  beforeAll(async () => {
    await lab.up();
  });
  afterAll(async () => {
    await lab.down();
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await lab.restore();
  });

  const swan = (targets: unknown[]) =>
    fastLink({ name: "swan", interface: LAB.primaryIf, role: "primary", targets: targets as never });
  const waitUp = (r: MonitorRunner, link: string) =>
    r.waitFor((l) => l.kind === "state" && l.link === link && l.state?.state === "up", 20_000, `${link} up`);

  it("a pulled cable gives link.down (no carrier), then link.up when it is plugged back", async () => {
    runner = new MonitorRunner(lab, [swan([{ role: "gateway" }, { role: "datacentre", host: LAB.dcHost }])]);
    await runner.start();
    await waitUp(runner, "swan");
    const mark = runner.lines.length;
    await lab.pull("primary");
    const down = await runner.waitFor((l) => l.type === "link.down", 20_000, "link.down", mark);
    expect(down.data).toMatchObject({
      link: "swan",
      interface: "wan0",
      role: "primary",
      from: "up",
      reason: "no carrier",
    });
    expect(Date.parse(down.data!.firstFailAt as string)).toBeLessThanOrEqual(down.observedAt!);
    expect(down.data!.evidence).toMatchObject({ carrier: false });
    const retained = await runner.waitFor(
      (l) => l.kind === "state" && l.state?.state === "down",
      5000,
      "retained down",
      mark,
    );
    expect(retained.state).toMatchObject({ reason: "no carrier", interfaceState: { carrier: false } });

    const back = runner.lines.length;
    await lab.plug("primary");
    const up = await runner.waitFor((l) => l.type === "link.up", 20_000, "link.up", back);
    expect(up.data).toMatchObject({
      link: "swan",
      from: "down",
      firstFailAt: down.data!.firstFailAt,
      previous: { state: "down", reason: "no carrier" },
    });
    expect(runner.events("link.down", back)).toHaveLength(0);
    const view = await runner.view();
    expect((view.words as string[])[0]).toMatch(/^swan \(wan0, primary link\): working, in use since/);
  });

  it("a cut beyond the gateway is 'data centre unreachable while gateway answers'", async () => {
    runner = new MonitorRunner(lab, [swan([{ role: "gateway" }, { role: "datacentre", host: LAB.dcHost }])]);
    await runner.start();
    await waitUp(runner, "swan");
    const mark = runner.lines.length;
    await lab.cut("primary");
    const down = await runner.waitFor((l) => l.type === "link.down", 20_000, "link.down", mark);
    expect(down.data).toMatchObject({ reason: "data centre unreachable while gateway answers" });
    const targets = (down.data!.evidence as { targets: { role: string; answering: boolean }[] }).targets;
    expect(targets.find((t) => t.role === "gateway")?.answering).toBe(true);
    expect(targets.find((t) => t.role === "datacentre")?.answering).toBe(false);
  });

  it("30 % loss makes the link degraded, not down, and it recovers once the loss stops", async () => {
    // Two data centre addresses (the state data centre and its DR site): one answer per round suffices.
    runner = new MonitorRunner(lab, [
      swan([
        { role: "datacentre", host: LAB.dcHost },
        { role: "datacentre", host: LAB.dcAltHost },
      ]),
    ]);
    await runner.start();
    await waitUp(runner, "swan");
    const mark = runner.lines.length;
    await lab.loss("primary", 30);
    const degraded = await runner.waitFor((l) => l.type === "link.degraded", 40_000, "link.degraded", mark);
    expect(degraded.data!.reason).toMatch(/^loss \d+(\.\d+)? % \(limit 20 %\)$/);
    expect(Date.parse(degraded.data!.firstFailAt as string)).toBeLessThan(degraded.observedAt!);
    const { seen, dropped } = await lab.counters("primary");
    expect(dropped / seen).toBeGreaterThan(0.15);
    await lab.restore();
    await runner.waitFor((l) => l.type === "link.up", 40_000, "link.up after the loss", mark);
    expect(runner.events("link.down", mark)).toHaveLength(0);
  });

  it("the primary going down with a backup present gives failover to the backup, and failback", async () => {
    const dc = [{ role: "gateway" }, { role: "datacentre", host: LAB.dcHost }];
    runner = new MonitorRunner(lab, [
      swan(dc),
      fastLink({ name: "bb", interface: LAB.backupIf, role: "backup", targets: dc as never }),
    ]);
    await runner.start();
    await runner.waitFor(
      (l) => l.kind === "state" && l.link === "swan" && l.state?.active === true,
      20_000,
      "swan active",
    );
    await waitUp(runner, "bb");
    const mark = runner.lines.length;
    await lab.pull("primary");
    const failover = await runner.waitFor((l) => l.type === "failover", 20_000, "failover", mark);
    expect(failover.data).toMatchObject({
      from: "swan",
      to: "bb",
      fromRole: "primary",
      toRole: "backup",
      reason: "no carrier",
    });
    const down = runner.events("link.down", mark)[0];
    expect(down?.data).toMatchObject({ link: "swan", reason: "no carrier" });
    expect(runner.lines.indexOf(down!)).toBeLessThan(runner.lines.indexOf(failover));
    await runner.waitFor(
      (l) => l.kind === "state" && l.link === "bb" && l.state?.active === true,
      5000,
      "bb active",
      mark,
    );
    const during = await runner.view();
    expect(during.active).toBe("bb");
    // Stay on the backup long enough to show in onBackupS (tenths of a second): plugging the primary back
    // right away can fail back within 20 ms.
    await new Promise((r) => setTimeout(r, 300));

    const back = runner.lines.length;
    await lab.plug("primary");
    const failback = await runner.waitFor((l) => l.type === "failover", 20_000, "failback", back);
    expect(failback.data).toMatchObject({ from: "bb", to: "swan", failback: true });
    const after = await runner.view();
    expect(after.active).toBe("swan");
    expect(after.onBackupS as number).toBeGreaterThan(0);
    expect((after.availability as Record<string, { upPct: number }>).swan!.upPct).toBeLessThan(100);
  });

  it("socket probes leave through their own link: a far cut on the primary leaves the backup up", async () => {
    const stopServer = lab.serveTcp(8443);
    await (stopServer as unknown as { ready: Promise<void> }).ready;
    try {
      const tcpOnly = [
        { role: "gateway" },
        { role: "datacentre", host: LAB.dcHost, probes: [{ type: "tcp", port: 8443 }] },
      ];
      runner = new MonitorRunner(lab, [
        swan(tcpOnly),
        fastLink({ name: "bb", interface: LAB.backupIf, role: "backup", targets: tcpOnly as never }),
      ]);
      await runner.start();
      await waitUp(runner, "swan");
      await waitUp(runner, "bb");
      const mark = runner.lines.length;
      await lab.cut("primary");
      const down = await runner.waitFor((l) => l.type === "link.down", 20_000, "link.down", mark);
      expect(down.data).toMatchObject({
        link: "swan",
        reason: "data centre unreachable while gateway answers",
      });
      const view = await runner.view();
      expect((view.summaries as Record<string, { state: string }>).bb!.state).toBe("up");
      const bb = (view.details as Record<string, { targets: { role: string; answering: boolean }[] }>).bb!;
      expect(bb.targets.find((t) => t.role === "datacentre")?.answering).toBe(true);
      expect(runner.events("link.down", mark).map((e) => e.data!.link)).toEqual(["swan"]);
    } finally {
      await stopServer();
    }
  });

  it("a dead target alone does not mark the link down; losing the live one too does", async () => {
    runner = new MonitorRunner(lab, [
      swan([
        { role: "gateway" },
        { role: "datacentre", host: LAB.dcHost },
        { role: "datacentre", host: LAB.deadHost, label: "dead dc" },
      ]),
    ]);
    await runner.start();
    await waitUp(runner, "swan");
    // Wait until the dead target has been silent long enough to count as lost on its own.
    let dead: { answering: boolean; lostInARow: number } | undefined;
    for (let i = 0; i < 40 && !(dead && !dead.answering && dead.lostInARow >= 6); i++) {
      await new Promise((r) => setTimeout(r, 250));
      const view = await runner.view();
      expect((view.states as { state: string }[])[0]!.state).toBe("up");
      const details = view.details as Record<
        string,
        { targets: { label: string; answering: boolean; lostInARow: number }[] }
      >;
      dead = details.swan!.targets.find((t) => t.label === "dead dc");
    }
    expect(dead).toMatchObject({ answering: false });
    expect(dead!.lostInARow).toBeGreaterThanOrEqual(6);
    expect(runner.events("link.down")).toHaveLength(0);

    const mark = runner.lines.length;
    await lab.cut("primary");
    const down = await runner.waitFor((l) => l.type === "link.down", 20_000, "link.down", mark);
    expect(down.data).toMatchObject({ reason: "data centre unreachable while gateway answers" });
  });
});
