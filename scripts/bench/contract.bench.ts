// What checking each event's data against its type's schema costs the NOC: validateMessage on a mix of
// every event type (the docs' examples), against the envelope-only check it replaced, in the same run.
import { EventPayload, type EventType } from "../../contract/index.js";
import { validateMessage } from "../../noc/validate.js";
import { EVENT_DOCS } from "../mqtt-docs/events.js";
import type { BenchResult } from "./types.js";

const N = 200_000;
/** The NOC's budget: 2,000 msg/s; if every one were an event, the check may take 10 % of a core. */
const BUDGET_US = 50;

function perEvent(payloads: Buffer[], fn: (b: Buffer) => unknown): number {
  for (let i = 0; i < 20_000; i++) fn(payloads[i % payloads.length]!);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn(payloads[i % payloads.length]!);
  return ((performance.now() - t0) * 1000) / N;
}

export async function run(): Promise<BenchResult[]> {
  const types = Object.keys(EVENT_DOCS) as EventType[];
  const payloads = types.map((type, i) =>
    Buffer.from(
      JSON.stringify({
        station: "PS1",
        seq: i + 1,
        time: "2026-03-10T09:41:27.512Z",
        clockSynced: true,
        type,
        data: EVENT_DOCS[type].example,
      }),
    ),
  );
  const envelope = (b: Buffer) => EventPayload.safeParse(JSON.parse(b.toString("utf8")));
  const full = (b: Buffer) => validateMessage("cctns/state", "cctns/state/PS1/event", b);
  // Interleaved, so that a busy neighbour on the machine slows both alike.
  const before = [perEvent(payloads, envelope)];
  const now = [perEvent(payloads, full)];
  before.push(perEvent(payloads, envelope));
  now.push(perEvent(payloads, full));
  const b = Math.min(...before);
  const v = Math.min(...now);
  return [
    {
      name: "noc.event_validation",
      value: Math.round(v * 100) / 100,
      unit: "µs/event",
      baseline: { name: "JSON + envelope only", value: Math.round(b * 100) / 100 },
      ratio: v / b,
      target: `< ${BUDGET_US} µs`,
      pass: v < BUDGET_US,
    },
  ];
}
