/**
 * systemd readiness and watchdog notifications (sd_notify protocol: newline-separated KEY=VALUE
 * datagrams sent to the AF_UNIX socket named by NOTIFY_SOCKET).
 *
 * Node has no unix datagram sockets, so path sockets go through the native `unix-dgram` package,
 * loaded only when a socket is configured. The datagram leaves the main process, so the unit can keep
 * `NotifyAccess=main`. `unix-dgram` builds its address with strncpy and cannot name an abstract socket
 * ("@name"); those go through `systemd-notify --no-block`, a child process, which needs
 * `NotifyAccess=all`. Nothing here ever throws into the daemon: failures go to `onError`.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { performance } from "node:perf_hooks";

/** Sends one notification datagram. Rejects on failure; the notifier reports and carries on. */
export interface NotifyTransport {
  send(socket: string, message: string): Promise<void>;
}

/** Measures how late the event loop has been since the last reset (the watchdog's "is the loop alive"). */
export interface LoopLagProbe {
  /** Largest event-loop delay seen since the last reset, in ms. */
  maxLagMs(): number;
  reset(): void;
  stop(): void;
}

export interface SdNotifierOptions {
  /** NOTIFY_SOCKET: an absolute path or "@abstract-name". Absent: every call is a no-op. */
  socket?: string;
  /** WATCHDOG_USEC, already checked against WATCHDOG_PID. */
  watchdogUsec?: number;
  /** Path sockets; default: unix-dgram, loaded on first use. */
  transport?: NotifyTransport;
  /** Abstract sockets (and the fallback when unix-dgram cannot load); default: systemd-notify. */
  abstractTransport?: NotifyTransport;
  /** Default: timerLagProbe at a tenth of the ping interval (10-250 ms). */
  lagProbe?: () => LoopLagProbe;
  /** A watchdog tick is skipped when the loop lagged more than this. Default: half the interval, at most 5 s. */
  maxLagMs?: number;
  /** After a skipped tick, look again this soon instead of waiting a whole interval. Default: interval / 8. */
  recheckMs?: number;
  onError?: (err: Error) => void;
  /** Called for every watchdog tick that withholds the ping, with the reason. */
  onSkip?: (reason: string) => void;
  /** Called when a ping goes out again after one or more withheld ticks. */
  onResume?: () => void;
}

const ENV_KEYS = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] as const;

export class SdNotifier {
  private readonly socket: string | undefined;
  private readonly watchdogUsec: number | undefined;
  private readonly options: SdNotifierOptions;
  private transport: NotifyTransport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probe: LoopLagProbe | undefined;
  private stopped = false;

