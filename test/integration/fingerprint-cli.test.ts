// @needs socat
/** `station-agent fingerprint capture` against the emulator on a socat pty. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import {
  EXIT,
  parseOptions,
  registerFingerprintCommands,
  runFingerprintCapture,
} from "../../agent/cli/fingerprint.js";
import { R30xPtyEmulator } from "../../drivers/fingerprint/emulator/pty-emulator.js";
import { decodeGrayPng } from "../../drivers/fingerprint/png.js";
import { decodeFingerImageRecord } from "../../drivers/fingerprint/iso19794-4.js";

let dir: string;
let emu: R30xPtyEmulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "fingerprint-cli-"));
  emu = await R30xPtyEmulator.start({ dir, name: "cli" });
});
afterAll(async () => {
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (l: string) => void out.push(l), stderr: (l: string) => void err.push(l) },
  };
}

const options = (over: Record<string, string> = {}) => {
  const parsed = parseOptions({
    port: emu.hostPath,
    baud: "57600",
    timeout: "2",
    out: join(dir, "f.png"),
    finger: "unknown",
    model: "r30x",
    ...over,
  });
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
};

describe("fingerprint capture CLI", () => {
  it("writes the PNG and ISO (owner-only) and prints quality and time", async () => {
    const t = io();
    const code = await runFingerprintCapture(
      options({ iso: join(dir, "f.iso"), finger: "right-thumb" }),
      t.io,
    );
    expect(code).toBe(EXIT.ok);
    const png = decodeGrayPng(readFileSync(join(dir, "f.png")));
    expect(Buffer.from(png.pixels).equals(Buffer.from(emu.emulator.lastUploadedImage!.pixels))).toBe(true);
    expect(decodeFingerImageRecord(readFileSync(join(dir, "f.iso"))).fingerPosition).toBe(1);
    expect(statSync(join(dir, "f.png")).mode & 0o777).toBe(0o600);
    expect(t.out.join("\n")).toMatch(/^quality \d+\/100 .*not NFIQ/m);
    expect(t.out.join("\n")).toMatch(/^(accepted|retake): .+ \(about NFIQ [1-5]\)$/m);
    expect(t.out.join("\n")).toMatch(/^time \d+\.\d\d s \(finger .* image transfer .*\)/m);
  });

  it("replaces an existing 0644 file and a planted symlink instead of following them (issue 14)", async () => {
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "someone else's file\n");
    chmodSync(victim, 0o644);
    const link = join(dir, "trap.png");
    symlinkSync(victim, link);
    const old = join(dir, "old.iso");
    writeFileSync(old, "old");
    chmodSync(old, 0o644);
    const t = io();
    expect(await runFingerprintCapture(options({ out: link, iso: old, finger: "left-index" }), t.io)).toBe(
      EXIT.ok,
    );
    expect(readFileSync(victim, "utf8")).toBe("someone else's file\n");
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    for (const f of [link, old]) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(decodeFingerImageRecord(readFileSync(old)).fingerPosition).toBe(7);
  });

  it("exits 3 with a clear message when no finger comes", async () => {
    emu.emulator.noFinger(1_000_000);
    const t = io();
    expect(await runFingerprintCapture(options({ timeout: "1", out: join(dir, "none.png") }), t.io)).toBe(
      EXIT.noFinger,
    );
    emu.emulator.noFinger(0);
    expect(t.err.join("\n")).toMatch(/no finger on the scanner within 1\.\d s\. Press the finger flat/);
    expect(existsSync(join(dir, "none.png"))).toBe(false);
  });

  it("exits 4 when the port is not there", async () => {
    const t = io();
    expect(await runFingerprintCapture(options({ port: join(dir, "missing") }), t.io)).toBe(EXIT.noDevice);
    expect(t.err.join("\n")).toMatch(/^no scanner connected at .*missing\. Plug its USB cable in/m);
    expect(t.err.join("\n")).toMatch(/^ {2}\(.*missing is not there/m);
  });

  it("exits 5 on a protocol error, hinting at the baud rate", async () => {
    emu.emulator.injectFault({ kind: "wrong-baud", baud: 115200 });
    const t = io();
    expect(await runFingerprintCapture(options(), t.io)).toBe(EXIT.protocol);
    emu.emulator.clearFaults();
    expect(t.err.join("\n")).toMatch(
      /^the scanner does not answer properly \(timeout\)\..* 57600 baud \(--baud\)/m,
    );
    expect(t.err.join("\n")).toMatch(/no reply to VfyPwd at 57600 baud/);
  });

  it("rejects bad option values before touching the port", () => {
    expect(parseOptions({ port: "/x", out: "o.png", baud: "56000", timeout: "15" })).toMatch(/--baud/);
    expect(parseOptions({ port: "/x", out: "o.png", baud: "57600", timeout: "0" })).toMatch(/--timeout/);
    expect(parseOptions({ port: "/x", out: "o.png", baud: "57600", timeout: "15", finger: "toe" })).toMatch(
      /--finger/,
    );
  });

  it("is wired into commander as `fingerprint capture`", async () => {
    const program = new Command().exitOverride();
    registerFingerprintCommands(program);
    const out = join(dir, "cmd.png");
    const previous = process.exitCode;
    try {
      await program.parseAsync(
        ["fingerprint", "capture", "--port", emu.hostPath, "--timeout", "2", "--out", out],
        { from: "user" },
      );
      expect(process.exitCode ?? 0).toBe(0);
    } finally {
      process.exitCode = previous;
    }
    expect(decodeGrayPng(readFileSync(out)).width).toBe(256);
    const strict = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    registerFingerprintCommands(strict);
    await expect(
      strict.parseAsync(["fingerprint", "capture", "--out", out], { from: "user" }),
    ).rejects.toThrow(/--port/);
  });
});
