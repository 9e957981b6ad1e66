// `npm start`: the agent on embedded defaults with emulated devices, no hardware and no broker.
// The emulators live here (scripts/) and in drivers/*/emulator, never in the agent's own code.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { callLocalApi } from "../agent/api-client.js";
import { buildProgram } from "../agent/cli.js";
import { createLogger } from "../agent/log.js";
import { defaultOptions, NocApp } from "../noc/app.js";
import { R30xPtyEmulator } from "../drivers/fingerprint/emulator/pty-emulator.js";
import { serveTcp } from "../drivers/printer/emulator/serve.js";
import { VirtualPrinter } from "../drivers/printer/emulator/virtual-printer.js";
import { DEFAULT_FONTS, firstExisting, TextRasterizer } from "../drivers/printer/text-raster.js";

const root = resolve(import.meta.dirname, "..");
const base = parse(readFileSync(join(root, "config/demo.yaml"), "utf8")) as Record<string, unknown>;
const stateDir = resolve(root, (base.storage as { dir: string }).dir);
mkdirSync(stateDir, { recursive: true });

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

const config = {
  ...base,
  storage: { ...(base.storage as object), dir: stateDir },
  api: { ...(base.api as object), socket: join(stateDir, "api.sock") },
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
process.on("exit", () => {
  void scanner.stop();
  void printerServer.close();
});
process.stderr.write(
  [
    "",
    `Emulated fingerprint scanner (R30x) on ${scanner.hostPath}; emulated ESC/POS printer on tcp 127.0.0.1:${printerServer.port}.`,
    `  Capture:  curl -s -X POST -H "authorization: Bearer $(cat ${join(stateDir, "api-token")})" -H 'content-type: application/json' \\`,
    `              --unix-socket ${join(stateDir, "api.sock")} -d '{"finger":"right-thumb"}' http://localhost/v1/fingerprint/capture | head -c 300`,
    `  Printed paper appears in ${paperPng}`,
    "",
  ].join("\n"),
);
const argv = ["node", "station-agent", "demo", "--config", configPath];
await (await buildProgram(argv)).parseAsync(argv);

// The state-centre side too, against the same embedded broker, so a newcomer sees the station appear on
// the NOC dashboard and go dark when the agent stops.
const status = (await callLocalApi(join(stateDir, "api.sock"), { path: "/v1/status" })).body as {
  broker: string;
};
const nocOptions = {
  mqttUrl: status.broker,
  mqttProtocol: 4 as const,
  root: (base.mqtt as { topicRoot: string }).topicRoot,
  instance: "noc-demo",
  storage: join(stateDir, "..", "noc.db"),
};
let noc = new NocApp(defaultOptions({ ...nocOptions, httpPort: 8790 }), { log: createLogger("warn") });
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
process.stderr.write(
  `  NOC dashboard:      ${noc.url}  (station-noc against the embedded broker)\n` +
    `                      sign in as demo / ${demoPassword}\n\n`,
);
