// `npm start`: a station and the state NOC on one PC, with emulated devices, no hardware and no broker.
// The broker, the emulators and station-noc live in this process; the agent runs as a child process, so
// a person can stop it, kill it (-9) and start it again, and watch the station go dark on the dashboard,
// come back, and report its outage. The emulators live here (scripts/) and in drivers/*/emulator, never
// in the agent's own code.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { callLocalApi } from "../agent/api-client.js";
import { EmbeddedBroker } from "../agent/embedded-broker.js";
import { createLogger } from "../agent/log.js";
import { defaultOptions, NocApp } from "../noc/app.js";
import { R30xPtyEmulator } from "../drivers/fingerprint/emulator/pty-emulator.js";
import { serveTcp } from "../drivers/printer/emulator/serve.js";
import { VirtualPrinter } from "../drivers/printer/emulator/virtual-printer.js";
import { DEFAULT_FONTS, firstExisting, TextRasterizer } from "../drivers/printer/text-raster.js";

const root = resolve(import.meta.dirname, "..");
const base = parse(readFileSync(join(root, "config/demo.yaml"), "utf8")) as Record<string, unknown>;
const mqttBase = base.mqtt as { embeddedPort: number; topicRoot: string };
// DEMO_STATE_DIR and DEMO_NOC_PORT let a test run the demo beside a person's own.
const stateDir = resolve(root, process.env.DEMO_STATE_DIR ?? (base.storage as { dir: string }).dir);
mkdirSync(stateDir, { recursive: true });
const show = (p: string) => (p.startsWith(root) ? relative(root, p) : p);
const say = (text: string) => void process.stderr.write(`${text}\n`);

const broker = new EmbeddedBroker(process.env.DEMO_STATE_DIR ? 0 : mqttBase.embeddedPort);
const brokerPort = await broker.start();
const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;

const scanner = await R30xPtyEmulator.start({
  dir: stateDir,
  name: "fingerprint-emulator",
  pace: true,
  genImgDelayMs: 300,
});
const font = await TextRasterizer.load({
  latin: firstExisting(DEFAULT_FONTS.mono) ?? firstExisting(DEFAULT_FONTS.latin),
});
const printer = new VirtualPrinter({ widthDots: 576, font });
const paperPng = join(stateDir, "printer-paper.png");
printer.onOp = (op) => {
  if (op.op === "cut") setImmediate(() => writeFileSync(paperPng, printer.paper.toPng()));
};
const printerServer = await serveTcp(printer, { port: 0 });

const socket = join(stateDir, "api.sock");
const config = {
  ...base,
  // The broker lives in this process, not in the agent, so it outlives the agent.
  mqtt: { ...mqttBase, url: brokerUrl, protocolVersion: 4 },
  storage: { ...(base.storage as object), dir: stateDir },
  api: { ...(base.api as object), socket },
  // Loopback broker on a demo PC: the NOC's diagnose/rebirth work without a signing key.
  commands: { allowUnsigned: true },
  devices: [
    { id: "fp1", kind: "fingerprint", driver: "r30x", port: scanner.hostPath, baud: 57600 },
    { id: "printer1", kind: "printer", tcp: `127.0.0.1:${printerServer.port}` },
  ],
};
const configPath = join(stateDir, "config.yaml");
writeFileSync(
  configPath,
  `# Written by npm start (scripts/demo.ts); emulated devices.\n${stringify(config)}`,
);

const nocOptions = {
  mqttUrl: brokerUrl,
  mqttProtocol: 4 as const,
  root: mqttBase.topicRoot,
  instance: "noc-demo",
  storage: join(stateDir, "..", `${process.env.DEMO_STATE_DIR ? "noc-test" : "noc"}.db`),
};
const nocPort = Number(process.env.DEMO_NOC_PORT ?? 8790);
let noc = new NocApp(defaultOptions({ ...nocOptions, httpPort: nocPort }), { log: createLogger("warn") });
try {
  await noc.start();
} catch {
  noc = new NocApp(defaultOptions({ ...nocOptions, httpPort: 0 }), { log: createLogger("warn") });
  await noc.start();
}

// The dashboard needs a login; the demo's admin gets a fresh random password on every start.
const demoPassword = randomBytes(12).toString("base64url");
if (await noc.auth.user("demo")) await noc.auth.setPassword("demo", demoPassword);
else await noc.auth.addUser("demo", "admin", undefined, demoPassword);

// The agent: a child process whose log goes to a file, so this terminal stays readable.
const agentLog = join(stateDir, "agent.log");
let agent: ChildProcess | undefined;
let quitting = false;

function startAgent(): void {
  if (agent) return;
  const out = createWriteStream(agentLog, { flags: "a" });
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "agent/cli.ts"), "run", "--config", configPath],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  agent = child;
  say(`station agent started (pid ${child.pid}); its log: ${show(agentLog)}`);
  child.once("exit", (code, signal) => {
    if (agent === child) agent = undefined;
    if (!quitting)
      say(
        `station agent ended (${signal ?? `exit ${code}`}): the station goes dark on the dashboard. Press r to start it.`,
      );
  });
}

function stopAgent(signal: NodeJS.Signals): Promise<void> {
  const child = agent;
  if (!child) {
    say("the station agent is not running (press r to start it)");
    return Promise.resolve();
  }
  const done = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  return done;
}

