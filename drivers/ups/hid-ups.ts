/**
 * A USB HID Power Device UPS: parse its descriptor, poll its feature reports, listen for its input
 * reports, and hand out one merged reading. It knows nothing of MQTT or the agent.
 */
import { Listeners } from "../transport/byte-stream.js";
import type { HidDeviceInfo, HidReportTransport } from "../transport/hid.js";
import { parseReportDescriptor } from "./report-descriptor.js";
import { UpsLink } from "./ups-link.js";
import { applyQuirks, buildUpsMap, decodeReport, type UpsMap, type UpsReading } from "./ups-map.js";

export interface HidUpsOptions {
  /** Per GET_REPORT; default 2000 ms. */
  requestTimeoutMs?: number;
}

export class HidUps {
  private reading: UpsReading = {};
  private readonly changed = new Listeners<[UpsReading]>();
  private readonly unsubscribe: (() => void)[] = [];

  private constructor(
    readonly info: HidDeviceInfo,
    readonly map: UpsMap,
    private readonly link: UpsLink,
  ) {
    if (!map.pollOnly) {
      this.unsubscribe.push(link.onInput((report) => this.merge(decodeReport(map, "input", report))));
    }
  }

  /** Throws DescriptorError / NotAUpsError for a device that is no UPS we can read. */
  static open(
    info: HidDeviceInfo,
    descriptor: Uint8Array,
    transport: HidReportTransport,
    options: HidUpsOptions = {},
  ): HidUps {
    const map = buildUpsMap(parseReportDescriptor(descriptor), info);
    return new HidUps(info, map, new UpsLink(transport, options.requestTimeoutMs));
  }

  get current(): UpsReading {
    return applyQuirks(this.map, this.reading);
  }

  /** GET every feature report that carries a mapped quantity; a report that fails is skipped. */
  async poll(): Promise<{ reading: UpsReading; failed: { reportId: number; error: string }[] }> {
    const failed: { reportId: number; error: string }[] = [];
    const update: UpsReading = {};
    for (const { reportId, length } of this.map.featureReports) {
      try {
        const report = await this.link.getFeature(reportId, length);
        Object.assign(update, decodeReport(this.map, "feature", report));
      } catch (e) {
        failed.push({ reportId, error: e instanceof Error ? e.message : String(e) });
      }
    }
    this.merge(update);
    return { reading: this.current, failed };
  }

  /** Called with the whole current reading after anything in it changed. */
  onChange(listener: (reading: UpsReading) => void): () => void {
    return this.changed.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.link.onClose(listener);
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    this.changed.clear();
    await this.link.close();
  }

  private merge(update: UpsReading): void {
    let differs = false;
    for (const [k, v] of Object.entries(update) as [keyof UpsReading, number | boolean][]) {
      if (this.reading[k] !== v) differs = true;
      this.reading[k] = v;
    }
    if (differs) this.changed.emit(this.current);
  }
}