  /**
   * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID like sd_watchdog_enabled(): the watchdog is ours
   * only when WATCHDOG_PID is absent or equals our pid. With `unsetEnvironment` (the default) the
   * variables are removed so spawned helpers (ping, fping) cannot notify on our behalf.
   */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    options: Omit<SdNotifierOptions, "socket" | "watchdogUsec"> & {
      unsetEnvironment?: boolean;
      pid?: number;
    } = {},
  ): SdNotifier {
    const { unsetEnvironment = true, pid = process.pid, ...rest } = options;
    const socket = parseSocket(env.NOTIFY_SOCKET);
    let watchdogUsec: number | undefined;
    const usec = Number(env.WATCHDOG_USEC);
    const watchdogPid = env.WATCHDOG_PID === undefined ? undefined : Number(env.WATCHDOG_PID);
    if (Number.isSafeInteger(usec) && usec > 0 && (watchdogPid === undefined || watchdogPid === pid))
      watchdogUsec = usec;
    if (unsetEnvironment) for (const key of ENV_KEYS) delete env[key];
    return new SdNotifier({ ...rest, socket, watchdogUsec });
  }

  constructor(options: SdNotifierOptions = {}) {
    this.options = options;
    this.socket = parseSocket(options.socket);
    this.watchdogUsec = this.socket === undefined ? undefined : options.watchdogUsec;
  }

  /** Whether a notification socket is configured at all. */
  get enabled(): boolean {
    return this.socket !== undefined;
  }

  /** Ping period: half of WATCHDOG_USEC, as sd_watchdog_enabled(3) recommends; undefined when off. */
  get watchdogIntervalMs(): number | undefined {
    return this.watchdogUsec === undefined ? undefined : Math.max(1, Math.floor(this.watchdogUsec / 2000));
  }

  ready(status?: string): Promise<boolean> {
    return this.notify(status === undefined ? "READY=1" : `READY=1\nSTATUS=${oneLine(status)}`);
  }

  status(text: string): Promise<boolean> {
    return this.notify(`STATUS=${oneLine(text)}`);
  }

  watchdog(): Promise<boolean> {
    return this.notify("WATCHDOG=1");
  }

  /** Ends the watchdog for good first: no ping may follow STOPPING=1. */
  stopping(status?: string): Promise<boolean> {
    this.close();
    return this.notify(status === undefined ? "STOPPING=1" : `STOPPING=1\nSTATUS=${oneLine(status)}`);
  }

  /** Sends raw KEY=VALUE lines. Resolves false when disabled or when sending failed (reported). */
  async notify(message: string): Promise<boolean> {
    if (this.socket === undefined) return false;
    try {
      await this.transportFor(this.socket).send(this.socket, message);
      return true;
    } catch (err) {
      this.options.onError?.(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
  }

  /**
   * Pings every half WATCHDOG_USEC while `isHealthy()` is true and the event loop kept up. A loop that is
   * blocked sends nothing by itself; a loop that still runs but lags (long synchronous work between
   * ticks) must not keep systemd fooled, so a tick whose measured lag exceeds `maxLagMs` is skipped. After
   * a skip the notifier looks again after `recheckMs` over that short, recent window, so one GC pause or
   * one slow disk write costs a short delay rather than a missed deadline.
   */
  startWatchdog(isHealthy: () => boolean): boolean {
    const interval = this.watchdogIntervalMs;
    if (interval === undefined || this.timer !== undefined || this.stopped) return false;
    const maxLagMs = this.options.maxLagMs ?? Math.min(5000, Math.max(1, interval / 2));
    const recheckMs = this.options.recheckMs ?? Math.max(1, Math.floor(interval / 8));
    const resolution = Math.min(250, Math.max(10, Math.floor(interval / 10)));
    this.probe = this.options.lagProbe?.() ?? timerLagProbe(resolution);
    let withheld = false;
    const schedule = (ms: number): void => {
      this.timer = setTimeout(tick, ms);
      this.timer.unref();
    };
    const tick = (): void => {
      const probe = this.probe;
      if (probe === undefined) return;
      const lag = probe.maxLagMs();
      probe.reset();
      let healthy: boolean;
      try {
        healthy = isHealthy();
      } catch {
        healthy = false;
      }
      if (!healthy || lag > maxLagMs) {
        withheld = true;
        this.options.onSkip?.(
          healthy ? `event loop lagged ${Math.round(lag)} ms` : "agent reports unhealthy",
        );
        schedule(recheckMs);
        return;
      }
      if (withheld) this.options.onResume?.();
      withheld = false;
      void this.watchdog();
      schedule(interval);
    };
    schedule(interval);
    return true;
  }

  stopWatchdog(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.probe?.stop();
    this.probe = undefined;
  }

  /** Stops the watchdog for good (start/stop symmetry with the agent's services). */
  close(): void {
    this.stopped = true;
    this.stopWatchdog();
  }

  private transportFor(socket: string): NotifyTransport {
    if (socket.startsWith("@")) return (this.options.abstractTransport ??= new SystemdNotifyTransport());
    if (this.transport !== undefined) return this.transport;
    if (this.options.transport !== undefined) return (this.transport = this.options.transport);
    try {
      this.transport = new UnixDgramTransport();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.options.onError?.(
        new Error(`unix-dgram unavailable (${reason}); using systemd-notify, which needs NotifyAccess=all`),
      );
      this.transport = this.options.abstractTransport ??= new SystemdNotifyTransport();
    }
    return this.transport;
  }
}

/** systemd accepts an absolute path or "@" for the abstract namespace; anything else is ignored. */
function parseSocket(value: string | undefined): string | undefined {
  if (value === undefined || value.length < 2 || value.length > 107) return undefined;
  return value.startsWith("/") || value.startsWith("@") ? value : undefined;
}

/** A newline would start a new KEY=VALUE assignment, so status text is kept to one line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").slice(0, 1024);
}

interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error) => void): void;
  on(event: "error", listener: (err: Error) => void): void;
  close(): void;
}
interface UnixDgramModule {
  createSocket(type: "unix_dgram"): UnixDgramSocket;
}

/**
 * One socket per message: a notification every few seconds costs nothing, a socket that systemd
 * re-created (daemon-reexec) is found again, and no open handle keeps the event loop alive after stop.
 */
export class UnixDgramTransport implements NotifyTransport {
  private readonly unix: UnixDgramModule;

  constructor() {
    this.unix = createRequire(import.meta.url)("unix-dgram") as UnixDgramModule;
  }

  send(socket: string, message: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let sock: UnixDgramSocket;
      try {
        sock = this.unix.createSocket("unix_dgram");
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      sock.on("error", () => undefined);
      const buf = Buffer.from(message);
      sock.send(buf, 0, buf.length, socket, (err) => {
        try {
          sock.close();
        } catch {
          // the datagram is already out or already failed; nothing left to release
        }
        if (err) reject(new Error(`sd_notify to ${socket}: ${errnoName(err)}`));
        else resolve();
      });
    });
  }
}

/** unix-dgram reports a negative errno ("send -111"); the name says what happened (ECONNREFUSED). */
function errnoName(err: Error & { code?: unknown }): string {
  const code = typeof err.code === "number" ? -err.code : NaN;
  const name = Object.entries(constants.errno).find(([, value]) => value === code)?.[0];
  return name ?? err.message;
}

/** Runs `systemd-notify --no-block`, which handles abstract names; the sender is then a child process. */
export class SystemdNotifyTransport implements NotifyTransport {
  constructor(private readonly binary = "systemd-notify") {}

  send(socket: string, message: string): Promise<void> {
    const env = { ...process.env, NOTIFY_SOCKET: socket };
    return new Promise((resolve, reject) => {
      execFile(
        this.binary,
        ["--no-block", ...message.split("\n")],
        { env, timeout: 5000 },
        (err, _out, stderr) => {
          if (err) reject(new Error(`${this.binary}: ${stderr.trim() || err.message}`));
          else resolve();
        },
      );
    });
  }
}

/**
 * A timer that notes how late it fires. perf_hooks' monitorEventLoopDelay was not used: its reset()
 * also forgets the previous sample time, so a stall that begins right after a reset is never recorded.
 * The reading includes the gap still in progress, so it is current at the moment it is asked.
 */
export function timerLagProbe(resolutionMs: number): LoopLagProbe {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - resolutionMs);
    last = now;
  }, resolutionMs);
  timer.unref();
  return {
    maxLagMs: () => Math.max(max, performance.now() - last - resolutionMs),
    // The stall just measured must not be counted again by a probe tick that was queued behind it.
    reset: () => {
      max = 0;
      last = performance.now();
    },
    stop: () => clearInterval(timer),
  };
}
