#!/usr/bin/env node
/** station-noc: the state NOC program (collector, storage, dashboard, commands). */
import { Command, InvalidArgumentError, Option } from "commander";
import pino from "pino";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { readSecret, writeSecret } from "./secret-file.js";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { COMMAND_NAMES, DEFAULT_TOPIC_ROOT, parseTopic, TOPIC_LEVEL } from "../contract/index.js";
import { defaultOptions, loadPrivateKey, NocApp, type NocOptions } from "./app.js";
import { StationCommands } from "./station-commands.js";
import { BrokerConnection } from "./broker-connection.js";
import { addAccessCommands } from "./auth/cli.js";
import { addFleetCommands } from "./fleet-cli.js";
import { ConfigError, EX_CONFIG, loadConfigFile, mergeFlags, storageOption } from "./config.js";
import { loadRegistry } from "./registry.js";

const int = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be an integer ${min}-${max}`);
  return n;
};
const level = (v: string) => {
  if (!TOPIC_LEVEL.test(v)) throw new InvalidArgumentError("must be one topic level: A-Z a-z 0-9 _ . -");
  return v;
};
const secret = (path: string) => readSecret(path, "secret file").trim();
const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function mqttOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--mqtt-url <url>", "broker URL")
        .default("mqtt://127.0.0.1:1883")
        .env("STATION_NOC_MQTT_URL"),
    )
    .addOption(
      new Option("--mqtt-protocol <version>", "5 = MQTT 5, 4 = MQTT 3.1.1").choices(["4", "5"]).default("5"),
    )
    .option("--mqtt-username <name>", "broker user name")
    .option("--mqtt-password-file <path>", "file holding the broker password")
    .option("--mqtt-ca <path>", "CA certificate (mqtts)")
    .option("--mqtt-cert <path>", "client certificate (mqtts)")
    .option("--mqtt-key <path>", "client key (mqtts)")
    .option("--root <topic>", "topic root of the stations", DEFAULT_TOPIC_ROOT)
    .option("--instance <id>", "this collector's id: MQTT client id and reply topic level", level)
    .option("--private-key <path>", "the NOC's Ed25519 private key (PEM): commands are signed");
}

interface ServeFlags {
  mqttUrl: string;
  mqttProtocol: "4" | "5";
  mqttUsername?: string;
  mqttPasswordFile?: string;
  mqttCa?: string;
  mqttCert?: string;
  mqttKey?: string;
  root: string;
  instance?: string;
  privateKey?: string;
  shareGroup?: string;
  role: "all" | "collector" | "dashboard";
  refreshInterval: number;
  storage: string;
  httpHost: string;
  httpPort: number;
  timeZone: string;
  silentAfter: number;
  registry?: string;
  adminTokenFile?: string;
  retentionDays: number;
  rollupInterval: number;
  logLevel: string;
  alerts?: string;
  allowedHosts?: string[];
  trustedProxies?: string[];
  proxyUserHeader?: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  tlsCert?: string;
  tlsKey?: string;
  fleetOps?: boolean;
  fleetInterval: number;
  config?: string;
}

function nocOptions(f: ServeFlags): NocOptions {
  return defaultOptions({
    mqttUrl: f.mqttUrl,
    mqttProtocol: f.mqttProtocol === "4" ? 4 : 5,
    mqttUsername: f.mqttUsername,
    mqttPassword: f.mqttPasswordFile ? secret(f.mqttPasswordFile) : undefined,
    mqttCa: f.mqttCa,
    mqttCert: f.mqttCert,
    mqttKey: f.mqttKey,
    root: f.root,
    ...(f.instance ? { instance: f.instance } : {}),
    shareGroup: f.shareGroup,
    role: f.role,
    refreshS: f.refreshInterval,
    storage: f.storage,
    httpHost: f.httpHost,
    httpPort: f.httpPort,
    timeZone: f.timeZone,
    silentAfterS: f.silentAfter,
    registry: f.registry ? loadRegistry(f.registry) : undefined,
    privateKey: f.privateKey ? loadPrivateKey(f.privateKey) : undefined,
    adminToken: f.adminTokenFile ? secret(f.adminTokenFile) : undefined,
    retentionDays: f.retentionDays,
    allowedHosts: f.allowedHosts,
    trustedProxies: f.trustedProxies ?? [],
    proxyUserHeader: f.proxyUserHeader,
    sessionIdleMinutes: f.sessionIdleMinutes,
    sessionMaxHours: f.sessionMaxHours,
    tls:
      f.tlsCert && f.tlsKey
        ? { cert: readFileSync(f.tlsCert, "utf8"), key: readSecret(f.tlsKey, "TLS key") }
        : undefined,
    rollupS: f.rollupInterval,
    logLevel: f.logLevel,
    ...(f.fleetOps !== undefined ? { fleetOps: f.fleetOps } : {}),
    fleetTickMs: f.fleetInterval * 1000,
    alertsFile: f.alerts,
  });
}

/** The flags with the config file (--config) under them; a bad file is a ConfigError (exit 78). */
function withConfig<F extends { config?: string }>(flags: F, cmd: Command): F {
  if (!flags.config) return flags;
  return mergeFlags(flags, loadConfigFile(flags.config), (k) => cmd.getOptionValueSource(k));
}

async function serve(flags: ServeFlags): Promise<void> {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw new ConfigError("--tls-cert and --tls-key go together");
  const app = new NocApp(nocOptions(flags));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "stopping");
    await app.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGHUP", () => app.reloadAlerts(false, "SIGHUP"));
  await app.start();
  process.stdout.write(`station-noc dashboard: ${app.url}\n`);
}

async function sendCommand(
  station: string,
  name: string,
  flags: ServeFlags & { args?: string; timeout: number },
): Promise<void> {
  let args: Record<string, unknown> | undefined;
  if (flags.args) args = JSON.parse(flags.args) as Record<string, unknown>;
  const o = nocOptions(flags);
  const instance = `${o.instance}-cli-${process.pid}`.slice(0, 64);
  const bus = new BrokerConnection({
    protocolVersion: o.mqttProtocol,
    url: o.mqttUrl,
    clientId: instance,
    username: o.mqttUsername,
    password: o.mqttPassword,
    sessionExpiryS: 0,
    log: pino({ name: "station-noc" }, pino.destination(2)),
  });
  const commands = new StationCommands(bus, {
    root: o.root,
    instance,
    privateKey: o.privateKey,
    timeoutMs: flags.timeout * 1000,
    now: Date.now,
    protocol: o.mqttProtocol,
  });
  bus.onMessage((m) => {
    const t = parseTopic(o.root, m.topic);
    if (t?.kind === "reply") commands.onReply(t.station, m.payload, m.correlationData);
  });
  try {
    await bus.start();
    await bus.subscribe(commands.replyFilter, 1);
    const reply = await commands.send(station, name, args);
    process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
    process.exitCode = reply.ok ? 0 : 1;
  } finally {
    await bus.stop();
  }
}

function keygen(dir: string, force: boolean): void {
  const priv = join(dir, "noc-ed25519.pem");
  const pub = join(dir, "noc-ed25519.pub.pem");
  if (!force && (existsSync(priv) || existsSync(pub)))
    throw new Error(`${priv} or ${pub} exists (use --force)`);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  // Through a temp file and chmod: --force over an old 0644 key must not leave the new one readable.
  writeSecret(priv, privateKey.export({ type: "pkcs8", format: "pem" }) as string, 0o600);
  writeSecret(pub, publicKey.export({ type: "spki", format: "pem" }) as string, 0o644);
  process.stdout.write(
    `private key (keep on the NOC): ${priv}\npublic key (commands.nocPublicKey on stations): ${pub}\n`,
  );
}

export function program(): Command {
  const p = new Command("station-noc").description(
    "State NOC for station-agent: collector, availability, dashboard, commands",
  );
  mqttOptions(p.command("serve", { isDefault: true }).description("collect, store and serve the dashboard"))
    .option(
      "--share-group <name>",
      "use a shared subscription $share/<name>/... to split load across collectors",
      level,
    )
    .addOption(
      new Option(
        "--role <role>",
        "all: collect and serve; collector: collect only; dashboard: serve what collectors store",
      )
        .choices(["all", "collector", "dashboard"])
        .default("all"),
    )
    .option(
      "--refresh-interval <s>",
      "dashboard role: reload stations from storage this often",
      int(1, 600),
      5,
    )
    .addOption(storageOption())
    .option("--http-host <addr>", "dashboard address", "127.0.0.1")
    .option("--http-port <port>", "dashboard port", int(0, 65535), 8790)
    .option("--time-zone <tz>", "days and months of the availability figures", "Asia/Kolkata")
    .option("--silent-after <s>", "an up station silent this long becomes unknown", int(5, 86_400), 180)
    .option("--registry <file>", "CSV (id,name,district) or JSON list of the state's stations")
    .option("--admin-token-file <path>", "enables POST commands on the API with this bearer token")
    .option("--retention-days <n>", "keep events and change history this long", int(1, 3650), 90)
    .option("--rollup-interval <s>", "recompute today's availability this often", int(10, 3600), 300)
    .option("--log-level <level>", "pino log level", "info")
    .option("--allowed-hosts <names>", "Host header names the dashboard answers to (comma-separated)", list)
    .option("--trusted-proxies <addrs>", "reverse proxy addresses trusted for --proxy-user-header", list)
    .option("--proxy-user-header <name>", "header naming the user the reverse proxy authenticated")
    .option("--session-idle-minutes <n>", "sign a browser out after this long unused", int(1, 1440), 30)
    .option("--session-max-hours <n>", "sign a browser out this long after login", int(1, 168), 12)
    .option("--tls-cert <path>", "PEM certificate: serve the dashboard over HTTPS")
    .option("--tls-key <path>", "PEM private key for --tls-cert")
    .option(
      "--fleet-ops",
      "drive config releases and rollouts here (default: only a lone NOC; with collectors, set on one)",
    )
    .option("--no-fleet-ops", "leave config releases and rollouts to another instance")
    .option("--fleet-interval <s>", "move config releases and rollouts on this often", int(1, 600), 10)
    .addOption(
      new Option("--alerts <file>", "alert rules, channels and contacts (YAML; reloaded on SIGHUP)").env(
        "STATION_NOC_ALERTS",
      ),
    )
    .option("--config <file>", "YAML file whose keys are these flags in camelCase; flags override it")
    .action((flags: ServeFlags, cmd: Command) => serve(withConfig(flags, cmd)));
  addAccessCommands(p);
  addFleetCommands(p);
  mqttOptions(
    p
      .command("command <station> <name>")
      .description(`send one command (${COMMAND_NAMES.join(", ")}) and print the reply`),
  )
    .option("--args <json>", 'command arguments, e.g. \'{"fromSeq":10,"toSeq":20}\'')
    .option("--timeout <s>", "seconds to wait for the reply", int(1, 600), 30)
    .action((station: string, name: string, flags: ServeFlags & { args?: string; timeout: number }) =>
      sendCommand(station, name, flags),
    );
  p.command("keygen")
    .description("create the NOC's Ed25519 key pair for signed commands")
    .option("--dir <dir>", "where to write the PEM files", ".")
    .option("--force", "overwrite existing files", false)
    .action((o: { dir: string; force: boolean }) => keygen(o.dir, o.force));
  return p;
}

const entry = process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : "";
if (import.meta.url === entry) {
  program()
    .parseAsync(process.argv)
    .catch((e: unknown) => {
      process.stderr.write(`station-noc: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(e instanceof ConfigError ? EX_CONFIG : 1);
    });
}
