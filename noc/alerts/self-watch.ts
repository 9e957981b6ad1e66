/** The NOC watching itself (rule kind noc-self): collector lag, storage errors, broker connection. */
import type { Rule } from "./rules.js";
import type { CodedTitle } from "./titles.js";

export interface SelfFacts {
  /** p99 of live messages' ingest lag, ms (null: none yet). */
  ingestLagP99Ms: number | null;
  /** Failed storage flushes since start. */
  flushErrors: number;
  brokerConnected: boolean;
}

/** Storage errors count as a condition for this long after the last one. */
const ERROR_HOLD_MS = 120_000;

export class SelfWatch {
  private lastErrors = 0;
  private lastErrorAt: number | undefined;
  private firstErrorAt: number | undefined;
  private disconnectedSince: number | undefined;
  private lagSince: number | undefined;

  check(
    rule: Extract<Rule, { kind: "noc-self" }>,
    f: SelfFacts,
    now: number,
  ): ({ since: number; title: string } & CodedTitle) | undefined {
    switch (rule.watch) {
      case "broker-disconnected":
        if (f.brokerConnected) {
          this.disconnectedSince = undefined;
          return undefined;
        }
        this.disconnectedSince ??= now;
        return {
          since: this.disconnectedSince,
          title: "NOC collector disconnected from the MQTT broker",
          titleCode: "noc-self.broker-disconnected",
          titleParams: {},
        };
      case "storage-errors":
        if (f.flushErrors > this.lastErrors) {
          this.lastErrors = f.flushErrors;
          this.lastErrorAt = now;
          this.firstErrorAt ??= now;
        }
        if (this.lastErrorAt === undefined || now - this.lastErrorAt > ERROR_HOLD_MS) {
          this.firstErrorAt = undefined;
          return undefined;
        }
        return {
          since: this.firstErrorAt ?? now,
          title: `NOC storage writes failing (${f.flushErrors} failed flushes)`,
          titleCode: "noc-self.storage-errors",
          titleParams: { n: f.flushErrors },
        };
      case "collector-lag": {
        const limit = rule.lagAbove ?? 60_000;
        if (f.ingestLagP99Ms === null || f.ingestLagP99Ms <= limit) {
          this.lagSince = undefined;
          return undefined;
        }
        this.lagSince ??= now;
        return {
          since: this.lagSince,
          title: `NOC collector lag p99 ${Math.round(f.ingestLagP99Ms / 1000)}s`,
          titleCode: "noc-self.collector-lag",
          titleParams: { seconds: Math.round(f.ingestLagP99Ms / 1000) },
        };
      }
    }
  }
}
