import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import {
  FRAGMENT_DIR,
  fragmentPath,
  pinnedKeyIn,
  readFragment,
  type StoredFragment,
} from "../../config/fragments.js";
import { ConfigError, type LoadedConfig } from "../../config/load.js";
import { canonicalJson } from "../../contract/index.js";
import { writeFileDurably } from "./durable-file.js";

/** sha256 of the fragment's settings as canonical JSON: what the NOC signs into the command. */
export function fragmentSha256(settings: unknown): string {
  return createHash("sha256").update(canonicalJson(settings)).digest("hex");
}

export interface ConfigApplyRequest {
  id: string;
  version: string;
  settings: Record<string, unknown>;
  sha256: string;
}

/** What is left on disk while a new fragment proves itself; survives the restart it causes. */
interface Pending {
  id: string;
  version: string;
  previous: StoredFragment | null;
  deadlineMs: number;
  /** Starts with this fragment; a fragment that crashes the agent at start is undone after a few. */
  starts: number;
}

export type ConfigApplyOutcome =
  | { kind: "applied"; id: string; version: string }
  | { kind: "rolled-back"; id: string; version: string; reason: string };

const MAX_STARTS = 3;

/**
 * config-apply on the station: check the fragment, write it beside the state, restart into it, and
 * keep it only if the agent is healthy with it within the deadline; otherwise put the previous one
 * back and restart again. Each step is on disk before the next, so a power cut at any point ends in
 * one of the two fragments, never neither.
 */
export class ConfigApplier {
  private readonly dir: string;

  constructor(
    private readonly storageDir: string,
    /** Loads the config as the agent would with this fragment in place (throws ConfigError). */
    private readonly loadWith: (fragment: StoredFragment) => LoadedConfig,
    private readonly now: () => number = Date.now,
    private readonly confirmWithinMs = 120_000,
  ) {
    this.dir = join(storageDir, FRAGMENT_DIR);
  }

  /** Validates and stores the fragment; the caller replies, then restarts the agent. */
  stage(req: ConfigApplyRequest): { keptLocal: string[]; hash: string } {
    if (fragmentSha256(req.settings) !== req.sha256)
      throw new Error("sha256 does not match the settings sent");
    const pinned = pinnedKeyIn(req.settings);
    if (pinned) throw new Error(`${pinned} can only be set in the station's own file`);
    if (this.pending()) throw new Error("another config-apply is still being confirmed");
    const next: StoredFragment = { version: req.version, sha256: req.sha256, settings: req.settings };
    let loaded: LoadedConfig;
    try {
      loaded = this.loadWith(next);
    } catch (e) {
      throw new Error(
        `the settings would be invalid: ${e instanceof ConfigError ? e.problems.join("; ") : String(e)}`,
      );
    }
    if (loaded.fragment && "ignored" in loaded.fragment)
      throw new Error(`the fragment would be left out: ${loaded.fragment.ignored}`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const previous = this.currentOrNull();
    this.writePending({ id: req.id, version: req.version, previous, deadlineMs: 0, starts: 0 });
    this.writeFragment(next);
    return {
      keptLocal: loaded.fragment && "keptLocal" in loaded.fragment ? loaded.fragment.keptLocal : [],
      hash: loaded.hash,
    };
  }

  /**
   * At agent start, before the services: whether a fragment is on probation. Too many starts with it
   * (it crashes the agent) undoes it here; the caller then restarts.
   */
  atStart():
    | { confirming: false }
    | { confirming: true; id: string; version: string; deadlineMs: number }
    | { undo: string } {
    const p = this.pending();
    if (!p) return { confirming: false };
    p.starts += 1;
    if (p.starts > MAX_STARTS)
      return { undo: `the agent restarted ${MAX_STARTS} times with these settings without becoming healthy` };
    if (p.deadlineMs === 0) p.deadlineMs = this.now() + this.confirmWithinMs;
    this.writePending(p);
    return { confirming: true, id: p.id, version: p.version, deadlineMs: p.deadlineMs };
  }

  /** The agent was healthy with the fragment: it stays. */
  confirm(): ConfigApplyOutcome | undefined {
    const p = this.pending();
    if (!p) return undefined;
    rmSync(this.pendingPath(), { force: true });
    return { kind: "applied", id: p.id, version: p.version };
  }

  /** Puts the previous fragment back (or none) and leaves the outcome for the next start to report. */
  rollBack(reason: string): ConfigApplyOutcome | undefined {
    const p = this.pending();
    if (!p) return undefined;
    if (p.previous) this.writeFragment(p.previous);
    else rmSync(fragmentPath(this.storageDir), { force: true });
    const outcome: ConfigApplyOutcome = { kind: "rolled-back", id: p.id, version: p.version, reason };
    writeFileDurably(this.outcomePath(), JSON.stringify(outcome));
    rmSync(this.pendingPath(), { force: true });
    return outcome;
  }

  /** A rollback decided before the last restart, to report once. */
  takeReportedOutcome(): ConfigApplyOutcome | undefined {
    try {
      const o = JSON.parse(readFileSync(this.outcomePath(), "utf8")) as ConfigApplyOutcome;
      rmSync(this.outcomePath(), { force: true });
      return o;
    } catch {
      return undefined;
    }
  }

  private currentOrNull(): StoredFragment | null {
    try {
      return readFragment(this.storageDir) ?? null;
    } catch {
      return null;
    }
  }

  private pending(): Pending | undefined {
    try {
      return JSON.parse(readFileSync(this.pendingPath(), "utf8")) as Pending;
    } catch {
      return undefined;
    }
  }

  private writePending(p: Pending): void {
    writeFileDurably(this.pendingPath(), JSON.stringify(p));
  }

  private writeFragment(f: StoredFragment): void {
    const text = `# Written by station-agent from the NOC's config-apply. The local config file always wins.\n${stringify(f)}`;
    writeFileDurably(fragmentPath(this.storageDir), text);
  }

  private pendingPath(): string {
    return join(this.dir, "pending.json");
  }

  private outcomePath(): string {
    return join(this.dir, "outcome.json");
  }
}
