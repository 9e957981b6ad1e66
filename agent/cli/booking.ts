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
import { describePosition, type Position } from "../booking/plan.js";
import type { Progress } from "../booking/progress.js";

export interface BookingIo {
  out: (line: string) => void;
  err: (line: string) => void;
  ask: (question: string) => Promise<string>;
}

interface ApiTarget {
  socket: string;
  token: string;
}

function target(configPath: string): ApiTarget {
  const { config } = loadConfig(configPath);
  const tokenFile = config.api.tokenFile ?? join(resolve(config.storage.dir), "api-token");
  let token: string;
  try {
    token = readFileSync(tokenFile, "utf8").trim();
  } catch (e) {
    throw new Error(
      `cannot read the API token ${tokenFile} (${(e as NodeJS.ErrnoException).code}); run as root or in the station-agent group`,
    );
  }
  return { socket: apiSocketPath(config), token };
}

async function call(
  t: ApiTarget,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  let answer: ApiAnswer;
  try {
    answer = await callLocalApi(t.socket, {
      method,
      path,
      token: t.token,
      // A capture waits for the finger (up to the scanner's timeout) and then for the image transfer.
      timeoutMs: 120_000,
      ...(body !== undefined ? { body } : {}),
    });
  } catch {
    throw new Error("the station agent is not running (start it with: systemctl start station-agent)");
  }
  const json = (typeof answer.body === "object" && answer.body !== null ? answer.body : {}) as Record<
    string,
    unknown
  >;
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(String(json["message"] ?? json["error"] ?? `HTTP ${answer.status}`));
  }
  return json;
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
  };
  const guard =
    <A extends unknown[]>(fn: (...a: A) => Promise<void>) =>
    async (...a: A) => {
      try {
        await fn(...a);
      } catch (e) {
        io.err(`error: ${(e as Error).message}`);
        process.exitCode = 1;
      } finally {
        reader?.close();
      }
    };

  booking
    .command("start")
    .description("start a booking and take the prints finger by finger")
    .option(...configOpt)
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
    .action(guard(async (o: Record<string, string>) => runStart(target(o["config"]!), o, io)));

  booking
    .command("list")
    .description("open and sealed bookings on this station")
    .option(...configOpt)
    .action(
      guard(async (o: { config: string }) => {
        const r = await call(target(o.config), "GET", "/v1/bookings");
        const open = r["open"] as Progress[];
        const sealed = r["sealed"] as Array<Record<string, unknown>>;
        io.out(`Open bookings: ${open.length}`);
        for (const p of open)
          io.out(`  ${p.id}  ${p.reference}  ${p.taken}/${p.positions.length} taken  started ${p.createdAt}`);
        io.out(`Sealed bookings: ${sealed.length}`);
        for (const s of sealed) {
          const receipt = s["receipt"] as { at: string } | undefined;
          const lastError = text(s["lastError"]);
          io.out(
            `  ${text(s["id"])}  TCN ${text(s["tcn"])}  ${receipt ? `received ${receipt.at}` : `waiting since ${text(s["sealedAt"])}${lastError ? ` (last try: ${lastError})` : ""}`}`,
          );
        }
      }),
    );

  booking
    .command("show <idOrFile>")
    .description("a booking's progress, or a summary of an ANSI/NIST-ITL file (no images are shown)")
    .option(...configOpt)
    .action(
      guard(async (what: string, o: { config: string }) => {
        if (/^bk-[0-9a-f]{20}$/.test(what)) {
          const r = await call(target(o.config), "GET", `/v1/bookings/${what}`);
          if (r["status"] === "open") printProgress(r as unknown as Progress, io);
          else io.out(JSON.stringify(r["sealed"], null, 2));
          return;
        }
        printRecordFile(what, io);
      }),
    );

  booking
    .command("seal <id>")
    .description("seal a finished booking (encrypted to the bureau) and queue it")
    .option(...configOpt)
    .action(
      guard(async (id: string, o: { config: string }) => {
        const r = await call(target(o.config), "POST", `/v1/bookings/${id}/seal`, {});
        const s = r["sealed"] as { tcn: string; bytes: number };
        io.out(`Sealed. TCN ${s.tcn}, ${s.bytes} bytes, queued for the bureau.`);
      }),
    );

  booking
    .command("abandon <id>")
    .description("delete an unsealed booking and its prints")
    .option(...configOpt)
    .action(
      guard(async (id: string, o: { config: string }) => {
        await call(target(o.config), "DELETE", `/v1/bookings/${id}`);
        io.out(`Booking ${id} deleted.`);
      }),
    );
}

