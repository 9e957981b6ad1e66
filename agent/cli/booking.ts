/**
 * `station-agent booking ...`: arrest booking for stations without CCTNS client integration, and for
 * training. It talks to the running agent's local API (the agent owns the scanner and the sealed spool),
 * so a booking started here can be finished from the CCTNS client and the other way round.
 *   booking start --plan tenprint-flat --name NAME --fir NUMBER --sex male --age 34 --officer "SI ..."
 *   booking list | booking show ID|FILE.an2 | booking seal ID | booking abandon ID
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { DEFAULT_CONFIG_PATH, loadConfig } from "../../config/load.js";
import { decodeTransaction } from "../../drivers/fingerprint/ansi-nist/index.js";
import { callLocalApi, type ApiAnswer } from "../api-client.js";
import { apiSocketPath } from "../local-api.js";
import type { QualityProblem } from "../../drivers/fingerprint/quality-verdict.js";
import type { Position } from "../booking/plan.js";
import type { Progress } from "../booking/progress.js";
import { translator, type Lang, type Translate } from "../i18n/index.js";
import { clockTime } from "../local-time.js";
import { LANG_OPTION, langFor } from "./lang.js";

export interface BookingIo {
  out: (line: string) => void;
  err: (line: string) => void;
  ask: (question: string) => Promise<string>;
  /** The reader's words (--lang, ui.language, LANG). */
  t: Translate;
}

interface ApiTarget {
  socket: string;
  token: string;
}

/** An answer the agent refused, kept with its code so the CLI can say it in the reader's language. */
export class ApiRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function target(configPath: string, t: Translate): ApiTarget {
  const { config } = loadConfig(configPath);
  // Times are said in the station's zone, as `status` does.
  process.env.TZ = config.ledger.timezone;
  const tokenFile = config.api.tokenFile ?? join(resolve(config.storage.dir), "api-token");
  let token: string;
  try {
    token = readFileSync(tokenFile, "utf8").trim();
  } catch (e) {
    throw new Error(t("cli.err.token", { file: tokenFile, code: (e as NodeJS.ErrnoException).code ?? "?" }));
  }
  return { socket: apiSocketPath(config), token };
}

async function call(
  to: ApiTarget,
  t: Translate,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  let answer: ApiAnswer;
  try {
    answer = await callLocalApi(to.socket, {
      method,
      path,
      token: to.token,
      // A capture waits for the finger (up to the scanner's timeout) and then for the image transfer.
      timeoutMs: 120_000,
      ...(body !== undefined ? { body } : {}),
    });
  } catch {
    throw new Error(t("cli.err.agentDown"));
  }
  const json = (typeof answer.body === "object" && answer.body !== null ? answer.body : {}) as Record<
    string,
    unknown
  >;
  if (answer.status < 200 || answer.status > 299) {
    const message = String(json["message"] ?? json["error"] ?? `HTTP ${answer.status}`);
    throw new ApiRefusal(typeof json["error"] === "string" ? json["error"] : "", message);
  }
  return json;
}

const SCANNER_FAULTS = new Set([
  "timeout",
  "garbled",
  "bad-checksum",
  "truncated",
  "module-error",
  "protocol",
]);

/** The agent's refusal in the reader's words: its stable code, not its English message, decides. */
export function refusalWords(t: Translate, e: unknown): string {
  if (!(e instanceof ApiRefusal)) return (e as Error).message;
  const message = e.message;
  switch (e.code) {
    case "no-finger":
      return t("api.no-finger");
    case "no-device":
      return t("api.no-device");
    case "busy":
      return t("api.busy");
    case "aborted":
      return t("api.aborted");
    case "disk-full":
      return t("api.disk-full");
    case "unknown-device":
      return t("api.unknown-device", { message });
    case "not-found":
      return t("api.not-found", { message });
    case "conflict":
      return t("api.conflict", { message });
    case "incomplete":
      return t("api.incomplete", { message });
    case "sealing":
      return t("api.sealing", { message });
    default:
      return SCANNER_FAULTS.has(e.code) ? t("api.scanner-fault") : message;
  }
}

const positionWords = (t: Translate, p: Position) => t(`position.${p}`);

/** When something happened, in station time. */
function when(iso: unknown): string {
  const ms = typeof iso === "string" ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? clockTime(ms, Date.now()) : text(iso);
}

