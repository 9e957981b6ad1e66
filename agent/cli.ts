#!/usr/bin/env node
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import {
  ConfigError,
  configJsonSchema,
  DEFAULT_CONFIG_PATH,
  EX_CONFIG,
  loadConfig,
  type LoadedConfig,
} from "../config/load.js";
import { StationAgent } from "./app.js";
import { buildServices } from "./app-services.js";
import { DEVICE_KINDS } from "./device-kinds/index.js";
import { createLogger } from "./log.js";
import { SecretModeError } from "./secret-file.js";
import { SdNotifier } from "./sd-notify.js";
import { watchStation } from "./cli/watch-station.js";

const ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  existsSync(join(dirname(fileURLToPath(import.meta.url)), "../package.json")) ? ".." : "../..",
);
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

function load(path: string): LoadedConfig {
  try {
    return loadConfig(path);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(
        `Invalid configuration (${path}):\n${e.problems.map((p) => `  ${p}`).join("\n")}\n`,
      );
      process.exit(EX_CONFIG);
    }
    throw e;
  }
}

async function runAgent(loaded: LoadedConfig, opts: { demo?: boolean } = {}): Promise<void> {
  const { config } = loaded;
  const log = createLogger(config.log.level);
  let withheld = false;
  const notifier = SdNotifier.fromEnv(process.env, {
    onError: (e) => log.warn({ err: e.message }, "sd_notify failed"),
    onSkip: (reason) => {
      if (!withheld) log.warn({ reason }, "watchdog ping withheld");
      withheld = true;
    },
    onResume: () => {
      withheld = false;
      log.info("watchdog pings resumed");
    },
  });
  let stopping = false;
  const agent = new StationAgent({
    config,
    configHash: loaded.hash,
    configPath: resolve(loaded.source),
    ...(loaded.fragment ? { configFragment: loaded.fragment } : {}),
    version: VERSION,
    log,
    notifier,
    services: (core) => buildServices(config, core),
    restart: (reason) => {
      if (stopping) return;
      stopping = true;
      log.info({ reason }, "restarting");
      setTimeout(() => process.exit(1), 4500).unref();
      void agent
        .stop("restart")
        .catch((e: Error) => log.error({ err: e.message }, "stop failed"))
        .then(() => restartProcess());
    },
  });
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    // systemd gives us TimeoutStopSec; we promise to be gone within 5 s whatever hangs.
    setTimeout(() => process.exit(1), 4500).unref();
    agent
      .stop("shutdown")
      .then(() => process.exit(0))
      .catch((e: Error) => {
        log.error({ err: e.message }, "stop failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("uncaughtException", (e) =>
    log.error({ err: e.message, stack: e.stack }, "uncaught exception; continuing"),
  );
  process.on("unhandledRejection", (e) => log.error({ err: String(e) }, "unhandled rejection; continuing"));
  try {
    await agent.start();
  } catch (e) {
    // Exit non-zero so systemd restarts us (e.g. the API socket was busy); never run half-started.
    log.fatal({ err: (e as Error).message }, "could not start");
    process.exit(e instanceof SecretModeError ? EX_CONFIG : 1);
  }
  if (opts.demo) {
    const root = `${config.mqtt.topicRoot}/${config.station.id}`;
    process.stderr.write(
      [
        "",
        `station-agent ${VERSION} demo is running (Ctrl-C to stop).`,
        `  Broker (embedded):  ${agent.brokerUrl}`,
        `  Watch what it says: npx tsx agent/cli.ts watch --url ${agent.brokerUrl} --root ${config.mqtt.topicRoot} --station ${config.station.id}`,
        `     or with mosquitto-clients: mosquitto_sub -h 127.0.0.1 -p ${agent.brokerUrl.split(":").pop()} -t '${root}/#' -v`,
        `  Status for staff:   npx tsx agent/cli.ts status --config config/demo.yaml`,
        `  Local API:          curl -s --unix-socket ${agent.apiSocket} http://localhost/v1/status`,
        "",
      ].join("\n"),
    );
  }
}

/**
 * Under systemd (INVOCATION_ID set) an exit is a restart: Restart=always. Elsewhere (the demo, a lab)
 * the agent starts its own successor with the same command line, so config-apply works there too;
 * AGENT_RESTART=exit leaves the restart to whoever supervises (tests).
 */
function restartProcess(): void {
  const how = process.env.AGENT_RESTART ?? (process.env.INVOCATION_ID ? "exit" : "reexec");
  if (how === "reexec") {
    spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      detached: true,
      stdio: "inherit",
    }).unref();
  }
  process.exit(0);
}

