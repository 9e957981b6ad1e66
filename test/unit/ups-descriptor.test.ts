import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { readLogical, toPhysical } from "../../drivers/ups/field-value.js";
import { formatPath, parsePath } from "../../drivers/ups/hid-usages.js";
import { DescriptorError, parseReportDescriptor } from "../../drivers/ups/report-descriptor.js";
import { buildUpsMap, decodeReport, NotAUpsError } from "../../drivers/ups/ups-map.js";
import { quirksFor } from "../../drivers/ups/vendor-quirks.js";
import { APC_RS_1000G, CYBERPOWER_EC850LCD, NUT_FIXTURES } from "../fixtures/ups/index.js";

const bytes = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("report descriptor parser against NUT's own decoding of real UPSes", () => {
  for (const fx of NUT_FIXTURES) {
    describe(`${fx.vendor} ${fx.model}`, () => {
      const desc = parseReportDescriptor(fx.descriptor);
      const names = quirksFor(fx.vendorId)?.usageNames;

      it("is the published descriptor (length as stated by the device)", () => {
        expect(fx.descriptor.length).toBe(fx.statedLength);
        expect(desc.usesReportIds).toBe(true);
      });

      for (const item of fx.nut) {
        it(`${item.type} 0x${item.reportId.toString(16)} @${item.offset}: ${item.path} = ${item.value}`, () => {
          const field = desc.fields.find(
            (f) => f.type === item.type && f.reportId === item.reportId && f.bitOffset === item.offset,
          );
          expect(field, "a field at NUT's report id and offset").toBeDefined();
          expect(field!.bitSize).toBe(item.size);
          const usages = parsePath(item.path, names);
          if (usages) expect(formatPath(field!.path, names)).toBe(item.path);
          const logical = readLogical(bytes(item.report), field!, true);
          expect(logical).toBeDefined();
          // NUT prints scaled values rounded in some builds (13.43 V as 13); compare at its precision.
          expect(toPhysical(field!, logical!)).toBeCloseTo(item.value, Number.isInteger(item.value) ? 0 : 2);
        });
      }

      it("maps the power quantities by usage path", () => {
        const map = buildUpsMap(desc, fx);
        for (const q of [
          "remainingCapacityPct",
          "runtimeS",
          "acPresent",
          "charging",
          "discharging",
        ] as const) {
          expect(map.quantities[q], q).toBeDefined();
        }
        expect(map.quantities.belowRemainingCapacityLimit).toBeDefined();
      });
    });
  }

  it("reads the same quantities from three vendors' reports at three different report ids", () => {
    const [apc, cps, eaton] = NUT_FIXTURES;
    const read = (fx: (typeof NUT_FIXTURES)[number], report: string) =>
      decodeReport(buildUpsMap(parseReportDescriptor(fx.descriptor), fx), "input", bytes(report));
    expect(read(apc!, "0c 64 64 03")).toEqual({ remainingCapacityPct: 100, runtimeS: 868 });
    expect(read(cps!, "08 64 27 09 2c 01")).toEqual({ remainingCapacityPct: 100, runtimeS: 2343 });
    expect(read(eaton!, "06 5c b1 0a 00 00")).toEqual({ remainingCapacityPct: 92, runtimeS: 2737 });
    expect(read(apc!, "16 0c 00 00 00")).toMatchObject({
      acPresent: true,
      charging: false,
      discharging: false,
    });
    expect(read(cps!, "0b 11")).toMatchObject({ acPresent: true, charging: false, discharging: false });
    expect(read(eaton!, "01 25 00 00")).toMatchObject({
      acPresent: true,
      charging: true,
      shutdownImminent: false,
    });
  });

  it("reads voltages with the descriptor's unit exponent (APC 10^-2, CyberPower 10^-1)", () => {
    const [apc, cps] = NUT_FIXTURES;
    const apcMap = buildUpsMap(parseReportDescriptor(apc!.descriptor), apc);
    expect(apcMap.quantities.batteryVoltage?.path).toBe("UPS.Battery.Voltage");
    expect(decodeReport(apcMap, "feature", bytes("26 3f 05")).batteryVoltage).toBeCloseTo(13.43, 2);
    expect(decodeReport(apcMap, "feature", bytes("31 e4 00")).inputVoltage).toBe(228);
    const cpsMap = buildUpsMap(parseReportDescriptor(cps!.descriptor), cps);
    expect(decodeReport(cpsMap, "feature", bytes("0a 0e 01")).batteryVoltage).toBeCloseTo(27.0, 5);
  });
});

describe("captures from real units published with a hash", () => {
  for (const cap of [APC_RS_1000G, CYBERPOWER_EC850LCD]) {
    it(`${cap.name}: bytes match the published SHA-256 and parse to a readable UPS`, () => {
      expect(cap.descriptor.length).toBe(cap.statedLength);
      expect(createHash("sha256").update(cap.descriptor).digest("hex").slice(0, 16)).toBe(cap.sha256Prefix);
      const map = buildUpsMap(parseReportDescriptor(cap.descriptor), cap);
      expect(map.quantities.remainingCapacityPct?.input).toBeDefined();
      expect(map.quantities.acPresent).toBeDefined();
      expect(map.featureReports.length).toBeGreaterThan(2);
    });
  }
});

describe("bad descriptors are refused with a reason", () => {
  it("rejects a truncated item", () => {
    expect(() => parseReportDescriptor(bytes("05 84 09 04 a1 01 27 ff"))).toThrow(DescriptorError);
  });
  it("rejects unbalanced collections", () => {
    expect(() => parseReportDescriptor(bytes("05 84 09 04 a1 01"))).toThrow(/collection not closed/);
    expect(() => parseReportDescriptor(bytes("c0"))).toThrow(/End Collection without Collection/);
  });
  it("says a keyboard is not a UPS", () => {
    const keyboard = bytes("05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02 c0");
    expect(() => buildUpsMap(parseReportDescriptor(keyboard))).toThrow(NotAUpsError);
  });
  it("never reads past a short report", () => {
    const [apc] = NUT_FIXTURES;
    const map = buildUpsMap(parseReportDescriptor(apc!.descriptor), apc);
    expect(decodeReport(map, "input", bytes("0c 64"))).toEqual({ remainingCapacityPct: 100 });
    expect(decodeReport(map, "input", bytes(""))).toEqual({});
  });
  it("terminates on arbitrary bytes", () => {
    for (let seed = 1; seed < 300; seed++) {
      const junk = Buffer.from(Array.from({ length: 96 }, (_, k) => (k * seed * 31 + seed) & 0xff));
      try {
        parseReportDescriptor(junk);
      } catch (e) {
        expect(e).toBeInstanceOf(DescriptorError);
      }
    }
  });
});
