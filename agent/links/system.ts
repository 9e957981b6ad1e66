import { execFile, spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { delimiter, join } from "node:path";
import { createInterface } from "node:readline";
import type { InterfaceSnapshot } from "./types.js";

/**
 * What the link monitor reads from the operating system: /sys, the address list and iproute2.
 * Everything is asynchronous and bounded by a timeout, so a slow kernel call never stalls the event loop.
 */

const SYS_NET = "/sys/class/net";
const IP_TIMEOUT_MS = 3000;

/** The absolute path of an executable in PATH (plus the sbin directories), or undefined. */
export async function findExecutable(
  name: string,
  path = process.env.PATH ?? "",
): Promise<string | undefined> {
  const dirs = [...path.split(delimiter), "/usr/sbin", "/sbin", "/usr/bin", "/bin"].filter((d) => d !== "");
  for (const dir of new Set(dirs)) {
    const file = join(dir, name);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function readSys(iface: string, file: string): Promise<string | undefined> {
  try {
    return (await readFile(join(SYS_NET, iface, file), "utf8")).trim();
  } catch {
    return undefined;
  }
}

async function readCounter(iface: string, name: string): Promise<number> {
  const v = await readSys(iface, `statistics/${name}`);
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : 0;
}

export function isValidInterfaceName(iface: string): boolean {
  return /^[^/\s:]{1,15}$/.test(iface) && iface !== "." && iface !== "..";
}

/** Carrier alone: the cheapest read, done whenever a probe fails. */
export async function readCarrier(iface: string): Promise<boolean | null> {
  if (!isValidInterfaceName(iface)) return null;
  const v = await readSys(iface, "carrier");
  return v === undefined ? null : v === "1";
}

export async function readInterface(iface: string): Promise<InterfaceSnapshot> {
  const absent: InterfaceSnapshot = {
    exists: false,
    operstate: "absent",
    carrier: null,
    addresses: [],
    rxBytes: 0,
    txBytes: 0,
    rxErrors: 0,
    txErrors: 0,
  };
  if (!isValidInterfaceName(iface)) return absent;
  const operstate = await readSys(iface, "operstate");
  if (operstate === undefined) return absent;
  const [carrier, rxBytes, txBytes, rxErrors, txErrors] = await Promise.all([
    readSys(iface, "carrier"),
    readCounter(iface, "rx_bytes"),
    readCounter(iface, "tx_bytes"),
    readCounter(iface, "rx_errors"),
    readCounter(iface, "tx_errors"),
  ]);
  const addresses = (networkInterfaces()[iface] ?? [])
    .filter((a) => !a.internal || a.family === "IPv4")
    .map((a) => a.cidr ?? a.address);
  return {
    exists: true,
    operstate,
    carrier: carrier === undefined ? null : carrier === "1",
    addresses,
    rxBytes,
    txBytes,
    rxErrors,
    txErrors,
  };
}

/** The IPv4 address of an interface, for binding in-process probes to the link. */
export function interfaceIPv4(iface: string): string | undefined {
  return networkInterfaces()[iface]?.find((a) => a.family === "IPv4")?.address;
}

function ipJson(args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(
      "ip",
      ["-j", ...args],
      { timeout: IP_TIMEOUT_MS, env: { ...process.env, LC_ALL: "C" } },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          reject(
            new Error(code === "ENOENT" ? "ip (iproute2) is not installed" : stderr.trim() || err.message),
          );
          return;
        }
        try {
          resolve(stdout.trim() === "" ? [] : JSON.parse(stdout));
        } catch (e) {
          reject(new Error(`ip ${args.join(" ")}: unreadable JSON (${(e as Error).message})`));
        }
      },
    );
  });
}

interface IpRoute {
  dst?: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  metric?: number;
  flags?: string[];
}

/** The route the kernel would use for `dst` (optionally from a source address): undefined when unreachable. */
export async function routeGet(dst: string, from?: string): Promise<IpRoute | undefined> {
  try {
    const routes = (await ipJson(["route", "get", dst, ...(from ? ["from", from] : [])])) as IpRoute[];
    return routes[0];
  } catch (e) {
    if (/unreachable|No route|invalid argument/i.test((e as Error).message)) return undefined;
    throw e;
  }
}

/** The gateway of `iface` from the main routing table: its default route first, else any route via a gateway. */
export async function gatewayOf(iface: string): Promise<string | undefined> {
  if (!isValidInterfaceName(iface)) return undefined;
  const defaults = (await ipJson(["route", "show", "default", "dev", iface])) as IpRoute[];
  const viaDefault = defaults.filter((r) => r.gateway).sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0];
  if (viaDefault?.gateway) return viaDefault.gateway;
  const any = (await ipJson(["-4", "route", "show", "dev", iface])) as IpRoute[];
  return any.find((r) => r.gateway)?.gateway;
}

/** The device of the lowest-metric default route: the active link when no data centre host is configured. */
export async function defaultRouteDevice(): Promise<string | undefined> {
  const routes = (await ipJson(["-4", "route", "show", "default"])) as IpRoute[];
  const usable = routes.filter((r) => r.dev && !(r.flags ?? []).includes("linkdown"));
  return usable.sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0))[0]?.dev;
}

/**
 * One long-running `ip monitor link address route`: calls `onChange` whenever the kernel changes a link,
 * an address or a route, so the active link and the gateways are re-read at once instead of polled.
 */
export class KernelChangeWatcher {
  private child: ChildProcess | undefined;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 1000;

  constructor(
    private readonly onChange: () => void,
    private readonly onFault: (message: string | undefined) => void,
  ) {}

  start(): void {
    this.stopping = false;
    this.launch();
  }

  private launch(): void {
    if (this.stopping) return;
    const child = spawn("ip", ["-o", "monitor", "link", "address", "route"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    this.child = child;
    child.on("error", (e: NodeJS.ErrnoException) => {
      this.onFault(e.code === "ENOENT" ? "ip (iproute2) is not installed" : `ip monitor: ${e.message}`);
    });
    createInterface({ input: child.stdout }).on("line", () => {
      this.backoffMs = 1000;
      this.onChange();
    });
    child.on("close", () => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopping) return;
      this.onFault("ip monitor exited; route changes are polled until it restarts");
      this.timer = setTimeout(() => this.launch(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 60_000);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("close", () => resolve());
      child.kill("SIGTERM");
    });
  }
}