/** Commands that never touch a device driver; for these the drivers' command groups are not loaded. */
const DRIVERLESS = new Set(["run", "demo", "config", "status", "watch", "version"]);

/**
 * The daemon (`run`) is what lives for months on a station, so it must not carry the printer rasteriser,
 * the fingerprint tools or udev discovery in memory. The device command groups are loaded only when the
 * command line may need them: their own commands, help, or an unknown word (for commander's suggestions).
 */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command("station-agent")
    .description("Station agent: devices, links and reporting to the state NOC over MQTT")
    .version(VERSION, "-V, --version")
    .showHelpAfterError();
  const configOpt = ["-c, --config <file>", "configuration file", DEFAULT_CONFIG_PATH] as const;

  program
    .command("run")
    .description("run the daemon (what systemd starts)")
    .option(...configOpt)
    .action(async (o: { config: string }) => runAgent(load(o.config)));

  program
    .command("demo")
    .description("run on embedded defaults: embedded broker on loopback, state under ./.state, no hardware")
    .option("-c, --config <file>", "configuration file", join(ROOT, "config/demo.yaml"))
    .action(async (o: { config: string }) => runAgent(load(o.config), { demo: true }));

  const cfg = program.command("config").description("validate the configuration or print its JSON Schema");
  cfg
    .command("check")
    .description("validate a configuration file; exits 78 and lists every problem when invalid")
    .option(...configOpt)
    .action((o: { config: string }) => {
      const loaded = load(o.config);
      process.stdout.write(
        `${o.config}: OK (station ${loaded.config.station.id}, config hash ${loaded.hash})\n`,
      );
    });
  cfg
    .command("schema")
    .description("print the JSON Schema of the configuration (for editor autocompletion)")
    .action(() => void process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`));

  program
    .command("status")
    .description("what the station agent is doing, in plain words")
    .option(...configOpt)
    .option("--json", "print the raw status as JSON")
    .option("--socket <path>", "ask the agent on this API socket (default: from the settings file)")
    .addOption(
      new Option("--lang <language>", "en or hi (default: ui.language, then LANG)").choices(["en", "hi"]),
    )
    .action(async (o: { config: string; json?: boolean; socket?: string; lang?: "en" | "hi" }) => {
      // Loaded here, not at the top: the daemon (`run`) must not carry the message catalogues.
      const out = await (await import("./cli/status-command.js")).statusCommand(o);
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.code;
    });

  program
    .command("watch")
    .description("print what a station publishes, one readable line per message")
    .option("-c, --config <file>", "take broker, topic root and station from this configuration")
    .option("--url <url>", "broker URL, e.g. mqtt://127.0.0.1:1883")
    .option("--root <topicRoot>", "topic root")
    .option("--station <id>", "station id, or + for all stations", "+")
    .option("--json", "print each message's raw payload as JSON, one per line")
    .action(async (o: { config?: string; url?: string; root?: string; station: string; json?: boolean }) => {
      const c = o.config ? load(o.config).config : undefined;
      if (c) process.env.TZ = c.ledger.timezone;
      const url =
        o.url ??
        (c && c.mqtt.url !== "embedded" ? c.mqtt.url : `mqtt://127.0.0.1:${c?.mqtt.embeddedPort ?? 1883}`);
      await watchStation({
        url,
        root: o.root ?? c?.mqtt.topicRoot ?? "cctns/state",
        station: o.config && o.station === "+" ? c!.station.id : o.station,
        protocolVersion: c?.mqtt.url === "embedded" || !c ? 4 : c.mqtt.protocolVersion,
        ...(o.json ? { json: true } : {}),
      });
    });

  const first = argv.slice(2).find((a) => !a.startsWith("-"));
  if (first === undefined || !DRIVERLESS.has(first)) {
    (await import("./cli/devices.js")).registerDeviceCommands(program);
    for (const kind of DEVICE_KINDS) await kind.commands(program);
    (await import("./cli/booking.js")).registerBookingCommands(program);
  }

  program
    .command("version")
    .description("print the version")
    .action(() => void process.stdout.write(`${VERSION}\n`));
  return program;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  buildProgram()
    .then((program) => program.parseAsync(process.argv))
    .catch((e: Error) => {
      process.stderr.write(`station-agent: ${e.message}\n`);
      process.exit(1);
    });
}
