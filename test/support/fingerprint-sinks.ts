/** Recording fakes of the agent ports a fingerprint service publishes through. */
import pino from "pino";
import { vi } from "vitest";
import type { Clock, EventSink, RetainedSink } from "../../agent/ports.js";
import type { DeviceState } from "../../contract/index.js";

export class RecordingSinks implements EventSink, RetainedSink {
  readonly events: Array<{ type: string; data: Record<string, unknown> }> = [];
  readonly devices: DeviceState[] = [];
  event(type: string, data: Record<string, unknown>): void {
    this.events.push({ type, data });
  }
  device(_id: string, state: DeviceState): void {
    this.devices.push(state);
  }
  link(): void {}
  power(): void {}

  latest(id: string): DeviceState | undefined {
    return this.devices.filter((d) => d.device === id).at(-1);
  }

  waitFor(id: string, health: DeviceState["health"], timeoutMs = 10_000): Promise<DeviceState> {
    return vi.waitFor(
      () => {
        const state = this.latest(id);
        if (state?.health !== health)
          throw new Error(
            `device ${id} did not become ${health} (last: ${state?.health} ${state?.reason ?? ""})`,
          );
        return state;
      },
      { timeout: timeoutMs, interval: 20 },
    );
  }
}

export const realClock: Clock = { now: () => Date.now(), synced: () => true };

/** A logger whose lines are kept, so tests can check that no image bytes are ever logged. */
export function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/** "Class: message", so a failed assertion shows which error it really was. */
export function describeError(error: unknown): string {
  return error instanceof Error
    ? `${error.constructor.name}: ${error.message}`
    : `not an error: ${String(error)}`;
}
