// @needs mosquitto socat
/**
 * `station-agent booking` in Hindi (issue 18): the real CLI process answering the real agent's prompts
 * finger by finger, the scanner an R30x emulator. A blank glass first (a retake, its reason in Hindi),
 * then two good prints, a finger that cannot be printed, an amputated one, and "stop for now"; then
 * show and the abandon confirmation. Snapshot of what the operator reads, and no English left in it.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/agent-process.js";
import { BookingStation } from "../support/booking-station.js";
import { englishLeftovers } from "../support/hindi-words.js";

let station: BookingStation;
beforeAll(async () => {
  station = await new BookingStation().start();
}, 120_000);
afterAll(async () => {
  await station?.stop();
});

const PROMPT = "Enter दबाएँ";

/** Runs the CLI; `answer(n)` gives the reply to the n-th finger prompt (after it may change the glass). */
function cli(
  args: string[],
  answer: (n: number) => string = () => "",
  stdin = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "agent/cli.ts"), ...args, "--config", station.agent.configPath],
      { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    let prompts = 0;
    p.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const seen = stdout.split(PROMPT).length - 1;
      while (prompts < seen) p.stdin.write(`${answer(prompts++)}\n`);
    });
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("exit", (code) => done({ code, stdout, stderr }));
    if (stdin) p.stdin.end(stdin);
  });
}

const BLANK = { width: 256, height: 288, pixels: new Uint8Array(256 * 288).fill(235) };
const stable = (s: string) =>
  s
    .replace(/bk-[0-9a-f]{20}/g, "bk-<id>")
    .replace(/\d+\/100/g, "<q>/100")
    .replace(/\d\d:\d\d/g, "<hh:mm>");

describe("booking in Hindi", () => {
  it("prompts finger by finger in Hindi, with quality reasons, marks and stop", async () => {
    const glass = station.emulator.emulator;
    const start = await cli(
      [
        "booking",
        "start",
        "--lang",
        "hi",
        "--name",
        "रामेश्वर",
        "--fir",
        "FIR-12/2026",
        "--sex",
        "male",
      ].concat(["--age", "34", "--officer", "SI Sharma 1123"]),
      (n) => {
        if (n === 0) glass.setImage(BLANK);
        if (n === 1) glass.setImage(station.fingers[0]!);
        if (n === 2) glass.setImage(station.fingers[1]!);
        return ["", "", "", "m", "a", "q"][n] ?? "q";
      },
    );
    expect(start.stderr).toBe("");
    expect(start.code).toBe(0);
    const text = stable(start.stdout);
    expect(text).toMatchSnapshot();
    const prompts = [...text.matchAll(/\n(.+) शीशे पर सीधा रखें/g)].map((m) => m[1]);
    expect(prompts).toEqual([
      "दायाँ अँगूठा",
      "दायाँ अँगूठा",
      "दाईं तर्जनी (अँगूठे के पास वाली उँगली)",
      "दाईं मध्यमा (बीच वाली उँगली)",
      "दाईं अनामिका (अँगूठी वाली उँगली)",
      "दाईं कनिष्ठा (छोटी उँगली)",
    ]);
    expect(text).toMatch(/छाप की क्वालिटी <q>\/100: शीशे पर उँगली नहीं है: उँगली स्कैनर पर सीधी रखें। दोबारा लें।/);
    expect(text).toContain("दाईं मध्यमा (बीच वाली उँगली): छाप नहीं आ सकती, दर्ज किया गया।");
    expect(text).toContain("दाईं अनामिका (अँगूठी वाली उँगली): कटी हुई दर्ज की गई।");
    const id = /बुकिंग (bk-[0-9a-f]{20}) शुरू हुई/.exec(start.stdout)![1]!;
    expect(englishLeftovers(start.stdout, [id])).toEqual([]);
    const show = await cli(["booking", "show", id, "--lang", "hi"]);
    expect(show.code).toBe(0);
    expect(stable(show.stdout)).toMatchSnapshot();
    expect(englishLeftovers(show.stdout, [id, "tenprint-flat FIR-12/2026"])).toEqual([]);

    const kept = await cli(["booking", "abandon", id, "--lang", "hi"], undefined, "n\n");
    expect(kept.stdout).toContain(`बुकिंग ${id} और उसकी सारी छापें मिटा दें? यह वापस नहीं होगा। [y/N] नहीं मिटाई।`);
    expect((await station.api("GET", `/v1/bookings/${id}`)).status).toBe(200);
    const gone = await cli(["booking", "abandon", id, "--lang", "hi", "--yes"]);
    expect(gone.stdout).toBe(`बुकिंग ${id} मिटा दी गई।\n`);
    const again = await cli(["booking", "abandon", id, "--lang", "hi", "--yes"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^गड़बड़: ऐसी कोई बुकिंग नहीं है: /);
  }, 180_000);
});
