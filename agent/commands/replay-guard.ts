/**
 * Remembers command ids and correlation data until the command could no longer pass the age check
 * (issuedAt + maxAge), so a replay inside the window is refused and one outside it is refused as too old.
 * The default store is in memory; the composition root may inject a persistent one so that the guard
 * survives an agent restart.
 */
export interface ReplayStore {
  has(key: string): boolean;
  add(key: string, expiresAtMs: number): void;
  /** Forget keys whose expiry is before `nowMs`. */
  prune(nowMs: number): void;
}

export class MemoryReplayStore implements ReplayStore {
  private readonly keys = new Map<string, number>();

  constructor(private readonly maxKeys = 100_000) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string, expiresAtMs: number): void {
    // At the cap the oldest insertion goes; the rate limit keeps this far away in practice.
    if (this.keys.size >= this.maxKeys) {
      const first = this.keys.keys().next();
      if (!first.done) this.keys.delete(first.value);
    }
    this.keys.set(key, expiresAtMs);
  }

  prune(nowMs: number): void {
    for (const [key, expires] of this.keys) if (expires < nowMs) this.keys.delete(key);
  }
}

export type ReplayVerdict = { ok: true } | { ok: false; reason: string };

export class ReplayGuard {
  constructor(
    private readonly store: ReplayStore,
    private readonly maxAgeMs: number,
  ) {}

  /** Checks age and novelty, and on success remembers the command. */
  admit(id: string, issuedAt: string, correlationData: Buffer | undefined, nowMs: number): ReplayVerdict {
    this.store.prune(nowMs);
    const issuedMs = Date.parse(issuedAt);
    if (!Number.isFinite(issuedMs)) return { ok: false, reason: "issuedAt is not a time" };
    if (nowMs - issuedMs > this.maxAgeMs)
      return { ok: false, reason: `command too old (issued ${issuedAt})` };
    if (issuedMs - nowMs > this.maxAgeMs)
      return { ok: false, reason: `command issued in the future (${issuedAt})` };
    const keys = [`id:${id}`];
    if (correlationData && correlationData.length > 0) keys.push(`cd:${correlationData.toString("base64")}`);
    if (keys.some((k) => this.store.has(k))) return { ok: false, reason: "replayed command refused" };
    const expires = issuedMs + this.maxAgeMs;
    for (const k of keys) this.store.add(k, expires);
    return { ok: true };
  }
}