async function token(): Promise<string> {
  return readFileSync(join(stateDir, "api-token"), "utf8").trim();
}

/** Until the agent answers and its printer is ready (the API listens before every device is up). */
async function untilAgentReady(device: string): Promise<boolean> {
  for (let i = 0; i < 600 && agent; i++) {
    try {
      const r = await callLocalApi(socket, { path: "/v1/status" });
      const devices = (r.body as { devices?: { device: string; health: string }[] }).devices ?? [];
      if (r.status === 200 && devices.some((d) => d.device === device && d.health === "ready")) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const TEST_SLIP = {
  station: { name: "Demo Police Station", code: "DEMO-0001" },
  complaintNumber: "DEMO-TEST-0001",
  receivedAt: "2026-01-01T10:00:00+05:30",
  complainant: { name: "Test Slip", nameLocal: "परीक्षण पर्ची" },
  subject: "Printed by npm start to show the printer works",
  officer: { name: "Demo", rank: "HC" },
};

async function printTestSlip(): Promise<void> {
  const r = await callLocalApi(socket, {
    method: "POST",
    path: "/v1/print/slip",
    token: await token(),
    body: { template: "complaint-receipt", data: TEST_SLIP },
    timeoutMs: 30_000,
  });
  say(
    r.status === 200
      ? `test slip printed: open ${show(paperPng)}`
      : `test slip failed: ${JSON.stringify(r.body)}`,
  );
}

async function askCapture() {
  return callLocalApi(socket, {
    method: "POST",
    path: "/v1/fingerprint/capture",
    token: await token(),
    body: { finger: "right-thumb" },
    timeoutMs: 30_000,
  });
}

async function capture(): Promise<void> {
  say("capturing a fingerprint from the emulated scanner...");
  if (!(await untilAgentReady("fp1"))) return say("capture: the agent is not running (press r)");
  // The scanner may still be opening after a restart: the API says no-device until it is.
  let r = await askCapture();
  for (let i = 0; i < 20 && r.status === 503 && (r.body as { error?: string }).error === "no-device"; i++) {
    await new Promise((w) => setTimeout(w, 1000));
    r = await askCapture();
  }
  const body = r.body as { png?: string };
  if (r.status !== 200 || !body.png) return say(`capture failed: ${JSON.stringify(r.body)}`);
  const file = join(stateDir, "fingerprint.png");
  writeFileSync(file, Buffer.from(body.png, "base64"));
  say(`fingerprint image written to ${show(file)}`);
}

async function quit(): Promise<void> {
  if (quitting) return;
  quitting = true;
  say("stopping the agent, the NOC and the broker...");
  if (agent) await stopAgent("SIGTERM");
  await noc.stop();
  await broker.stop();
  await scanner.stop();
  await printerServer.close();
  process.exit(0);
}

const captureCmd =
  `curl -s -X POST -H "authorization: Bearer $(cat ${show(join(stateDir, "api-token"))})" -H 'content-type: application/json' ` +
  `--unix-socket ${show(socket)} -d '{"finger":"right-thumb"}' http://localhost/v1/fingerprint/capture ` +
  `| node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8")); require("fs").writeFileSync("fingerprint.png", Buffer.from(r.png,"base64")); console.log("wrote fingerprint.png")'`;

startAgent();
if ((await untilAgentReady("printer1")) && existsSync(join(stateDir, "api-token")))
  await printTestSlip().catch((e: Error) => say(`test slip failed: ${e.message}`));

say(
  [
    "",
    "station-agent demo: a station and the state NOC on this PC.",
    `  NOC dashboard:    ${noc.url}  (sign in as demo / ${demoPassword})`,
    `  Broker:           ${brokerUrl} (keeps running when the agent stops)`,
    `  Emulated devices: fingerprint scanner (R30x) on ${scanner.hostPath}; ESC/POS printer on tcp 127.0.0.1:${printerServer.port}`,
    `  Printed paper:    ${show(paperPng)} (a test slip was printed at start)`,
    `  Watch messages:   npx tsx agent/cli.ts watch --url ${brokerUrl} --root ${mqttBase.topicRoot} --station +`,
    `  Status for staff: npx tsx agent/cli.ts status --config ${show(configPath)}`,
    `  Print a slip:     npx tsx agent/cli.ts print test --tcp 127.0.0.1:${printerServer.port}   (or press p)`,
    `  Fingerprint:      press c, or: ${captureCmd}`,
    "",
    "Keys: s stop the station agent, r restart it, k kill it (-9), p print a test slip, c capture a fingerprint, q quit",
    "",
  ].join("\n"),
);

const keys: Record<string, () => Promise<void> | void> = {
  s: () => stopAgent("SIGTERM"),
  k: () => stopAgent("SIGKILL"),
  r: async () => {
    if (agent) await stopAgent("SIGTERM");
    startAgent();
  },
  p: () => printTestSlip().catch((e: Error) => say(`test slip failed: ${e.message}`)),
  c: () => capture().catch((e: Error) => say(`capture failed: ${e.message}`)),
  q: quit,
  "\u0003": quit, // Ctrl-C in raw mode
};
if (process.stdin.isTTY) process.stdin.setRawMode(true);
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  for (const ch of chunk) void keys[ch.toLowerCase()]?.();
});

process.on("SIGINT", () => void quit());
process.on("SIGTERM", () => void quit());