export function registerBookingCommands(program: Command): void {
  const booking = program.command("booking").description("arrest booking: ten prints into one sealed record");
  const configOpt = ["-c, --config <file>", "configuration file", DEFAULT_CONFIG_PATH] as const;
  // One reader for the whole session: a reader per question would drop lines already buffered from a pipe.
  let lines: AsyncIterator<string> | undefined;
  let reader: ReturnType<typeof createInterface> | undefined;
  const io: BookingIo = {
    out: (l) => void process.stdout.write(`${l}\n`),
    err: (l) => void process.stderr.write(`${l}\n`),
    ask: async (q) => {
      reader ??= createInterface({ input: process.stdin, terminal: false });
      lines ??= reader[Symbol.asyncIterator]();
      process.stdout.write(q);
      const r = await lines.next();
      return r.done ? "q" : String(r.value).trim();
    },
    t: translator("en"),
  };
  const guard =
    <A extends unknown[]>(fn: (...a: A) => Promise<void>) =>
    async (...a: A) => {
      const o = a.find((x): x is { config: string; lang?: Lang } => typeof x === "object" && x !== null);
      io.t = translator(langFor(o?.lang, o?.config ?? DEFAULT_CONFIG_PATH));
      try {
        await fn(...a);
      } catch (e) {
        io.err(io.t("cli.error", { message: refusalWords(io.t, e) }));
        process.exitCode = 1;
      } finally {
        reader?.close();
      }
    };
  const command = (spec: string, description: string) =>
    booking
      .command(spec)
      .description(description)
      .option(...configOpt)
      .addOption(LANG_OPTION());

  command("start", "start a booking and take the prints finger by finger")
    .option("--plan <plan>", "tenprint-flat, tenprint-rolled or slaps", "tenprint-flat")
    .requiredOption("--name <name>", "the arrested person's name (Devanagari allowed)")
    .requiredOption("--fir <number>", "CCTNS FIR or arrest number")
    .requiredOption("--sex <sex>", "male, female, transgender or unknown")
    .requiredOption("--officer <text>", "arresting officer: name, rank, belt number")
    .option("--age <years>", "age in years, when the date of birth is not known")
    .option("--dob <YYYY-MM-DD>", "date of birth")
    .option("--name-latin <name>", "the name in Latin letters")
    .option("--father <name>", "father's name")
    .option("--husband <name>", "husband's name")
    .action(guard(async (o: Record<string, string>) => runStart(target(o["config"]!, io.t), o, io)));

  command("list", "open and sealed bookings on this station").action(
    guard(async (o: { config: string }) => {
      const { t } = io;
      const r = await call(target(o.config, t), t, "GET", "/v1/bookings");
      const open = r["open"] as Progress[];
      const sealed = r["sealed"] as Array<Record<string, unknown>>;
      io.out(t("booking.list.open", { count: open.length }));
      for (const p of open)
        io.out(
          t("booking.list.openLine", {
            id: p.id,
            reference: p.reference,
            taken: p.taken,
            total: p.positions.length,
            at: when(p.createdAt),
          }),
        );
      io.out(t("booking.list.sealed", { count: sealed.length }));
      for (const s of sealed) {
        const receipt = s["receipt"] as { at: string } | undefined;
        const lastError = text(s["lastError"]);
        const p = { id: text(s["id"]), tcn: text(s["tcn"]) };
        io.out(
          receipt
            ? t("booking.list.received", { ...p, at: when(receipt.at) })
            : lastError
              ? t("booking.list.waitingWhy", { ...p, at: when(s["sealedAt"]), error: lastError })
              : t("booking.list.waiting", { ...p, at: when(s["sealedAt"]) }),
        );
      }
    }),
  );

  command(
    "show <idOrFile>",
    "a booking's progress, or a summary of an ANSI/NIST-ITL file (no images are shown)",
  ).action(
    guard(async (what: string, o: { config: string }) => {
      if (/^bk-[0-9a-f]{20}$/.test(what)) {
        const r = await call(target(o.config, io.t), io.t, "GET", `/v1/bookings/${what}`);
        if (r["status"] === "open") printProgress(r as unknown as Progress, io);
        else io.out(JSON.stringify(r["sealed"], null, 2));
        return;
      }
      printRecordFile(what, io);
    }),
  );

  command("seal <id>", "seal a finished booking (encrypted to the bureau) and queue it").action(
    guard(async (id: string, o: { config: string }) => {
      const r = await call(target(o.config, io.t), io.t, "POST", `/v1/bookings/${id}/seal`, {});
      const s = r["sealed"] as { tcn: string; bytes: number };
      io.out(io.t("booking.sealedCmd", { tcn: s.tcn, bytes: s.bytes }));
    }),
  );

  command("abandon <id>", "delete an unsealed booking and its prints (asks first unless --yes)")
    .option("-y, --yes", "do not ask")
    .action(
      guard(async (id: string, o: { config: string; yes?: boolean }) => {
        const to = target(o.config, io.t);
        if (!o.yes && !(await io.ask(io.t("booking.abandonAsk", { id }))).toLowerCase().startsWith("y")) {
          io.out(io.t("booking.notDeleted"));
          return;
        }
        await call(to, io.t, "DELETE", `/v1/bookings/${id}`);
        io.out(io.t("booking.deleted", { id }));
      }),
    );
}

