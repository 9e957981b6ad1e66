/** Recording fakes of the agent ports a fingerprint service publishes through. */
import pino from "pino";
import { vi } from "vitest";
import type { Clock, EventSink } from "../../agent/ports.js";
import type { EventData, EventType } from "../../contract/events.js";
import { RecordingEvents, RecordingRetained } from "./recording-sinks.js";
import type { DeviceState } from "../../contract/index.js";

/** The recording sinks of test/support/recording-sinks.ts, with a wait for a device's health. */
export class RecordingSinks extends RecordingRetained implements EventSink {
  private readonly recorded = new RecordingEvents();
  get events(): RecordingEvents["events"] {
    return this.recorded.events;
  }
  event<K extends EventType>(type: K, data: EventData[K], observedAt?: number): void {
    this.recorded.event(type, data, observedAt);
  }

  latest(id: string): DeviceState | undefined {
    return this.lastDevice(id);
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