export async function runStart(t: ApiTarget, o: Record<string, string>, io: BookingIo): Promise<void> {
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
  const started = await call(t, "POST", "/v1/bookings", { plan: o["plan"], person });
  const id = String(started["id"]);
  io.out(`Booking ${id} started. Clean the glass before you begin.`);
  let progress = (await call(t, "GET", `/v1/bookings/${id}`)) as unknown as Progress;
  while (progress.next) {
    const position = progress.next;
    const answer = await io.ask(
      `\nPlace the ${describePosition(position)} flat on the glass, then press Enter` +
        ` (m = cannot be printed, a = amputated, q = stop for now): `,
    );
    if (answer === "q") {
      io.out(`Stopped. Continue later with the CCTNS client, or: station-agent booking show ${id}`);
      return;
    }
    if (answer === "m" || answer === "a") {
      progress = (await call(t, "POST", `/v1/bookings/${id}/annotations`, {
        position,
        reason: answer === "a" ? "amputated" : "unable-to-print",
      })) as unknown as Progress;
      io.out(
        `  ${describePosition(position)}: marked ${answer === "a" ? "amputated" : "cannot be printed"}.`,
      );
      continue;
    }
    try {
      const r = await call(t, "POST", `/v1/bookings/${id}/impressions`, { position });
      progress = r["progress"] as Progress;
      io.out(`  quality ${text(r["quality"])}/100: ${verdictWords(r)}`);
    } catch (e) {
      io.err(`  not taken: ${(e as Error).message}`);
      progress = (await call(t, "GET", `/v1/bookings/${id}`)) as unknown as Progress;
    }
  }
  io.out("\nAll positions are done.");
  const seal = await io.ask("Seal the booking now and send it to the bureau? [Y/n] ");
  if (seal.toLowerCase().startsWith("n")) {
    io.out(`Not sealed. Seal it later with: station-agent booking seal ${id}`);
    return;
  }
  const r = await call(t, "POST", `/v1/bookings/${id}/seal`, {});
  const s = r["sealed"] as { tcn: string; bytes: number };
  io.out(`Sealed. TCN ${s.tcn} (${s.bytes} bytes). It goes to the bureau as soon as the link allows.`);
}

function verdictWords(r: Record<string, unknown>): string {
  if (r["accepted"]) return "good.";
  if (r["flagged"]) return `still not clear (${text(r["reason"])}); the best print is kept and marked.`;
  return `${text(r["reason"])}. Take it again.`;
}

/** A field of the agent's JSON answer, for a line on the terminal. */
function text(v: unknown): string {
  return typeof v === "string" || typeof v === "number" ? String(v) : "";
}

function printProgress(p: Progress, io: BookingIo): void {
  io.out(`Booking ${p.id} (${p.plan}), reference ${p.reference}, started ${p.createdAt}`);
  for (const pos of p.positions) {
    const q = pos.quality !== undefined ? ` quality ${pos.quality}` : "";
    io.out(`  ${pos.words.padEnd(44)} ${pos.status}${q}${pos.annotation ? ` (${pos.annotation})` : ""}`);
  }
  io.out(p.sealable ? "Ready to seal." : `Still to take: ${p.remaining.map((x: Position) => x).join(", ")}`);
}

function printRecordFile(file: string, io: BookingIo): void {
  const bytes = readFileSync(file);
  if (bytes.subarray(0, 21).toString("latin1") === "age-encryption.org/v1") {
    throw new Error(
      `${file} is sealed to the bureau; decrypt it first: age -d -i BUREAU_KEY ${file} > record.an2`,
    );
  }
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