export async function runStart(to: ApiTarget, o: Record<string, string>, io: BookingIo): Promise<void> {
  const { t } = io;
  const relative = o["father"] ?? o["husband"];
  const person = {
    reference: o["fir"],
    name: o["name"],
    ...(o["nameLatin"] ? { nameLatin: o["nameLatin"] } : {}),
    sex: o["sex"],
    ...(o["age"] ? { ageYears: Number(o["age"]) } : {}),
    ...(o["dob"] ? { dateOfBirth: o["dob"] } : {}),
    ...(relative ? { relativeName: relative, relation: o["father"] ? "father" : "husband" } : {}),
    arrestingOfficer: o["officer"],
  };
  const started = await call(to, t, "POST", "/v1/bookings", { plan: o["plan"], person });
  const id = String(started["id"]);
  io.out(t("booking.started", { id }));
  let progress = (await call(to, t, "GET", `/v1/bookings/${id}`)) as unknown as Progress;
  while (progress.next) {
    const position = progress.next;
    const finger = positionWords(t, position);
    const answer = await io.ask(t("booking.place", { finger }));
    if (answer === "q") {
      io.out(t("booking.stopped", { id }));
      return;
    }
    if (answer === "m" || answer === "a") {
      const reason = answer === "a" ? "amputated" : "unable-to-print";
      progress = (await call(to, t, "POST", `/v1/bookings/${id}/annotations`, {
        position,
        reason,
      })) as unknown as Progress;
      io.out(t(`booking.marked.${reason}`, { finger }));
      continue;
    }
    try {
      const r = await call(to, t, "POST", `/v1/bookings/${id}/impressions`, { position });
      progress = r["progress"] as Progress;
      io.out(t("booking.quality", { quality: text(r["quality"]), verdict: verdictWords(t, r) }));
    } catch (e) {
      io.err(t("booking.notTaken", { error: refusalWords(t, e) }));
      progress = (await call(to, t, "GET", `/v1/bookings/${id}`)) as unknown as Progress;
    }
  }
  io.out(t("booking.allDone"));
  const seal = await io.ask(t("booking.sealAsk"));
  if (seal.toLowerCase().startsWith("n")) {
    io.out(t("booking.notSealed", { id }));
    return;
  }
  const r = await call(to, t, "POST", `/v1/bookings/${id}/seal`, {});
  const s = r["sealed"] as { tcn: string; bytes: number };
  io.out(t("booking.sealed", { tcn: s.tcn, bytes: s.bytes }));
}

const PROBLEMS = new Set(["no-finger", "partial", "faint", "smudged", "noisy", "unclear"]);

/** The take's verdict: the problem's code says it in the reader's words; the agent's English otherwise. */
function verdictWords(t: Translate, r: Record<string, unknown>): string {
  if (r["accepted"]) return t("booking.verdict.good");
  const problem = text(r["problem"]);
  const reason = PROBLEMS.has(problem) ? t(`quality.${problem as QualityProblem}`) : text(r["reason"]);
  return t(r["flagged"] ? "booking.verdict.flagged" : "booking.verdict.retake", { reason });
}

/** A field of the agent's JSON answer, for a line on the terminal. */
function text(v: unknown): string {
  return typeof v === "string" || typeof v === "number" ? String(v) : "";
}

function printProgress(p: Progress, io: BookingIo): void {
  const { t } = io;
  io.out(t("booking.show.header", { id: p.id, plan: p.plan, reference: p.reference, at: when(p.createdAt) }));
  for (const pos of p.positions) {
    const q = pos.quality !== undefined ? t("booking.show.quality", { quality: pos.quality }) : "";
    const note =
      pos.annotation === "amputated" || pos.annotation === "unable-to-print"
        ? ` (${t(`booking.annotation.${pos.annotation}`)})`
        : pos.annotation
          ? ` (${pos.annotation})`
          : "";
    io.out(`  ${positionWords(t, pos.position).padEnd(44)} ${t(`booking.status.${pos.status}`)}${q}${note}`);
  }
  io.out(
    p.sealable
      ? t("booking.show.ready")
      : t("booking.show.remaining", { list: p.remaining.map((x) => positionWords(t, x)).join(", ") }),
  );
}

/** A record file's technical summary (field codes for the technician): not translated. */
function printRecordFile(file: string, io: BookingIo): void {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 21).toString("latin1") === "age-encryption.org/v1")
    throw new Error(io.t("booking.sealedFile", { file }));
  const tx = decodeTransaction(bytes);
  io.out(`ANSI/NIST-ITL ${tx.edition}, TOT ${tx.header.transactionType}, TCN ${tx.header.controlNumber}`);
  io.out(`  from ${tx.header.originatingAgency} to ${tx.header.destinationAgency}, date ${tx.header.date}`);
  io.out(
    `  Type-2: ${tx.descriptive.fields.length} fields (${tx.descriptive.fields.map((f) => `2.${String(f.tag).padStart(3, "0")}`).join(" ")})`,
  );
  for (const f of tx.fingerprints) {
    const nqm = f.nistQuality?.map((q) => q.score).join(",") ?? "-";
    const amp = f.amputations?.length
      ? ` AMP ${f.amputations.map((a) => `${a.position}:${a.code}`).join(",")}`
      : "";
    io.out(
      `  Type-14 FGP ${f.positions.join(",")} IMP ${f.impression} ${f.width}x${f.height} ${f.compression} ${f.image.length} B NQM ${nqm}${amp}${f.comment ? ` (${f.comment})` : ""}`,
    );
  }
}
