import { statfsSync } from "node:fs";
import { freemem, loadavg, totalmem, uptime } from "node:os";
import type { MetricsSample } from "../contract/index.js";
import type { Outbox } from "./outbox.js";
import type { LinkView } from "./ports.js";

/** One metrics sample: host, storage disk, the agent itself, the outbox, and the links' compact summary. */
export class MetricsSampler {
  private lastCpu = process.cpuUsage();
  private lastAt = process.hrtime.bigint();
  private readonly startedAt = Date.now();

  constructor(
    private readonly storageDir: string,
    private readonly outbox: Outbox,
    private readonly links?: LinkView,
  ) {}

  sample(now = Date.now()): MetricsSample {
    const cpu = process.cpuUsage();
    const at = process.hrtime.bigint();
    const elapsedUs = Number(at - this.lastAt) / 1000;
    const usedUs = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system);
    this.lastCpu = cpu;
    this.lastAt = at;
    const [load1, load5, load15] = loadavg();
    let disk = { path: this.storageDir, freeBytes: 0, totalBytes: 0 };
    try {
      const s = statfsSync(this.storageDir);
      disk = { path: this.storageDir, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch {
      // Reported as zero; `doctor` explains a missing state dir.
    }
    const ob = this.outbox.stats();
    const links = this.links?.summaries();
    return {
      host: {
        uptimeS: Math.round(uptime()),
        load1: round(load1 ?? 0),
        load5: round(load5 ?? 0),
        load15: round(load15 ?? 0),
        memTotalBytes: totalmem(),
        memAvailableBytes: freemem(),
      },
      disk,
      agent: {
        rssBytes: process.memoryUsage.rss(),
        cpuPct: elapsedUs > 0 ? round((100 * usedUs) / elapsedUs) : 0,
        uptimeS: Math.round((now - this.startedAt) / 1000),
      },
      outbox: {
        depth: ob.depth,
        bytes: ob.bytes,
        oldestAgeS:
          ob.oldestCreatedMs === null ? null : Math.max(0, Math.round((now - ob.oldestCreatedMs) / 1000)),
      },
      dropped: ob.dropped,
      ...(links && Object.keys(links).length > 0 ? { links } : {}),
    };
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
