/**
 * The UPS service against a fake HID backend that serves the APC Back-UPS ES 850G2's real descriptor
 * and the report bytes NUT logged for it (NUT issue #1304). On-battery reports are that unit's
 * published reports with the PresentStatus bits set at the offsets NUT printed for it
 * (Charging 0, Discharging 1, ACPresent 2, BatteryPresent 3, BelowRemainingCapacityLimit 4,
 * ShutdownImminent 5 in report 0x16) and RemainingCapacity/RunTimeToEmpty in report 0x0c.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { UpsDeviceConfig } from "../../config/devices.js";
import { PowerState } from "../../contract/power.js";
import { UpsService } from "../../agent/devices/ups-service.js";
import { explainHidError, loadHidBackend, type NodeHidModule } from "../../drivers/transport/hid.js";
import { APC_ES_850G2, EATON_3S_700 } from "../fixtures/ups/index.js";
import { FakeHidBackend, FakeUpsDevice } from "../support/fake-hid.js";
import { ManualClock, RecordingEvents, RecordingRetained } from "../support/recording-sinks.js";

const APC_ONLINE = ["0c 64 64 03", "16 0c 00 00 00", "25 b0 04", "26 3f 05", "31 e4 00"];

function apcDevice(): FakeUpsDevice {
  return new FakeUpsDevice(
    {
      path: "/dev/hidraw0",
      vendorId: 0x051d,
      productId: 0x0002,
      serialNumber: "5B2109T81980",
      product: "Back-UPS ES 850G2",
    },
    APC_ES_850G2.descriptor,
    APC_ONLINE,
  );
}

const services: UpsService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
});

function setup(device: FakeUpsDevice, config: Record<string, unknown> = {}) {
  const clock = new ManualClock();
  const events = new RecordingEvents();
  const retained = new RecordingRetained();
  const backend = new FakeHidBackend([device]);
  const service = new UpsService({
    station: "MH-PUN-0042",
    config: UpsDeviceConfig.parse({ id: "ups1", kind: "ups", ...config }),
    clock,
    events,
    retained,
    loadBackend: async () => ({ available: true, backend }),
    retryMinMs: 20,
    retryMaxMs: 40,
  });
  services.push(service);
  return { clock, events, retained, backend, service };
}

describe("UPS power state transitions (APC Back-UPS ES 850G2, real descriptor)", () => {
  it("mains lost -> battery low -> restored, with events, retained power and time on battery", async () => {
    const device = apcDevice();
    const { clock, events, retained, service } = setup(device);
    await service.start();

    expect(service.current()).toMatchObject({
      state: "online",
      source: "mains",
      mainsPresent: true,
      batteryPct: 100,
      runtimeS: 868,
    });
    expect(service.states()[0]).toMatchObject({
      health: "ready",
      identity: {
        vendorId: "051d",
        productId: "0002",
        serialNumber: "5B2109T81980",
        model: "APC Back-UPS ES 850G2",
      },
      status: { power: "online", batteryVoltage: 13.4, inputVoltage: 228 },
    });
    expect(events.types("power.")).toEqual([]);

    clock.advance(60_000);
    device.sendInput("16 0a 00 00 00"); // ACPresent 0, Discharging 1, BatteryPresent 1
    expect(events.types("power.")).toEqual(["power.mains-lost"]);
    expect(service.current()).toMatchObject({ state: "on-battery", source: "battery", mainsPresent: false });

    clock.advance(10 * 60_000);
    device.sendInput("0c 1e 2c 01"); // 30 %, 300 s
    expect(service.current()).toMatchObject({ state: "on-battery", batteryPct: 30, runtimeS: 300 });
    device.sendInput("16 1a 00 00 00"); // + BelowRemainingCapacityLimit
    device.sendInput("0c 0a 78 00"); // 10 %, 120 s
    expect(events.types("power.")).toEqual(["power.mains-lost", "power.battery-low"]);
    expect(service.current()).toMatchObject({ state: "battery-low", batteryPct: 10, runtimeS: 120 });

    clock.advance(5 * 60_000);
    device.sendInput("16 0d 00 00 00"); // ACPresent 1, Charging 1
    expect(events.types("power.")).toEqual(["power.mains-lost", "power.battery-low", "power.mains-restored"]);
    const restored = events.events.find((e) => e.type === "power.mains-restored")!;
    expect(restored.data).toMatchObject({ onBatteryS: 15 * 60, batteryPct: 10 });
    expect(service.current()).toMatchObject({ state: "online", mainsPresent: true });
    expect(service.onBatteryMs(0, clock.now())).toBe(15 * 60_000);
    // Only the part of the battery interval inside a window counts.
    expect(service.onBatteryMs(clock.now() - 5 * 60_000, clock.now())).toBe(5 * 60_000);

    // Every retained power state is valid against the contract, and the states went in order.
    for (const p of retained.powers) expect(PowerState.safeParse(p).success).toBe(true);
    const states = retained.powers.map((p) => p.state).filter((s, k, a) => s !== a[k - 1]);
    expect(states).toEqual(["online", "on-battery", "battery-low", "online"]);
    const lost = events.events.find((e) => e.type === "power.mains-lost")!;
    expect(lost.observedAt).toBe(Date.parse("2026-03-01T10:01:00Z"));
  });

  it("reports shutdown imminent once, and battery-low from a configured threshold", async () => {
    const device = apcDevice();
    const { events, service } = setup(device, { lowBatteryPct: 25 });
    await service.start();
    device.sendInput("16 0a 00 00 00");
    device.sendInput("0c 14 58 02"); // 20 % is at or below the configured 25 %
    expect(service.current()?.state).toBe("battery-low");
    device.sendInput("16 3a 00 00 00"); // + ShutdownImminent
    device.sendInput("16 3a 00 00 00");
    expect(events.types("power.")).toEqual([
      "power.mains-lost",
      "power.battery-low",
      "power.shutdown-imminent",
    ]);
    expect(service.current()?.state).toBe("shutdown-imminent");
  });

  it("reads a unit by polling feature reports too (Eaton 3S 700, 32-bit runtime)", async () => {
    const device = new FakeUpsDevice(
      { path: "/dev/hidraw3", vendorId: 0x0463, productId: 0xffff },
      EATON_3S_700.descriptor,
      ["01 25 00 00", "06 5c b1 0a 00 00", "0e e6 00"],
    );
    const { events, service } = setup(device, { pollMs: 500 });
    await service.start();
    expect(service.current()).toMatchObject({ state: "online", batteryPct: 92, runtimeS: 2737 });
    // ACPresent (bit 0) cleared, Discharging (bit 4) set, in the feature report only: no input report.
    device.setFeature("01 30 00 00");
    await vi.waitFor(() => expect(service.current()?.state).toBe("on-battery"), {
      timeout: 5000,
      interval: 50,
    });
    expect(events.types("power.")).toEqual(["power.mains-lost"]);
  });

  it("an unplugged UPS becomes unavailable, and comes back when plugged in again", async () => {
    const device = apcDevice();
    const { backend, service, retained } = setup(device);
    await service.start();
    backend.devices.splice(0);
    device.unplug();
    expect(service.current()).toMatchObject({ state: "unavailable", mainsPresent: null });
    expect(service.current()?.reason).toMatch(/disconnected/);
    expect(service.states()[0]?.health).toBe("absent");
    backend.devices.push(device);
    await vi.waitFor(() => expect(service.current()?.state).toBe("online"), { timeout: 5000, interval: 20 });
    expect(retained.powers.at(-1)?.state).toBe("online");
  });

  it("a UPS that stops answering feature reports is faulted and reconnected", async () => {
    const device = apcDevice();
    const { service } = setup(device, { pollMs: 500 });
    await service.start();
    for (const id of [0x0c, 0x16, 0x25, 0x26, 0x31]) device.failing.add(id);
    await vi.waitFor(() => expect(service.states()[0]?.health).toBe("faulted"), {
      timeout: 8000,
      interval: 50,
    });
    expect(service.current()).toMatchObject({
      state: "unavailable",
      reason: expect.stringMatching(/stopped answering|does not answer/),
    });
    device.failing.clear();
    await vi.waitFor(() => expect(service.current()?.state).toBe("online"), { timeout: 5000, interval: 20 });
  });

  it("a device whose descriptor is not a UPS is faulted, not a crash", async () => {
    const keyboard = new FakeUpsDevice(
      { path: "/dev/hidraw9", vendorId: 0x051d, productId: 0x0002 },
      Buffer.from("05010906a101050719e029e715002501750195088102c0", "hex"),
    );
    const { service } = setup(keyboard);
    await service.start();
    expect(service.states()[0]).toMatchObject({ health: "faulted" });
    expect(service.current()?.reason).toMatch(/no UPS power fields/);
  });
});

describe("node-hid that cannot load makes the UPS unavailable, never a crash", () => {
  // The exact text Node prints when dlopen of node-hid's prebuild misses libusb (verified on this
  // kind of machine without libusb-1.0-0, see ../shared/protocols.md §4.1).
  const LIBUSB_MISSING = "libusb-1.0.so.0: cannot open shared object file: No such file or directory";

  it("first enumeration fails with the missing libusb", async () => {
    const loader = async (): Promise<NodeHidModule> => ({
      devicesAsync: () => Promise.reject(new Error(LIBUSB_MISSING)),
      HIDAsync: { open: () => Promise.reject(new Error("not reached")) },
    });
    const loaded = await loadHidBackend({ loader });
    expect(loaded).toMatchObject({ available: false, reason: "the libusb library is missing" });
    expect(loaded.available ? "" : loaded.fix).toMatch(/apt-get install libusb-1.0-0/);

    const clock = new ManualClock();
    const retained = new RecordingRetained();
    const events = new RecordingEvents();
    const service = new UpsService({
      station: "MH-PUN-0042",
      config: UpsDeviceConfig.parse({ id: "ups1", kind: "ups" }),
      clock,
      events,
      retained,
      loadBackend: () => loadHidBackend({ loader }),
      retryMinMs: 60_000,
    });
    services.push(service);
    await expect(service.start()).resolves.toBeUndefined();
    expect(service.current()).toMatchObject({ state: "unavailable", source: "unknown", mainsPresent: null });
    expect(service.current()?.reason).toBe("UPS unavailable: the libusb library is missing");
    expect(service.availability()).toMatchObject({
      phase: "unavailable",
      fix: expect.stringMatching(/libusb-1.0-0/),
    });
    expect(service.states()[0]).toMatchObject({ health: "unavailable" });
    expect(PowerState.safeParse(retained.powers.at(-1)).success).toBe(true);
    expect(events.types("power.")).toEqual([]);
  });

  it("the import itself throws (libudev missing, no module) and is explained", async () => {
    const udev = await loadHidBackend({
      loader: () =>
        Promise.reject(new Error("libudev.so.1: cannot open shared object file: No such file or directory")),
    });
    expect(udev).toMatchObject({ available: false, reason: "the libudev library is missing" });
    const missing = Object.assign(new Error("Cannot find package 'node-hid' imported from /opt/x.js"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    expect(explainHidError(missing).reason).toBe("node-hid is not installed");
    expect(explainHidError(Object.assign(new Error("EACCES"), { code: "EACCES" })).reason).toMatch(
      /permission/,
    );
  });

  it("the real node-hid on this machine loads lazily and enumerates (no hidraw here)", async () => {
    const loaded = await loadHidBackend();
    expect(loaded.available).toBe(true);
    if (loaded.available) expect(Array.isArray(await loaded.backend.list())).toBe(true);
  });
});
